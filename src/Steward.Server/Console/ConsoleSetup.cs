using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.Filters;
using Steward.Access;

namespace Steward.Server.Console;

/// <summary>
/// The web console: Razor Pages under Console/, served at /console. Staff pages need the console's session cookie
/// (<see cref="ConsoleAuthentication"/>); every form carries an antiforgery token, checked on every POST.
/// </summary>
public static class ConsoleSetup
{
    public const string StaffPolicy = "console-staff";

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Console";
            o.Conventions.AuthorizeFolder("/Staff", StaffPolicy);
            o.Conventions.AllowAnonymousToPage("/Staff/SignIn");
            o.Conventions.ConfigureFilter(new ConsoleHeaders());
        }).AddApplicationPart(typeof(ConsoleSetup).Assembly); // found when `steward serve` hosts it too
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ConsoleAuthentication>(ConsoleAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(StaffPolicy, p => p.AddAuthenticationSchemes(ConsoleAuthentication.SchemeName)
            .RequireAuthenticatedUser().AddRequirements(new StaffPermission(Permissions.SignedIn)));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__Host-steward-af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
        return services;
    }

    /// <summary>A strict Content-Security-Policy: only this origin's stylesheet and forms, no inline script, no framing.</summary>
    private sealed class ConsoleHeaders : IResultFilter
    {
        public void OnResultExecuting(ResultExecutingContext context)
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
        }

        public void OnResultExecuted(ResultExecutedContext context) { }
    }
}
