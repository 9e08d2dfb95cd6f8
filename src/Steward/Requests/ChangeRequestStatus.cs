using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;

namespace Steward.Requests;

/// <summary>
/// Moves a request along received → verified → in_progress → completed, or to declined or cancelled from any open
/// state. A decline needs a reason, and carries the complaint-and-remedy wording of Art. 12(4) to the subject.
/// Every move is a step in the request's history and an audit event, in one transaction.
/// </summary>
public sealed class ChangeRequestStatus(StewardDb db, KeyVault vault, Notifier notifier, AuditLog audit, AuditContext actor,
    IOptions<RequestOptions> options, TimeProvider clock)
{
    public const string RemedyWording = "You have the right to lodge a complaint with a supervisory authority and to seek a judicial remedy "
        + "(GDPR Articles 12(4), 77 and 79).";

    public sealed record Request(string? Status, string? Reason);

    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [SubjectRequest.Received] = [SubjectRequest.Verified, SubjectRequest.Declined, SubjectRequest.Cancelled],
        [SubjectRequest.Verified] = [SubjectRequest.InProgress, SubjectRequest.Declined, SubjectRequest.Cancelled],
        [SubjectRequest.InProgress] = [SubjectRequest.Completed, SubjectRequest.Declined, SubjectRequest.Cancelled],
    };

    public static string DeclineNotice(string reason) => $"Your request was declined: {reason}\n\n{RemedyWording}";

    public async Task<Result<ReadRequests.View>> HandleAsync(Guid clientId, Guid requestId, Request request, CancellationToken ct)
    {
        var to = request.Status;
        var reason = request.Reason?.Trim();
        if (to == SubjectRequest.Declined && string.IsNullOrEmpty(reason)) return Errors.Invalid("reason", "A decline needs the reason the subject will be given (Art. 12(4)).");
        if (reason is { Length: > 2000 }) return Errors.Invalid("reason", "At most 2000 characters.");

        await using var write = await db.BeginWriteAsync(ct);
        var r = await db.SubjectRequests.SingleOrDefaultAsync(x => x.Id == requestId, ct);
        if (r is null) return Errors.NotFound("request");
        if (!Next.TryGetValue(r.Status, out var allowed) || to is null || !allowed.Contains(to))
            return Errors.Conflict($"A request that is {r.Status} cannot become {ContactFields.Safe(to ?? "null")}.");
        if (to == SubjectRequest.Verified && await db.RequestVerifications.AnyAsync(v => v.RequestId == r.Id && v.VerifiedAt == null, ct))
            return Errors.Conflict("The subject has not yet confirmed every email address on the request.");

        var now = clock.GetUtcNow();
        using var key = await vault.OpenAsync(clientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        var from = r.Status;
        r.Status = to;
        r.UpdatedAt = now;
        if (r.IsClosed) r.ClosedAt = now;
        if (to == SubjectRequest.Declined)
        {
            r.DeclineReasonSealed = key.Seal("declineReason", reason);
            if (await SubjectEmailAsync(db, vault, r, key, ct) is { } email)
                await notifier.EnqueueAsync(db, new Notifier.Message("request-declined", clientId, email, "Your data protection request", DeclineNotice(reason!)), ct);
        }
        AddStep(db, r, to, from, actor, now);
        await audit.RecordAsync(db, "ChangeSubjectRequestStatus", "request", r.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return await ReadRequests.ViewAsync(db, vault, r, options.Value, now, ct);
    }

    public static void AddStep(StewardDb db, SubjectRequest r, string action, string? from, AuditContext actor, DateTimeOffset now) =>
        db.SubjectRequestSteps.Add(new SubjectRequestStep
        {
            Id = Guid.CreateVersion7(),
            ClientId = r.ClientId,
            RequestId = r.Id,
            Number = ++r.StepCount,
            At = now,
            Action = action,
            FromStatus = from,
            ToStatus = r.Status,
            ActorType = actor.ActorType,
            ActorId = actor.ActorId,
        });

    /// <summary>Where to tell the subject: the first email on the request, else the linked contact's.</summary>
    public static async Task<string?> SubjectEmailAsync(StewardDb db, KeyVault vault, SubjectRequest r, DataKey requestKey, CancellationToken ct)
    {
        if (ReadRequests.OpenIdentities(r, requestKey).Emails.FirstOrDefault() is { } email) return email;
        if (r.ContactId is not { } contactId) return null;
        var sealedEmail = await db.Contacts.Where(c => c.Id == contactId).Select(c => c.EmailSealed).FirstOrDefaultAsync(ct);
        using var contactKey = await vault.OpenAsync(r.ClientId, contactId, ct);
        return contactKey?.OpenString("email", sealedEmail);
    }
}
