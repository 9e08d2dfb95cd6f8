using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;
using Steward.Dpo;
using Steward.Instructions;

namespace Steward.Breaches;

/// <summary>
/// Reminders and escalation as clocks run down (G-11, P-39): at half the window the DPO is reminded; at three
/// quarters the DPO and the CEO are told; once past the deadline, both again. Each stage is sent once per clock.
/// </summary>
public sealed class RemindBreachClocks(StewardDb db, ControllerMail mail, Terms terms, IOptions<ProcessorOptions> processor, TimeProvider clock)
{
    public static int Stage(DateTimeOffset start, DateTimeOffset due, DateTimeOffset now)
    {
        if (now > due) return 3;
        var window = (due - start).TotalSeconds;
        var elapsed = (now - start).TotalSeconds;
        return window <= 0 ? 3 : elapsed >= 0.75 * window ? 2 : elapsed >= 0.5 * window ? 1 : 0;
    }

    public async Task<int> HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sent = 0;
        await using var write = await db.BeginWriteAsync(ct);
        var open = await db.Set<Breach>().Where(b => b.AwareAt != null && b.Status != Breach.NotABreach).ToListAsync(ct);
        var ids = open.Select(b => b.Id).ToList();
        var waiting = await db.Set<AffectedClient>().IgnoreQueryFilters().Where(a => ids.Contains(a.BreachId) && a.NotifiedAt == null && a.DueAt != null).ToListAsync(ct);
        foreach (var a in waiting)
        {
            var breach = open.Single(b => b.Id == a.BreachId);
            var stage = Stage(breach.AwareAt!.Value, a.DueAt!.Value, now);
            if (stage <= a.ReminderStage) continue;
            a.ReminderStage = stage;
            await AlertAsync(breach, $"the notice to client {a.ClientId}", a.DueAt.Value, stage, a.ClientId, now, ct);
            sent++;
        }
        foreach (var breach in open.Where(b => b.ProcessorIsController && b.AuthorityNotifiedAt is null && b.Risk != "none"))
        {
            var due = breach.AuthorityDueAt(terms.Breach.AuthorityHours)!.Value;
            var start = breach.AwareAt < breach.DetectedAt ? breach.AwareAt!.Value : breach.DetectedAt;
            var stage = Stage(start, due, now);
            if (stage <= breach.AuthorityReminderStage) continue;
            breach.AuthorityReminderStage = stage;
            await AlertAsync(breach, "the notice to the supervisory authority", due, stage, null, now, ct);
            sent++;
        }
        await write.CommitAsync(ct);
        return sent;
    }

    private Task AlertAsync(Breach breach, string what, DateTimeOffset due, int stage, Guid? clientId, DateTimeOffset now, CancellationToken ct)
    {
        var (kind, headline, to) = stage switch
        {
            1 => ("breach-reminder", "Reminder", processor.Value.Dpo),
            2 => ("breach-escalation", "Escalation", processor.Value.DpoAndCeo),
            _ => ("breach-overdue", "OVERDUE", processor.Value.DpoAndCeo),
        };
        var left = due - now;
        return mail.SendStaffAsync(db, to, kind, clientId, $"[Steward] {headline}: breach {breach.Id}, {what}",
            $"""
            {headline}: {what} for breach {breach.Id} is {(stage == 3 ? "past its deadline" : "due soon")}.

            Deadline:   {due.ToString("u", CultureInfo.InvariantCulture)}
            Time left:  {(left > TimeSpan.Zero ? left.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " hours" : "none")}
            Status:     {breach.Status}

            A late notice needs the reason for the delay. No personal data is in this message.
            """, ct);
    }
}
