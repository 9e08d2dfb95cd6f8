using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Requests;

/// <summary>
/// Extends a request's deadline (Art. 12(3)): once, by one or two further months counted from receipt, only before
/// the first deadline has passed, only with a reason, and only together with the notice that tells the subject of
/// the extension and its reason (written to the outbox in the same transaction).
/// </summary>
public sealed class ExtendRequest(StewardDb db, KeyVault vault, Notifier notifier, AuditLog audit, AuditContext actor,
    IOptions<RequestOptions> options, TimeProvider clock)
{
    public sealed record Request(int? Months, string? Reason);

    public async Task<Result<ReadRequests.View>> HandleAsync(Guid clientId, Guid requestId, Request request, CancellationToken ct)
    {
        var problems = new Problems();
        if (request.Months is not (>= 1 and <= RequestDeadlines.MaxExtensionMonths)) problems.Add("months", $"1 to {RequestDeadlines.MaxExtensionMonths} further months.");
        var reason = request.Reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 2000) problems.Add("reason", "Why the request needs more time (complex or numerous requests), 1 to 2000 characters.");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var r = await db.SubjectRequests.SingleOrDefaultAsync(x => x.Id == requestId, ct);
        if (r is null) return Errors.NotFound("request");
        var now = clock.GetUtcNow();
        if (r.IsClosed) return Errors.Conflict($"The request is {r.Status}.");
        if (r.ExtendedAt is not null) return Errors.Conflict("The deadline was extended once already; Art. 12(3) allows one extension.");
        if (DateOnly.FromDateTime(now.UtcDateTime) > r.FirstDueOn) return Errors.Conflict("The first deadline has passed: an extension must be given within the first month.");

        using var key = await vault.OpenAsync(clientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        var email = await ChangeRequestStatus.SubjectEmailAsync(db, vault, r, key, ct);
        if (email is null) return Errors.Conflict("There is no email address to tell the subject of the extension; add one to the request's contact first.");

        r.DueOn = RequestDeadlines.Due(r.ReceivedAt, 1 + request.Months!.Value);
        r.ExtendedAt = now;
        r.ExtensionReasonSealed = key.Seal("extensionReason", reason);
        r.UpdatedAt = now;
        await notifier.EnqueueAsync(db, new Notifier.Message("request-extension", clientId, email, "Your data protection request: more time needed",
            $"""
            We received your request on {r.ReceivedAt.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.
            We need more time to answer it, and will answer by {r.DueOn.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.

            Why: {reason}

            {ChangeRequestStatus.RemedyWording}
            """), ct);
        ChangeRequestStatus.AddStep(db, r, "extended", r.Status, actor, now);
        await audit.RecordAsync(db, "ExtendSubjectRequest", "request", r.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return await ReadRequests.ViewAsync(db, vault, r, options.Value, now, ct);
    }
}
