using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Steward.Tests.Consents;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Http;

public sealed class IsolationTests
{
    /// <summary>
    /// API1 (BOLA): every route under /v1/clients/{clientId}, found from the app's own endpoints so that a new route
    /// is covered the day it is added, is called with client A's key and client B's ids. Each answers 404 with none
    /// of B's data; without a key, 401.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task P02_a_client_reaches_no_other_clients_data_on_any_route(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var a = await app.SignUpAsync();
        var b = await app.SignUpAsync();
        var contact = (await b.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var widget = await ConsentTests.DefineNewsletterAsync(b);
        var subjectRequest = (await Requests.RequestTests.CreateRequestAsync(b, new { type = "access", emails = new[] { "jane.doe@example.com" } })).GetProperty("id").GetGuid();
        var ids = new Dictionary<string, string>
        {
            ["clientId"] = b.ClientId.ToString(),
            ["contactId"] = contact.ToString(),
            ["widgetId"] = widget.ToString(),
            ["requestId"] = subjectRequest.ToString(),
            ["changeId"] = Guid.NewGuid().ToString(),
            // refused by the tenant gate before any lookup: any id will do
            ["breachId"] = Guid.NewGuid().ToString(),
            ["inspectionId"] = Guid.NewGuid().ToString(),
            ["document"] = "dpa",
            ["version"] = "2026-11-01",
        };

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1/clients/{clientId}", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, e.RoutePattern)))
            .ToList();
        Assert.True(routes.Count >= 10, $"only {routes.Count} client routes found");

        var tried = 0;
        foreach (var (method, pattern) in routes)
        {
            var path = new StringBuilder();
            foreach (var segment in pattern.PathSegments)
            {
                path.Append('/');
                foreach (var part in segment.Parts)
                    path.Append(part switch
                    {
                        Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                        Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p => ids.TryGetValue(p.Name, out var v) ? v
                            : throw new InvalidOperationException($"The isolation test does not know how to fill {{{p.Name}}} in {pattern.RawText}: describe it here."),
                        _ => "",
                    });
            }
            foreach (var (who, http, status) in new[] { ("A", a.Http, 404), ("nobody", app.Anonymous(), 401) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path.ToString());
                if (method is "POST" or "PUT" or "PATCH")
                    request.Content = new StringContent("""{"email":"x@example.com","name":"x","fields":["email"]}""", Encoding.UTF8, "application/json");
                var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode == status, $"{who}: {method} {pattern.RawText} answered {(int)response.StatusCode}: {body}");
                Assert.DoesNotContain(contact.ToString(), body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("jane.doe", body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("Jane", body, StringComparison.Ordinal);
                tried++;
            }
        }
        TestContext.Current.SendDiagnosticMessage($"isolation: {routes.Count} routes, {tried} cross-tenant calls, all refused");

        // B's data is untouched
        var still = await b.Http.GetAsync($"{b.Base}/contacts/{contact}");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        Assert.Equal("Jane", (await still.JsonAsync()).GetProperty("firstName").GetString());
    }
}
