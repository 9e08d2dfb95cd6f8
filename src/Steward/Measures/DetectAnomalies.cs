using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Data;
using Steward.Dpo;

namespace Steward.Measures;

/// <summary>
/// G-38: anomaly detection over the audit log. An unusual volume of exports, failed sign-ins or requests by one
/// actor (a staff member, a client user, an API key) or against one client within the window alerts the DPO, once per
/// actor, kind and window. Infrastructure monitoring and autoscaling stay an attested measure ("firewalls-monitoring").
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
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.At >= since && e.Action != Action)
            .Select(e => new { e.Action, e.Outcome, e.ActorType, e.ActorId, e.ClientId, e.ResourceId }).ToListAsync(ct);
        var found = new List<Anomaly>();
        void Count(string kind, int threshold, IEnumerable<(string Who, Guid? ClientId)> hits) =>
            found.AddRange(hits.GroupBy(h => h.Who).Where(g => g.Count() >= threshold)
                .Select(g => new Anomaly(kind, g.Key, g.Select(h => h.ClientId).FirstOrDefault(c => c != null), g.Count(), threshold)));
        // exports by one actor
        Count("exports", o.AnomalyExports, events.Where(e => e.Outcome == "success" && (e.Action.StartsWith("Export", StringComparison.Ordinal)
            || e.Action == "DownloadSubjectPackage")).Select(e => ($"{e.ActorType}:{e.ActorId}", e.ClientId)));
        // failed sign-ins against one account (the actor is anonymous then), or from one client's side
        Count("failed-sign-ins", o.AnomalyFailedSignIns, events.Where(e => e.Outcome != "success" && e.Action.Contains("SignIn", StringComparison.Ordinal))
            .Select(e => (e.ResourceId is { } id ? "account:" + id : e.ClientId is { } c ? "client:" + c : "anonymous", e.ClientId)));
        // any requests by one signed-in actor
        Count("requests", o.AnomalyRequests, events.Where(e => e.ActorId != null).Select(e => ($"{e.ActorType}:{e.ActorId}", e.ClientId)));

        var alerted = (await db.AuditEvents.AsNoTracking().Where(e => e.At >= since && e.Action == Action).Select(e => e.ResourceId).ToListAsync(ct)).ToHashSet();
        var fresh = found.Where(a => !alerted.Contains($"{a.Kind}/{a.Who}")).ToList();
        if (fresh.Count == 0) return fresh;
        await using var write = await db.BeginWriteAsync(ct);
        foreach (var a in fresh)
        {
            await mail.SendStaffAsync(db, processor.Value.Dpo, Kind, a.ClientId, $"Anomaly: {a.Count} {a.Kind} by {a.Who}",
                $"{a.Count} {a.Kind} by {a.Who}" + (a.ClientId is { } c ? $" (client {c})" : "") + $" in the last {o.AnomalyWindowMinutes} minutes, "
                + $"at or above the threshold of {a.Threshold}. Check the audit log for this actor and, if it is a breach, record it.", ct);
            await audit.RecordAsync(db, Action, "anomaly", $"{a.Kind}/{a.Who}", ct, clientId: a.ClientId);
        }
        await write.CommitAsync(ct);
        return fresh;
    }
}
