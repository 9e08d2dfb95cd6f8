using System.Net;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Http;

public sealed class TransportTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G46_plain_http_is_redirected_to_https_and_https_answers_carry_hsts(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine, s => s["Steward:RequireHttps"] = "true");
        var http = app.Anonymous();
        var plain = await http.GetAsync("http://localhost/v1/agreements?x=1");
        Assert.Equal(HttpStatusCode.PermanentRedirect, plain.StatusCode);
        Assert.Equal("https://localhost/v1/agreements?x=1", plain.Headers.Location!.ToString());
        var secure = await http.GetAsync("https://localhost/v1/agreements");
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.StartsWith("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("http://localhost/healthz")).StatusCode); // orchestrators probe the pod directly
    }
}
