using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;

namespace Steward.Measures;

/// <summary>
/// G-38: anomaly detection over the audit log. An unusual volume of exports, failed sign-ins or requests by one
/// actor (a staff member, a client user, an API key) on one client's data, or against one account, within the window
/// alerts the DPO, once per actor, client, kind and window. Infrastructure monitoring and autoscaling stay an attested measure ("firewalls-monitoring").
/// </summary>
public sealed class DetectAnomalies(StewardDb db, AuditLog audit, ControllerMail mail, IOptions<ProcessorOptions> processor, IOptions<MeasureOptions> options, TimeProvider clock)
{
    public const string Kind = "anomaly-alert";
    public const string Action = "AnomalyAlert";

    public sealed record Anomaly(string Kind, string Who, Guid? ClientId, int Count, int Threshold);

    public async Task<List<Anomaly>> HandleAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var since = now.AddMinutes(-o.AnomalyWindowMinutes);
        // counted by the database, so a busy hour of the log is never loaded into memory
        var recent = db.AuditEvents.AsNoTracking().Where(e => e.At >= since && e.Action != Action);
        var found = new List<Anomaly>();
        found.AddRange((await recent.Where(e => e.Outcome == "success" && (e.Action.StartsWith("Export") || e.Action == "DownloadSubjectPackage"))
                .GroupBy(e => new { e.ActorType, e.ActorId, e.ClientId }).Select(g => new { g.Key.ActorType, g.Key.ActorId, g.Key.ClientId, Count = g.Count() })
                .Where(g => g.Count >= o.AnomalyExports).ToListAsync(ct))
            .Select(g => new Anomaly("exports", $"{g.ActorType}:{g.ActorId}", g.ClientId, g.Count, o.AnomalyExports)));
        // failed sign-ins against one account (the actor is anonymous then)
        found.AddRange((await recent.Where(e => e.Outcome != "success" && e.Action.Contains("SignIn"))
                .GroupBy(e => new { e.ResourceId, e.ClientId }).Select(g => new { g.Key.ResourceId, g.Key.ClientId, Count = g.Count() })
                .Where(g => g.Count >= o.AnomalyFailedSignIns).ToListAsync(ct))
            .Select(g => new Anomaly("failed-sign-ins", "account:" + (g.ResourceId ?? "unknown"), g.ClientId, g.Count, o.AnomalyFailedSignIns)));
        // any requests by one signed-in actor
        found.AddRange((await recent.Where(e => e.ActorId != null)
                .GroupBy(e => new { e.ActorType, e.ActorId, e.ClientId }).Select(g => new { g.Key.ActorType, g.Key.ActorId, g.Key.ClientId, Count = g.Count() })
                .Where(g => g.Count >= o.AnomalyRequests).ToListAsync(ct))
            .Select(g => new Anomaly("requests", $"{g.ActorType}:{g.ActorId}", g.ClientId, g.Count, o.AnomalyRequests)));

        var alerted = (await db.AuditEvents.AsNoTracking().Where(e => e.At >= since && e.Action == Action).Select(e => e.ResourceId).ToListAsync(ct)).ToHashSet();
        var fresh = found.Where(a => !alerted.Contains(Key(a))).ToList();
        if (fresh.Count == 0) return fresh;
        await using var write = await db.BeginWriteAsync(ct);
        foreach (var a in fresh)
        {
            await mail.SendStaffAsync(db, processor.Value.Dpo, Kind, a.ClientId, $"Anomaly: {a.Count} {a.Kind} by {a.Who}",
                $"{a.Count} {a.Kind} by {a.Who}" + (a.ClientId is { } c ? $" (client {c})" : "") + $" in the last {o.AnomalyWindowMinutes} minutes, "
                + $"at or above the threshold of {a.Threshold}. Check the audit log for this actor and, if it is a breach, record it.", ct);
            await audit.RecordAsync(db, Action, "anomaly", Key(a), ct, clientId: a.ClientId);
        }
        await write.CommitAsync(ct);
        return fresh;
    }

    private static string Key(Anomaly a) => $"{a.Kind}/{a.Who}/{a.ClientId}";
}
