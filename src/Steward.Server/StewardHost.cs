using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Scalar.AspNetCore;
using Steward.Audit;
using Steward.Http;
using Steward.Measures;
using Steward.OpenDsr;
using Steward.Server.Console;
using Steward.Server.Jobs;

namespace Steward.Server;

/// <summary>
/// The server's composition, in one place for both entry points: Steward.Server's Program and `steward serve`.
/// </summary>
public static class StewardHost
{
    /// <summary>The configured app, middleware and routes in place; <paramref name="settings"/> override the rest.</summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // appsettings.json is read once: reloading it on change watches the content root, where a deployment's SQLite
        // files commonly live, and the watcher then wakes on every commit (a few % of a widget submission's CPU)
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        var maxBody = builder.Configuration.GetValue("Steward:MaxRequestBodyBytes", 1_048_576L);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = maxBody; // also bounds chunked bodies, whose size is known only as they arrive
        });
        // scheduled work; tests switch it off and run each job's use case by hand with a fake clock
        builder.Services.AddSteward(builder.Configuration).AddStewardHttp().AddConsole()
            .AddStewardJobs(onTimers: builder.Configuration.GetValue("Steward:Jobs:Enabled", true));
        builder.Services.AddStewardTelemetry(builder.Configuration);
        // the client's IP is the connection's, unless the connection comes from a proxy the operator named
        var proxies = (builder.Configuration.GetSection("Steward:KnownProxies").Get<string[]>() ?? []).Select(p =>
            IPAddress.TryParse(p, out var address) ? address : throw new InvalidOperationException($"Steward:KnownProxies: '{p}' is not an IP address.")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            proxies.ForEach(o.KnownProxies.Add);
        });
        // G-46: a deployment that terminates TLS itself sets Steward:RequireHttps: plain HTTP is redirected, HTTPS answers carry HSTS
        var requireHttps = builder.Configuration.GetValue("Steward:RequireHttps", false);
        builder.Services.AddHttpsRedirection(o =>
        {
            o.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            o.HttpsPort = builder.Configuration.GetValue("Steward:HttpsPort", 443);
        });

        var app = builder.Build();
        app.Services.GetRequiredService<Steward.Health.StewardMetrics>(); // its gauges exist from the start, not from the first job run
        // with no known proxy the middleware would trust every sender of X-Forwarded-For: then it does not run at all
        if (proxies.Count > 0) app.UseForwardedHeaders();
        // the liveness and readiness probes answer on plain HTTP too: they carry no data and orchestrators probe the pod directly
        if (requireHttps)
            app.UseWhen(http => !http.Request.Path.StartsWithSegments("/healthz") && !http.Request.Path.StartsWithSegments("/readyz"), b => b.UseHttpsRedirection());
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestAudit();
        app.UseAdminNetworks(app.Configuration); // G-34, after the audit so a refusal is logged too
        app.Use(async (http, next) =>
        {
            // responses hold personal data: never cached by a proxy or the browser (ASVS V8.1.1)
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            if (requireHttps && http.Request.IsHttps) http.Response.Headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            // OpenDSR's routes read at most 64 KiB themselves and refuse more in OpenDSR's own signed error body
            if (http.Request.ContentLength > maxBody && !OpenDsrEndpoints.ReadsItsOwnBody(http.Request.Path))
            {
                http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = { Status = 413, Type = ErrorHttpMapping.TypeBase + "too-large", Detail = $"The request body is larger than {maxBody} bytes." },
                });
                return;
            }
            await next(http);
        });
        app.UseStaticFiles(ConsoleSetup.StaticFiles());
        app.UseConsoleOverHttpsOnly();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/reference", o => o.WithTitle("Steward API"));
        app.MapGet("/", () => Results.Redirect("/reference")).ExcludeFromDescription();
        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapSteward();
        app.MapRazorPages();
        return app;
    }

    /// <summary>Migrations, templates and ledger replay before it listens; then the setup link while no CEO or DPO exists.</summary>
    public static async Task RunAsync(WebApplication app, CancellationToken ct = default)
    {
        await app.Services.InitializeStewardAsync(ct);
        // a fresh deployment: the one-time link that creates the first CEO and DPO goes to the console (README)
        await using (var setup = app.Services.CreateAsyncScope())
            await setup.ServiceProvider.GetRequiredService<Steward.Access.SetUpFirstStaff>().OfferAsync(ct);
        await app.RunAsync(ct);
    }
}
