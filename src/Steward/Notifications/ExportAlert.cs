using System.Globalization;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;

namespace Steward.Notifications;

public sealed class AlertOptions
{
    /// <summary>Who is told of every export (P-25): the CEO's and the DPO's addresses.</summary>
    public List<string> Recipients { get; set; } = [];
}

/// <summary>
/// Every export of client or contact data, by any path, alerts the CEO and the DPO (P-25): who, which client, how
/// many records, which channel. Call it inside the export's unit of work, so alert and export commit together.
/// </summary>
public sealed class ExportAlert(Notifier notifier, AuditContext actor, IOptions<AlertOptions> options, TimeProvider clock)
{
    /// <summary>The one place that decides who is alerted.</summary>
    public Task<IReadOnlyList<string>> RecipientsAsync(StewardDb db, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>(options.Value.Recipients);

    public async Task RaiseAsync(StewardDb db, Guid clientId, string channel, long records, CancellationToken ct)
    {
        var at = clock.GetUtcNow().ToString("u", CultureInfo.InvariantCulture);
        var body = $"""
            An export of personal data left Steward.

            When:    {at}
            Who:     {actor.ActorType} {actor.ActorId ?? "(unknown)"}
            Client:  {clientId}
            Records: {records.ToString(CultureInfo.InvariantCulture)}
            Channel: {channel}

            No personal data is in this message. The audit trail has the event.
            """;
        foreach (var to in await RecipientsAsync(db, ct))
            await notifier.EnqueueAsync(db, new Notifier.Message("export-alert", clientId, to, $"[Steward] Export from client {clientId} via {channel}", body), ct);
    }
}
