using System.Globalization;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Notifications;

public sealed class AlertOptions
{
    /// <summary>Who is told of every export (P-25) besides the active CEO and DPO staff: e.g. a shared compliance mailbox.</summary>
    public List<string> Recipients { get; set; } = [];
}

/// <summary>
/// Every export of client or contact data, by any path, alerts the CEO and the DPO (P-25): who, which client, how
/// many records, which channel. Call it inside the export's unit of work, so alert and export commit together.
/// </summary>
public sealed class ExportAlert(Notifier notifier, KeyVault vault, AuditContext actor, IOptions<AlertOptions> options, TimeProvider clock)
{
    /// <summary>The outbox kind of an export's alert: the desk lists them by it.</summary>
    public const string Kind = "export-alert";

    /// <summary>The one place that decides who is alerted: every active CEO and DPO, and the configured addresses.</summary>
    public async Task<IReadOnlyList<string>> RecipientsAsync(StewardDb db, CancellationToken ct)
    {
        var staff = await new StaffDirectory(db, vault).GovernanceEmailsAsync(ct);
        return staff.Concat(options.Value.Recipients).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

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
            await notifier.EnqueueAsync(db, new Notifier.Message(Kind, clientId, to, $"[Steward] Export from client {clientId} via {channel}", body), ct);
    }
}
