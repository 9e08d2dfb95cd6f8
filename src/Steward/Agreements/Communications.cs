using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Data;

namespace Steward.Agreements;

/// <summary>
/// The written communications under the DPA to one client (G-24): every notice the processor sent to the controller
/// through the outbox, with its delivery status. Mail to data subjects and the processor's internal alerts are not
/// communications to the controller and are left out. The text is sealed and shredded once delivered; the log keeps
/// what was sent, when, and whether it arrived.
/// </summary>
public static class Communications
{
    /// <summary>
    /// The outbox kinds that are written communications from the processor to a controller. Not among them: the
    /// product tips to the client's users (<see cref="Team.ProductMessages.Kind"/>, G-43), which are not notices under the DPA.
    /// </summary>
    public static readonly string[] Kinds =
    [
        "breach-notice", "subprocessor-change", "subprocessor-effective", "request-forwarded", "request-direct", "request-report",
        "instruction-flag", RecordDisclosure.NoticeKind, PublishAgreement.NoticeKind, Measures.ReviseMeasure.NoticeKind, "security-policy-review",
        SubProcessors.Register.LocationChangedKind, SubProcessors.Register.SuspendedKind,
    ];

    public sealed record Entry(Guid Id, string Kind, DateTimeOffset SentAt, string Status, int Attempts, DateTimeOffset? DeliveredAt);

    public static RouteGroupBuilder MapClientCommunications(this RouteGroupBuilder client)
    {
        client.MapGet("/communications", async (Guid clientId, StewardDb db, CancellationToken ct) =>
                TypedResults.Ok(await db.OutboxMessages.AsNoTracking().Where(m => m.ClientId == clientId && Kinds.Contains(m.Kind))
                    .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                    .Select(m => new Entry(m.Id, m.Kind, m.CreatedAt, m.Status, m.Attempts, m.DeliveredAt)).ToListAsync(ct)))
            .WithTags("Agreements").WithName("ClientCommunications").WithSummary("The written communications under the DPA to this client, with delivery status (G-24)");
        return client;
    }
}
