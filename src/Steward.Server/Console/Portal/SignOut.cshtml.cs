using Microsoft.AspNetCore.Mvc;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>Signing out ends the session itself (<see cref="ClientTwoFactor.SignOutAsync"/>), not only the cookie.</summary>
public sealed class SignOutModel(ClientTwoFactor account) : PortalPage
{
    public IActionResult OnGet() => Redirect("/console/portal");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await account.SignOutAsync(Caller, ct);
        Response.Cookies.Delete(PortalAuthentication.Cookie, ConsoleAuthentication.CookieOptions());
        return Redirect("/console/portal/sign-in");
    }
}
