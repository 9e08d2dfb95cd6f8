using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Audit;
using Steward.Data;

namespace Steward.Server.Console;

/// <summary>
/// The console's staff session: the same session token as the API's bearer token, in a secure, HttpOnly,
/// SameSite=Strict cookie, looked up on every request like the API's (so offboarding ends it on the next page, P-18).
/// Unauthenticated pages go to the sign-in form.
/// </summary>
public sealed class ConsoleAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    StewardDb db, AuditContext audit, TimeProvider clock, IOptions<AccessOptions> access)
    : StaffAuthentication(options, logger, encoder, db, audit, clock, access)
{
    public new const string SchemeName = "StaffConsole";
    public const string Cookie = "__Host-steward-staff";

    protected override string? ReadToken() => Request.Cookies[Cookie];

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => ToSignInAsync(Context, Cookie, "/console/sign-in");

    /// <summary>Drops a session cookie that no longer works and sends the browser to a sign-in form, back here after.</summary>
    public static Task ToSignInAsync(HttpContext http, string cookie, string signIn)
    {
        http.Response.Cookies.Delete(cookie, CookieOptions());
        http.Response.Redirect(signIn + "?returnUrl=" + Uri.EscapeDataString(http.Request.PathBase + http.Request.Path + http.Request.QueryString));
        return Task.CompletedTask;
    }

    /// <summary>A browser-session cookie: the server ends the session itself (idle, lifetime, sign-out, offboarding).</summary>
    public static CookieOptions CookieOptions() =>
        new() { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true };
}
