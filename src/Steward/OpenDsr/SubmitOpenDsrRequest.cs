using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Requests;

namespace Steward.OpenDsr;

/// <summary>
/// A controller's system sends a request (OpenDSR 7). The controller has verified its data subject (OpenDSR 3.2), so
/// the request is recorded as verified, for the processor to carry out (<see cref="ProcessOpenDsrRequests"/>), with
/// the Art. 12(3) clock from the subject's own request (<c>submitted_time</c>). <c>subject_request_id</c> is the
/// idempotency key: the same id and body replay the first answer byte for byte; the same id with another body is
/// refused (400); the same type and identities while an earlier request is still open are refused (409).
/// </summary>
public sealed class SubmitOpenDsrRequest(StewardDb db, KeyVault vault, AuditLog audit, AuditContext actor, IOptions<OpenDsrOptions> options,
    TimeProvider clock)
{
    public sealed record Reply(int Status, byte[] Body);

    public async Task<Result<Reply>> HandleAsync(Guid clientId, OpenDsrProtocol.Version version, byte[] body, CancellationToken ct)
    {
        // a cancelled or purged client's systems file nothing more, like its widgets (P-07)
        if (!await Clients.ClientLifecycle.IsActiveAsync(db, clientId, ct))
            return new OpenDsrError(410, "The controller's subscription is cancelled: no requests are taken.", "ControllerCancelled", "Gone");
        var now = clock.GetUtcNow();
        var parsed = OpenDsrWire.Parse(body, version, options.Value, now);
        if (!parsed.IsSuccess) return parsed.Error!;
        var p = parsed.Value!;
        var sha = SHA256.HashData(body);
        if (await ReplayAsync(p.SubjectRequestId, sha, ct) is { } replay) return replay;

        var dedup = await DedupAsync(clientId, p, ct);
        var open = await (from o in db.OpenDsrRequests
                          join s in db.SubjectRequests on o.Id equals s.Id
                          where o.DedupIndex == dedup && !SubjectRequest.Closed.Contains(s.Status)
                          select o.Id).AnyAsync(ct);
        // the same request sent twice at once: the other copy committed after the replay check above; answer as a replay
        if (open) return await ReplayAsync(p.SubjectRequestId, sha, ct)
            ?? new OpenDsrError(409, "A request of this type for these identities is already in progress.", "RequestInProgress", "Conflict");

        var identities = new ReadRequests.Identities(
            [.. p.Identities.Where(i => i is { Type: "email", Format: "raw" }).Select(i => i.Value)], null,
            [.. p.Identities.Where(i => i is { Type: "email", Format: "sha256" }).Select(i => i.Value)],
            [.. p.Identities.Where(i => i.Type == "controller_customer_id").Select(i => i.Value)]);
        var r = await CreateRequest.NewAsync(vault, clientId, p.Type, OpenDsrProtocol.Source, identities, null, p.SubmittedTime, now, ct);
        using var key = await vault.OpenAsync(clientId, r.Id, ct) ?? throw new InvalidOperationException("The request's key vanished.");
        var received = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var request = new OpenDsrRequest
        {
            Id = r.Id,
            ClientId = clientId,
            SubjectRequestId = p.SubjectRequestId,
            ApiVersion = version.Name,
            Regulation = p.Regulation,
            BodySha256 = sha,
            DedupIndex = dedup,
            RequestSealed = key.Seal("opendsr.request", body),
            CallbackUrlsSealed = p.CallbackUrls.Count == 0 ? null : key.Seal("opendsr.callbacks", System.Text.Json.JsonSerializer.Serialize(p.CallbackUrls)),
            ReceivedAt = received,
        };
        try
        {
            await using var write = await db.BeginWriteAsync(ct);
            r.HandledBy = RouteRequest.ByProcessor;
            db.SubjectRequests.Add(r);
            ChangeRequestStatus.AddStep(db, r, "created", null, actor, now);
            r.Status = SubjectRequest.Verified;
            ChangeRequestStatus.AddStep(db, r, "verified-by-controller", SubjectRequest.Received, actor, now);
            db.OpenDsrRequests.Add(request);
            await audit.RecordAsync(db, "SubmitOpenDsrRequest", "request", r.Id.ToString(), ct, status: 201);
            await write.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // the same subject_request_id arrived twice at once: the other one won
            await vault.DestroyAsync(clientId, [r.Id], CancellationToken.None);
            db.ChangeTracker.Clear();
            return await ReplayAsync(p.SubjectRequestId, sha, ct) ?? (Result<Reply>)new OpenDsrError(409, "The request is being recorded; send it again.", "Retry", "Conflict");
        }
        return new Reply(201, StatusCallbacks.Created(r, request, key));
    }

    private async Task<Result<Reply>?> ReplayAsync(Guid subjectRequestId, byte[] sha, CancellationToken ct)
    {
        var existing = await db.OpenDsrRequests.AsNoTracking().SingleOrDefaultAsync(o => o.SubjectRequestId == subjectRequestId, ct);
        if (existing is null) return null;
        if (!CryptographicOperations.FixedTimeEquals(existing.BodySha256, sha))
            return new OpenDsrError(400, "subject_request_id was already used for another request.", "DuplicateSubjectRequestId");
        var r = await db.SubjectRequests.AsNoTracking().SingleAsync(x => x.Id == existing.Id, ct);
        using var key = await vault.OpenAsync(r.ClientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        return new Reply(201, StatusCallbacks.Created(r, existing, key));
    }

    /// <summary>A keyed hash of the type and the sorted, normalised identities: equal for the same subject and right.</summary>
    private async Task<byte[]> DedupAsync(Guid clientId, OpenDsrWire.Parsed p, CancellationToken ct)
    {
        var canonical = clientId.ToString("N") + "\n" + p.Type + "\n"
            + string.Join("\n", p.Identities.Select(i => $"{i.Type}:{i.Format}:{i.Value}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return HMACSHA256.HashData(await vault.SecretAsync("opendsr-dedup", ct), Encoding.UTF8.GetBytes(canonical));
    }
}
