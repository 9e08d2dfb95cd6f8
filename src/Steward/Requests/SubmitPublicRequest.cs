using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Requests;

/// <summary>
/// A data subject asks a client for a right, with no account (Art. 12(2)): the request is recorded as received, its
/// clock starts, and every email address on it gets a one-time code. Nothing is disclosed or changed until every
/// address is confirmed (<see cref="VerifyPublicRequest"/>); the answer says nothing about what the client holds.
/// </summary>
public sealed class SubmitPublicRequest(StewardDb db, KeyVault vault, BlindIndex index, Notifier notifier, AuditLog audit, AuditContext actor,
    IOptions<RequestOptions> options, TimeProvider clock)
{
    /// <param name="Changes">For a rectification: what to correct, as contact fields (a merge patch; null clears a field).</param>
    public sealed record Request(Guid? ClientId, string? Type, List<string>? Emails, string? Phone, string? Message, JsonElement? Changes = null);
    public sealed record Response(Guid RequestId, string Status, int CodesSent, DateTimeOffset CodesExpireAt, DateOnly DueOn);

    public async Task<Result<Response>> HandleAsync(Request request, CancellationToken ct)
    {
        if (request.ClientId is not { } clientId || !await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Errors.NotFound("client");
        // a cancelled or purged client takes no requests, like its widgets (P-07)
        if (!await Clients.ClientLifecycle.IsActiveAsync(db, clientId, ct)) return Errors.Gone("This organisation no longer takes requests here.");
        db.TenantId = clientId;
        actor.ActorType = "public";
        actor.ClientId = clientId;

        var problems = new Problems();
        var identities = CreateRequest.CheckIdentities(request.Type, request.Emails, request.Phone, false, problems);
        if (identities.Emails.Count == 0) problems.Add("emails", "Give the email address(es) the request is about: each one gets a code to confirm it is yours.");
        if (request.Message is { Length: > 5000 }) problems.Add("message", "At most 5000 characters.");
        var changes = await CheckChangesAsync(db, request.Type, request.Changes, problems, ct);
        if (problems.Any) return Errors.Invalid(problems);

        var now = clock.GetUtcNow();
        var expires = now.AddMinutes(options.Value.CodeLifetimeMinutes);
        var r = await CreateRequest.NewAsync(vault, clientId, request.Type!, "subject", identities, request.Message?.Trim(), now, now, ct, changes);
        r.ContactId = await CreateRequest.FindContactAsync(db, index, clientId, identities, ct);
        var secret = await vault.SecretAsync("request-verification", ct);
        await using var write = await db.BeginWriteAsync(ct);
        db.SubjectRequests.Add(r);
        ChangeRequestStatus.AddStep(db, r, "created", null, actor, now);
        for (var i = 0; i < identities.Emails.Count; i++)
        {
            var code = RandomNumberGenerator.GetInt32(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
            db.RequestVerifications.Add(new RequestVerification
            {
                Id = Guid.CreateVersion7(),
                ClientId = clientId,
                RequestId = r.Id,
                EmailOrdinal = i,
                CodeHash = CodeHash(secret, r.Id, i, code),
                ExpiresAt = expires,
            });
            await notifier.EnqueueAsync(db, new Notifier.Message("verification-code", clientId, identities.Emails[i],
                "Confirm your data protection request",
                $"""
                Someone, we hope you, asked for {request.Type} of the personal data held about this email address.
                To confirm it is yours, enter this code within {options.Value.CodeLifetimeMinutes} minutes:

                    {code}

                Request: {r.Id}
                If it was not you, ignore this message: nothing happens without the code.
                """), ct);
        }
        await audit.RecordAsync(db, "SubmitSubjectRequest", "request", r.Id.ToString(), ct, status: 202);
        await write.CommitAsync(ct);
        return new Response(r.Id, r.Status, identities.Emails.Count, expires, r.DueOn);
    }

    /// <summary>A rectification names what to correct, checked as a contact patch would be; other rights take none.</summary>
    public static async Task<string?> CheckChangesAsync(StewardDb db, string? type, JsonElement? changes, Problems problems, CancellationToken ct)
    {
        if (changes is not { ValueKind: not JsonValueKind.Null } given)
        {
            if (type == "rectification") problems.Add("changes", "Say what to correct: the fields and their right values, e.g. {\"lastName\":\"Doe\"}.");
            return null;
        }
        if (type != "rectification")
        {
            problems.Add("changes", "Only a rectification request carries changes.");
            return null;
        }
        var fieldProblems = new Problems();
        var values = Contacts.ContactFields.Parse(given, await Contacts.DeclareFields.DeclaredAsync(db, ct), fieldProblems);
        foreach (var (field, messages) in fieldProblems.ToDictionary())
            foreach (var message in messages) problems.Add("changes." + field, message);
        if (!fieldProblems.Any && values.Standard.Count + values.Custom.Count == 0) problems.Add("changes", "Name at least one field to correct.");
        return given.GetRawText();
    }

    /// <summary>Codes are kept only as an HMAC bound to the request and the address they confirm.</summary>
    public static byte[] CodeHash(byte[] secret, Guid requestId, int ordinal, string code) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"steward/request-code/v1/{requestId:N}/{ordinal.ToString(CultureInfo.InvariantCulture)}/{code}"));
}
