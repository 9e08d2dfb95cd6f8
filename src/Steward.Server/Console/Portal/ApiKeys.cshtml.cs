using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The client's API keys, for owners and admins (<see cref="ClientRoles.ManageTeam"/>, as the API's …/api-keys routes):
/// listed without their secret, made with scopes and an optional expiry (<see cref="ManageApiKeys.CreateAsync"/>, the
/// secret shown on this answer only). Revoking asks again, on its own page (<see cref="RevokeApiKeyModel"/>).
/// </summary>
public sealed class ApiKeysModel(ManageApiKeys keys) : PortalPage
{
    public List<ManageApiKeys.KeyView> Keys { get; private set; } = [];
    public ManageApiKeys.Created? Created { get; private set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public List<string> Scopes { get; set; } = [];
    [BindProperty] public string? ExpiresOn { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(ClientRoles.ManageTeam)) return RefuseRight();
        Keys = await keys.ListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!May(ClientRoles.ManageTeam)) return RefuseRight();
        DateTimeOffset? expires = null;
        if (!string.IsNullOrWhiteSpace(ExpiresOn))
        {
            if (DateOnly.TryParseExact(ExpiresOn.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                expires = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            else ModelState.AddModelError("expiresAt", "A date as YYYY-MM-DD.");
        }
        if (ModelState.IsValid)
        {
            var result = await keys.CreateAsync(Caller, Caller.ClientId, new ManageApiKeys.Request(Name, Scopes, expires), ct);
            if (result.Error is { } error) ToModelState(error);
            else (Created, Name, Scopes, ExpiresOn) = (result.Value, null, [], null);
        }
        // the secret is in this answer only: no browser or proxy keeps it
        if (Created is not null) Response.Headers.CacheControl = "no-store";
        Keys = await keys.ListAsync(ct);
        return Page();
    }
}
