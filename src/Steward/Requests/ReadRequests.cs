using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Requests;

/// <summary>A client reads its subject requests: the open ones first, the earliest deadline first, so due-soon and overdue lead.</summary>
public sealed class ReadRequests(StewardDb db, KeyVault vault, IOptions<RequestOptions> options, TimeProvider clock)
{
    public const int MaxPageSize = 200;

    /// <summary>Who the request is about, as the subject or the client named them.</summary>
    /// <param name="EmailSha256">SHA-256 of normalised addresses, as an OpenDSR controller may send them.</param>
    /// <param name="CustomerIds">The controller's customer ids (OpenDSR <c>controller_customer_id</c>): Steward contact ids.</param>
    public sealed record Identities(List<string> Emails, string? Phone, List<string>? EmailSha256 = null, List<string>? CustomerIds = null);

    public sealed record StepView(DateTimeOffset At, string Action, string? From, string To, string ActorType, string? ActorId);

    public sealed record View(Guid Id, string Type, string Status, string Source, string? HandledBy, List<string> Emails, string? Phone, Guid? ContactId,
        string? Instruction, bool Billable, DateTimeOffset ReceivedAt, DateOnly FirstDueOn, DateOnly DueOn, string DueState,
        DateTimeOffset? ExtendedAt, string? ExtensionReason, string? DeclineReason, string? DeclineNotice, bool IdentitiesVerified,
        DateTimeOffset? ClosedAt, JsonElement? Certificate, JsonElement? Changes, List<StepView> Steps);

    public async Task<Result<View>> OneAsync(Guid clientId, Guid requestId, CancellationToken ct)
    {
        var request = await db.SubjectRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, ct);
        if (request is null) return Errors.NotFound("request");
        return await ViewAsync(db, vault, request, options.Value, clock.GetUtcNow(), ct);
    }

    public async Task<Result<List<View>>> ListAsync(Guid clientId, string? state, int? limit, CancellationToken ct)
    {
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize) return Errors.Invalid("limit", $"From 1 to {MaxPageSize}.");
        if (state is not (null or "all" or "open" or "closed")) return Errors.Invalid("state", "One of open, closed, all.");
        IQueryable<SubjectRequest> query = db.SubjectRequests.AsNoTracking();
        if (state == "open") query = query.Where(r => !SubjectRequest.Closed.Contains(r.Status));
        if (state == "closed") query = query.Where(r => SubjectRequest.Closed.Contains(r.Status));
        var requests = await query
            .OrderBy(r => SubjectRequest.Closed.Contains(r.Status) ? 1 : 0).ThenBy(r => r.DueOn).ThenBy(r => r.Id)
            .Take(size).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var views = new List<View>(requests.Count);
        foreach (var request in requests) views.Add(await ViewAsync(db, vault, request, options.Value, now, ct));
        return views;
    }

    public static async Task<View> ViewAsync(StewardDb db, KeyVault vault, SubjectRequest r, RequestOptions options, DateTimeOffset now, CancellationToken ct)
    {
        var steps = await db.SubjectRequestSteps.AsNoTracking().Where(s => s.RequestId == r.Id).OrderBy(s => s.Number)
            .Select(s => new StepView(s.At, s.Action, s.FromStatus, s.ToStatus, s.ActorType, s.ActorId)).ToListAsync(ct);
        var pending = await db.RequestVerifications.AsNoTracking().AnyAsync(v => v.RequestId == r.Id && v.VerifiedAt == null, ct);
        using var key = await vault.OpenAsync(r.ClientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        var identities = OpenIdentities(r, key);
        var decline = key.OpenString("declineReason", r.DeclineReasonSealed);
        return new View(r.Id, r.Type, r.Status, r.Source, r.HandledBy, identities.Emails, identities.Phone, r.ContactId,
            key.OpenString("instruction", r.InstructionSealed), r.Billable, r.ReceivedAt, r.FirstDueOn, r.DueOn,
            RequestDeadlines.State(r.DueOn, r.IsClosed, now, options.DueSoonDays), r.ExtendedAt,
            key.OpenString("extensionReason", r.ExtensionReasonSealed), decline,
            decline is null ? null : ChangeRequestStatus.DeclineNotice(decline), !pending, r.ClosedAt,
            r.Certificate is null ? null : JsonDocument.Parse(r.Certificate).RootElement.Clone(),
            key.OpenString("changes", r.ChangesSealed) is { } changes ? JsonDocument.Parse(changes).RootElement.Clone() : null, steps);
    }

    public static Identities OpenIdentities(SubjectRequest request, DataKey key) =>
        JsonSerializer.Deserialize<Identities>(key.Open("identities", request.IdentitiesSealed), Json.Strict)!;
}
