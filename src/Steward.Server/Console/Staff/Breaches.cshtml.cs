using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Breaches;

namespace Steward.Server.Console.Staff;

/// <summary>
/// The breach register with each clock counting down (<see cref="BreachRegister"/>), and a new breach recorded with the
/// API's use case (<see cref="RecordBreach"/>): its checks, its audit event, its clocks started from awareness.
/// </summary>
public sealed class BreachesModel(BreachRegister register, RecordBreach record, TimeProvider clock) : ConsolePage
{
    public List<BreachRegister.View> Breaches { get; private set; } = [];
    public DateTimeOffset Now => clock.GetUtcNow();

    // the form: times in UTC as the browser's datetime-local gives them, affected clients as ids, one a line
    [BindProperty] public string? DetectedAt { get; set; }
    [BindProperty] public string? AwareAt { get; set; }
    [BindProperty] public string? AwareReason { get; set; }
    [BindProperty] public string? OccurredAt { get; set; }
    [BindProperty] public string? Nature { get; set; }
    [BindProperty] public string? Kind { get; set; }
    [BindProperty] public bool ProcessorIsController { get; set; }
    [BindProperty] public string? ClientIds { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        Breaches = await register.ListAsync(false, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        ModelState.Clear(); // the fields are read below, with the use case's own messages
        var detected = Time(nameof(DetectedAt), DetectedAt);
        var aware = Time(nameof(AwareAt), AwareAt);
        var occurred = Time(nameof(OccurredAt), OccurredAt);
        var clients = new List<Guid>();
        foreach (var line in (ClientIds ?? "").Split(['\n', '\r', ',', ' '], StringSplitOptions.RemoveEmptyEntries))
            if (Guid.TryParse(line, out var id)) clients.Add(id);
            else ModelState.AddModelError(nameof(ClientIds), $"\"{line}\" is not a client id.");
        if (ModelState.IsValid)
        {
            var result = await record.HandleAsync(new RecordBreach.Request(detected, aware, AwareReason, occurred, Nature,
                string.IsNullOrEmpty(Kind) ? null : Kind, ProcessorIsController, clients.Count == 0 ? null : clients, null), ct);
            if (result.Error is null) return RedirectToPage("Breach", new { breachId = result.Value });
            ToModelState(result.Error);
        }
        Breaches = await register.ListAsync(false, ct);
        return Page();
    }

    private DateTimeOffset? Time(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
            return new DateTimeOffset(at, TimeSpan.Zero);
        ModelState.AddModelError(field, "A date and time (UTC), e.g. 2026-11-02 14:30.");
        return null;
    }

    /// <summary>A clock as the DPO reads it: hours and minutes left, or how long overdue.</summary>
    public static string Left(DateTimeOffset? due, DateTimeOffset? done, DateTimeOffset now) => (due, done) switch
    {
        (_, { } at) => "notified " + at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC",
        (null, _) => "starts at awareness",
        ({ } d, _) when d >= now => $"{Hours(d - now)} left (due {d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)",
        ({ } d, _) => $"overdue by {Hours(now - d)} (was due {d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)",
    };

    private static string Hours(TimeSpan span) => $"{(int)span.TotalHours} h {span.Minutes:00} min";
}
