using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Requests;

/// <summary>
/// The subject confirms one email address of a public request with the code sent to it. A code works once, until it
/// expires, and only for a few attempts (a wrong one counts, and is committed). When every address is confirmed the
/// request becomes verified and is routed (<see cref="RouteRequest"/>); before that, nothing is disclosed or changed.
/// In direct mode the processor then carries out an objection, rectification, erasure or restriction at once
/// (G-42) and reports it to the client; if it cannot (no data held to change), the request waits for the client.
/// </summary>
public sealed class VerifyPublicRequest(StewardDb db, KeyVault vault, RouteRequest route, FulfilRequest fulfil, AuditLog audit, AuditContext actor,
    IOptions<RequestOptions> options, TimeProvider clock)
{
    public sealed record Request(string? Email, string? Code);
    public sealed record Response(Guid RequestId, string Status, int Confirmed, int Pending);

    private const string WrongCode = "The code is not right for this address. Check the latest message we sent to it.";

    public async Task<Result<Response>> HandleAsync(Guid requestId, Request request, CancellationToken ct)
    {
        var clientId = await db.SubjectRequests.IgnoreQueryFilters().Where(r => r.Id == requestId && r.Source == "subject")
            .Select(r => (Guid?)r.ClientId).SingleOrDefaultAsync(ct);
        if (clientId is null) return Errors.NotFound("request");
        db.TenantId = clientId;
        actor.ActorType = "public";
        actor.ClientId = clientId;
        if (string.IsNullOrWhiteSpace(request.Email) || request.Code is null || request.Code.Length > 20) return Errors.Invalid("code", WrongCode);

        var secret = await vault.SecretAsync("request-verification", ct);
        await using var write = await db.BeginWriteAsync(ct);
        // the codes' row locks before their read, held to the commit: concurrent guesses are counted one after
        // another, so a burst cannot outrun the attempt limit (PostgreSQL; SQLite writes one at a time)
        await db.RequestVerifications.Where(v => v.RequestId == requestId).ExecuteUpdateAsync(x => x.SetProperty(v => v.Attempts, v => v.Attempts), ct);
        var r = await db.SubjectRequests.SingleAsync(x => x.Id == requestId, ct);
        using var key = await vault.OpenAsync(r.ClientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        var ordinal = ReadRequests.OpenIdentities(r, key).Emails.IndexOf(BlindIndex.NormalizeEmail(request.Email));
        var verification = await db.RequestVerifications.SingleOrDefaultAsync(v => v.RequestId == r.Id && v.EmailOrdinal == ordinal, ct);
        if (verification is null) return Errors.Invalid("code", WrongCode);
        var now = clock.GetUtcNow();
        if (verification.VerifiedAt is not null)
            return Matches(verification, secret, r.Id, ordinal, request.Code) ? await StateAsync(r, ct) : Errors.Invalid("code", WrongCode);
        if (r.IsClosed) return Errors.Gone($"The request is {r.Status}.");
        if (now >= verification.ExpiresAt) return Errors.Gone("The code has expired. Send the request again for a new one.");
        if (verification.Attempts >= options.Value.MaxCodeAttempts) return Errors.Gone("Too many wrong codes. Send the request again for a new one.");
        verification.Attempts++;
        if (!Matches(verification, secret, r.Id, ordinal, request.Code))
        {
            await audit.RecordAsync(db, "VerifySubjectRequest", "request", r.Id.ToString(), ct, outcome: "refused", status: 400);
            await write.CommitAsync(ct);
            return Errors.Invalid("code", WrongCode);
        }
        verification.VerifiedAt = now;
        var othersPending = await db.RequestVerifications.AnyAsync(v => v.RequestId == r.Id && v.Id != verification.Id && v.VerifiedAt == null, ct);
        var verified = !othersPending && r.Status == SubjectRequest.Received;
        if (verified)
        {
            r.Status = SubjectRequest.Verified;
            r.UpdatedAt = now;
            ChangeRequestStatus.AddStep(db, r, SubjectRequest.Verified, SubjectRequest.Received, actor, now);
            await route.HandleAsync(r, key, now, ct);
        }
        await audit.RecordAsync(db, "VerifySubjectRequest", "request", r.Id.ToString(), ct);
        await write.CommitAsync(ct);
        if (verified && r.HandledBy == RouteRequest.ByProcessor && RouteRequest.DirectTypes.Contains(r.Type))
        {
            // G-42: the processor acts on the client's standing permission, and the steps and events say so
            actor.ActorType = "processor";
            actor.ActorId = "direct-mode";
            var done = await fulfil.HandleAsync(clientId.Value, r.Id, new FulfilRequest.Request(null), ct);
            actor.ActorType = "public";
            actor.ActorId = null;
            if (done.IsSuccess) return new Response(r.Id, SubjectRequest.Completed, await ConfirmedAsync(r, ct), 0);
        }
        return await StateAsync(r, ct);
    }

    private Task<int> ConfirmedAsync(SubjectRequest r, CancellationToken ct) =>
        db.RequestVerifications.CountAsync(v => v.RequestId == r.Id && v.VerifiedAt != null, ct);

    private static bool Matches(RequestVerification verification, byte[] secret, Guid requestId, int ordinal, string code) =>
        CryptographicOperations.FixedTimeEquals(verification.CodeHash, SubmitPublicRequest.CodeHash(secret, requestId, ordinal, code.Trim()));

    private async Task<Response> StateAsync(SubjectRequest r, CancellationToken ct)
    {
        var pending = await db.RequestVerifications.CountAsync(v => v.RequestId == r.Id && v.VerifiedAt == null, ct);
        var confirmed = await db.RequestVerifications.CountAsync(v => v.RequestId == r.Id && v.VerifiedAt != null, ct);
        return new Response(r.Id, r.Status, confirmed, pending);
    }
}
