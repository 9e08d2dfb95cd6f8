using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.Filters;
using Steward.Access;

namespace Steward.Server.Console;

/// <summary>
/// The web console: Razor Pages under Console/, served at /console. Staff pages need the console's session cookie
/// (<see cref="ConsoleAuthentication"/>); the client portal's pages under Portal/ a team member's, in a cookie of its own
/// (<see cref="Portal.PortalAuthentication"/>). Every form carries an antiforgery token, checked on every POST.
/// </summary>
public static class ConsoleSetup
{
    public const string StaffPolicy = "console-staff";
    public const string PortalPolicy = "console-client";

    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Console";
            o.Conventions.AuthorizeFolder("/Staff", StaffPolicy);
            o.Conventions.AllowAnonymousToPage("/Staff/SignIn");
            o.Conventions.AuthorizeFolder("/Portal", PortalPolicy);
            o.Conventions.AllowAnonymousToPage("/Portal/SignIn");
            o.Conventions.ConfigureFilter(new ConsoleHeaders());
        }).AddApplicationPart(typeof(ConsoleSetup).Assembly); // found when `steward serve` hosts it too
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ConsoleAuthentication>(ConsoleAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(StaffPolicy, p => p.AddAuthenticationSchemes(ConsoleAuthentication.SchemeName)
            .RequireAuthenticatedUser().AddRequirements(new StaffPermission(Permissions.SignedIn)));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, Portal.PortalAuthentication>(Portal.PortalAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(PortalPolicy, p => p.AddAuthenticationSchemes(Portal.PortalAuthentication.SchemeName)
            .RequireClaim(Steward.Team.ClientCaller.SessionClaim));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "__Host-steward-af";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
        return services;
    }

    /// <summary>
    /// The console's stylesheet, and the widget's script and optional stylesheet. The widget's files are embedded on clients'
    /// sites: cacheable (they hold no data, and change only with a release, so a page may pin them with Subresource
    /// Integrity, which needs CORS: <c>crossorigin="anonymous"</c> on the tag and Access-Control-Allow-Origin here).
    /// </summary>
    public static StaticFileOptions StaticFiles() => new()
    {
        OnPrepareResponse = file =>
        {
            if (file.Context.Request.Path.Value is not ("/widget.js" or "/widget.css")) return;
            var headers = file.Context.Response.Headers;
            headers.CacheControl = "public, max-age=3600";
            headers.AccessControlAllowOrigin = "*";
            headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        },
    };

    /// <summary>
    /// The console's cookies are Secure and its antiforgery refuses plain HTTP, so a console page asked for over plain
    /// HTTP gets a clear page saying how to reach it over HTTPS instead of failing inside the antiforgery (a 500).
    /// </summary>
    public static IApplicationBuilder UseConsoleOverHttpsOnly(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.IsHttps || !http.Request.Path.StartsWithSegments("/console"))
        {
            await next(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>The console needs HTTPS</title></head>
            <body><h1>The console needs HTTPS</h1>
            <p>Its session and form cookies are Secure, so browsers send them only over HTTPS. Open this page through
            the HTTPS address of this deployment: TLS at a reverse proxy, or Kestrel's own certificate
            (for a local try: <code>dotnet dev-certs https</code>, then <code>--urls "https://127.0.0.1:5443"</code>).</p>
            </body></html>
            """);
    });

    /// <summary>A strict Content-Security-Policy: only this origin's stylesheet and forms, no inline script, no framing.</summary>
    private sealed class ConsoleHeaders : IResultFilter
    {
        public void OnResultExecuting(ResultExecutingContext context)
        {
            var headers = context.HttpContext.Response.Headers;
            // a page that set a policy of its own (never looser than this one's intent) keeps it: the record's print page
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy)) headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
        }

        public void OnResultExecuted(ResultExecutedContext context) { }
    }
}
