using Microsoft.AspNetCore.Mvc;
using Steward.Access;

namespace Steward.Server.Console.Staff;

/// <summary>Staff sign in with the same credentials, second factor, lockout and audit as the API (<see cref="SignIn"/>).</summary>
public sealed class SignInModel(SignIn signIn) : ConsolePage
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Code { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        var result = await signIn.HandleAsync(new SignIn.Request(Email, Password, Code, null), ct);
        if (result.Error is { } error)
        {
            ToModelState(error);
            return Page();
        }
        Response.Cookies.Append(ConsoleAuthentication.Cookie, result.Value!.Token, ConsoleAuthentication.CookieOptions());
        return LocalRedirect(Url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/console", StringComparison.Ordinal) ? returnUrl : "/console");
    }
}
