using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Scalar.AspNetCore;
using Steward;
using Steward.Audit;
using Steward.Http;
using Steward.Server.Console;

var builder = WebApplication.CreateBuilder(args);
var maxBody = builder.Configuration.GetValue("Steward:MaxRequestBodyBytes", 1_048_576L);
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Limits.MaxRequestBodySize = maxBody; // also bounds chunked bodies, whose size is known only as they arrive
});
builder.Services.AddSteward(builder.Configuration).AddStewardHttp().AddConsole();
// scheduled work; tests switch it off and run each job's use case by hand with a fake clock
if (builder.Configuration.GetValue("Steward:Jobs:Enabled", true))
{
    builder.Services.AddHostedService<Steward.Server.Jobs.NotificationJob>();
    builder.Services.AddHostedService<Steward.Server.Jobs.MaintenanceJob>();
    builder.Services.AddHostedService<Steward.Server.Jobs.SubProcessorJob>();
    builder.Services.AddHostedService<Steward.Server.Jobs.ComplianceJob>();
    builder.Services.AddHostedService<Steward.Server.Jobs.OpenDsrJob>();
}
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

var app = builder.Build();
await app.Services.InitializeStewardAsync();
// a fresh deployment: the one-time link that creates the first CEO and DPO goes to the console (README)
await using (var setup = app.Services.CreateAsyncScope())
    await setup.ServiceProvider.GetRequiredService<Steward.Access.SetUpFirstStaff>().OfferAsync(CancellationToken.None);

// with no known proxy the middleware would trust every sender of X-Forwarded-For: then it does not run at all
if (proxies.Count > 0) app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestAudit();
app.Use(async (http, next) =>
{
    // responses hold personal data: never cached by a proxy or the browser (ASVS V8.1.1)
    http.Response.Headers.CacheControl = "no-store";
    http.Response.Headers.XContentTypeOptions = "nosniff";
    if (http.Request.ContentLength > maxBody)
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
app.UseStaticFiles();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();

app.MapOpenApi("/openapi/{documentName}.json");
app.MapScalarApiReference("/reference", o => o.WithTitle("Steward API"));
app.MapGet("/", () => Results.Redirect("/reference")).ExcludeFromDescription();
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
app.MapSteward();
app.MapRazorPages();

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
