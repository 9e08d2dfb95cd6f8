using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Requests;

namespace Steward.OpenDsr;

/// <summary>The status of a request (OpenDSR 8.1), and its cancellation while it is still pending (OpenDSR 9).</summary>
public sealed class ReadOpenDsrRequest(StewardDb db, KeyVault vault, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public async Task<Result<SubmitOpenDsrRequest.Reply>> StatusAsync(string subjectRequestId, CancellationToken ct)
    {
        if (await FindAsync(subjectRequestId, ct) is not ({ } r, { } o)) return NotFound();
        using var key = await OpenKeyAsync(r, ct);
        return new SubmitOpenDsrRequest.Reply(200, OpenDsrWire.Bytes(StatusCallbacks.Status(r, o, key)));
    }

    public async Task<Result<SubmitOpenDsrRequest.Reply>> CancelAsync(string subjectRequestId, CancellationToken ct)
    {
        if (await FindAsync(subjectRequestId, ct) is not ({ } found, { } o)) return NotFound();
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var r = await db.SubjectRequests.SingleAsync(x => x.Id == found.Id, ct);
        if (OpenDsrProtocol.Status(r.Status) != OpenDsrProtocol.Pending)
            return new OpenDsrError(409, $"Only a pending request can be cancelled; this one is {OpenDsrProtocol.Status(r.Status)}.", "NotPending", "Conflict");
        var from = r.Status;
        r.Status = SubjectRequest.Cancelled;
        r.ClosedAt = now;
        r.UpdatedAt = now;
        ChangeRequestStatus.AddStep(db, r, "cancelled-by-controller", from, actor, now);
        await StatusCallbacks.EnqueueAsync(db, vault, r, now, ct);
        await audit.RecordAsync(db, "CancelOpenDsrRequest", "request", r.Id.ToString(), ct, status: 202);
        await write.CommitAsync(ct);
        return new SubmitOpenDsrRequest.Reply(202, OpenDsrWire.Bytes(new()
        {
            ["controller_id"] = r.ClientId.ToString(),
            ["subject_request_id"] = o.SubjectRequestId.ToString(),
            ["received_time"] = OpenDsrWire.Time(now),
            ["api_version"] = OpenDsrProtocol.Version.Of(o.ApiVersion).ApiVersion,
        }));
    }

    private async Task<(SubjectRequest, OpenDsrRequest)?> FindAsync(string subjectRequestId, CancellationToken ct)
    {
        if (!Guid.TryParse(subjectRequestId, out var id)) return null;
        var o = await db.OpenDsrRequests.AsNoTracking().SingleOrDefaultAsync(x => x.SubjectRequestId == id, ct);
        if (o is null) return null;
        return (await db.SubjectRequests.AsNoTracking().SingleAsync(x => x.Id == o.Id, ct), o);
    }

    private async Task<DataKey> OpenKeyAsync(SubjectRequest r, CancellationToken ct) =>
        await vault.OpenAsync(r.ClientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");

    private static OpenDsrError NotFound() => new(404, "There is no such request.", "NotFound", "Request");
}
