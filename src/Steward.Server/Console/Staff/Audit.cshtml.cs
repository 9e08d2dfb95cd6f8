using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Audit;

namespace Steward.Server.Console.Staff;

/// <summary>
/// The audit trail (<see cref="ReadAuditTrail"/>, as GET /v1/processor/audit-events), filtered and paged, and the chain
/// check (<see cref="VerifyAuditChain"/>, as POST /v1/processor/audit-chain/verification and <c>steward audit verify</c>).
/// </summary>
public sealed class AuditModel(ReadAuditTrail read, VerifyAuditChain verify) : ConsolePage
{
    public string? Actor { get; private set; }
    public string? ActionFilter { get; private set; }
    public string? Client { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public ReadAuditTrail.Page? Trail { get; private set; }
    public VerifyAuditChain.Report? Verification { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? actor, string? action, string? client, string? from, string? to, long? before, CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        await LoadAsync(actor, action, client, from, to, before, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostVerifyAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        Verification = await verify.HandleAsync(ct);
        await LoadAsync(null, null, null, null, null, null, ct);
        return Page();
    }

    /// <summary>The link to the next (older) page: the same filters, from where this page ends.</summary>
    public string OlderPage(long before) => "/console/audit" + QueryString.Create(new Dictionary<string, string?>
    {
        ["actor"] = Actor,
        ["action"] = ActionFilter,
        ["client"] = Client,
        ["from"] = From,
        ["to"] = To,
        ["before"] = before.ToString(CultureInfo.InvariantCulture),
    }.Where(p => !string.IsNullOrEmpty(p.Value)));

    private async Task LoadAsync(string? actor, string? action, string? client, string? from, string? to, long? before, CancellationToken ct)
    {
        (Actor, ActionFilter, Client, From, To) = (Blank(actor), Blank(action), Blank(client), Blank(from), Blank(to));
        Guid? clientId = null;
        if (Client is not null)
        {
            if (Guid.TryParse(Client, out var id)) clientId = id;
            else ModelState.AddModelError("client", "A client id looks like 0193c0de-…: copy it from the clients page.");
        }
        var start = Day("from", From);
        // the period's last day is included: it ends at the next midnight (UTC)
        var end = Day("to", To)?.AddDays(1);
        if (!ModelState.IsValid) return;
        var result = await read.HandleAsync(new(Actor, ActionFilter, clientId, start, end, before, 50), ct);
        if (result.Error is { } error) ToModelState(error);
        else Trail = result.Value;
    }

    private DateTimeOffset? Day(string field, string? value)
    {
        if (value is null) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        ModelState.AddModelError(field, "A date as 2026-11-02.");
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
