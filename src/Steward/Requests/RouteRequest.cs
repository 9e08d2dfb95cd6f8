using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Notifications;

namespace Steward.Requests;

/// <summary>
/// Decides who answers a verified request from a data subject, by the client's <c>dsr.mode</c> (A.3):
/// <c>forward</c> — the client answers; the processor tells the client and tells the subject it did (P-42,
/// Personizely DPA 8.1); <c>direct</c> — the processor itself carries out unsubscribe (objection), rectification,
/// erasure and restriction and reports each to the client, and forwards the other rights (G-42, GenieBelt 4.4).
/// Runs inside the caller's write scope.
/// </summary>
public sealed class RouteRequest(StewardDb db, KeyVault vault, Notifier notifier, AuditContext actor)
{
    public const string ByClient = "client";
    public const string ByProcessor = "processor";

    public static readonly IReadOnlyList<string> DirectTypes = ["objection", "rectification", "erasure", "restriction"];

    public static bool IsDirect(string mode, string type) => mode == RequestSettings.Direct && DirectTypes.Contains(type);

    public async Task HandleAsync(SubjectRequest r, DataKey requestKey, DateTimeOffset now, CancellationToken ct)
    {
        var mode = await db.RequestSettings.Select(s => s.Mode).FirstOrDefaultAsync(ct) ?? RequestSettings.Forward;
        var clientName = await db.Clients.Where(c => c.Id == r.ClientId).Select(c => c.Name).SingleAsync(ct);
        var due = r.DueOn.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var direct = IsDirect(mode, r.Type);
        r.HandledBy = direct ? ByProcessor : ByClient;
        ChangeRequestStatus.AddStep(db, r, direct ? "routed-direct" : "forwarded", r.Status, actor, now);

        // the client is told of every request, with no personal value in the message: the request is in its inbox
        if (await OwnerEmailAsync(r.ClientId, ct) is { } owner)
            await notifier.EnqueueAsync(db, new Notifier.Message(direct ? "request-direct" : "request-forwarded", r.ClientId, owner,
                $"[Steward] A data subject request ({r.Type}) for {clientName}",
                $"""
                A data subject's {r.Type} request, with every email address confirmed, reached Steward.
                {(direct ? "Under your settings (direct) Steward carries it out itself and reports it to you." : "Under your settings (forward) you answer it.")}
                Request: /v1/clients/{r.ClientId}/requests/{r.Id}
                Due: {due}
                """), ct);

        var subject = ReadRequests.OpenIdentities(r, requestKey).Emails[0];
        await notifier.EnqueueAsync(db, new Notifier.Message("request-acknowledged", r.ClientId, subject, "Your data protection request",
            direct
                ? $"Thank you: your {r.Type} request is confirmed. We handle it for {clientName} and answer by {due}."
                : $"Thank you: your {r.Type} request is confirmed, and we passed it to {clientName}, who answers it by {due}."), ct);
    }

    /// <summary>The client's owner address: where the processor reports to the client.</summary>
    public async Task<string?> OwnerEmailAsync(Guid clientId, CancellationToken ct)
    {
        var owner = await db.ClientUsers.Where(u => u.ClientId == clientId && u.Role == "owner" && u.RemovedAt == null).OrderBy(u => u.CreatedAt)
            .Select(u => new { u.Id, u.EmailSealed }).FirstOrDefaultAsync(ct);
        if (owner is null) return null;
        using var key = await vault.OpenAsync(clientId, owner.Id, ct);
        return key?.OpenString("email", owner.EmailSealed);
    }
}
