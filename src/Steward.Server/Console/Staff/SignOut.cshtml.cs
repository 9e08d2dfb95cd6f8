using Microsoft.AspNetCore.Mvc;
using Steward.Access;

namespace Steward.Server.Console.Staff;

/// <summary>Signing out ends the session itself, not only the cookie.</summary>
public sealed class SignOutModel(ManageSessions sessions) : ConsolePage
{
    public IActionResult OnGet() => Redirect("/console");

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Staff is { } staff) await sessions.EndAsync(staff, staff.SessionId, ct);
        Response.Cookies.Delete(ConsoleAuthentication.Cookie, ConsoleAuthentication.CookieOptions());
        return Redirect("/console/sign-in");
    }
}
