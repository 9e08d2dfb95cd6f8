using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Steward.Access;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>A client's team member signs in with the API's use case (<see cref="ClientSignIn"/>): the same lockout, second factor,
/// audit and per-IP limit. As on the API, the second factor is asked only of a person who turned it on; a recovery code
/// stands in for a lost authenticator.</summary>
[EnableRateLimiting(AccessEndpoints.SignInLimit)]
public sealed class SignInModel(ClientSignIn signIn) : ConsolePage
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Code { get; set; }
    [BindProperty] public string? RecoveryCode { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        var result = await signIn.HandleAsync(new ClientSignIn.Request(Email, Password, Code, RecoveryCode), ct);
        if (result.Error is { } error)
        {
            ToModelState(error);
            return Page();
        }
        Response.Cookies.Append(PortalAuthentication.Cookie, result.Value!.Token, ConsoleAuthentication.CookieOptions());
        return LocalRedirect(Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/console/portal", StringComparison.Ordinal) ? returnUrl : "/console/portal");
    }
}
