using System.Text;
using Steward.Access;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// OWASP API1 (BOLA), ASVS V4.2.1 / V8.2.2 / V8.4.1: every route the app maps, found from its endpoints, is called
/// by those who must not reach client B's objects: client A's key with B's ids (in B's path, and in A's own path),
/// staff whose role or grant lacks the right, other staff on a staff member's own objects, and nobody. Each call
/// answers 401/403/404 and shows none of B's personal values, secrets or ids in its body or headers.
/// </summary>
public sealed class TenantIsolationTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task P02_API1_no_route_lets_a_caller_reach_another_clients_objects(Engine engine)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var app = await World.StartAppAsync(engine);
        var world = await World.BuildAsync(app);
        TestContext.Current.SendDiagnosticMessage($"isolation ({engine}): world built in {watch.Elapsed.TotalSeconds:0.0} s");
        var routes = Routes.All(app.Services);
        var undescribed = Undescribed(routes);
        Assert.True(undescribed.Count == 0, string.Join("\n\n", undescribed));

        var failures = new List<string>();
        var calls = 0;
        async Task ExpectRefused(string who, HttpClient http, Route route, string path, string? body, int[] allowed, bool withReason = false)
        {
            var (status, text) = await Call.SendAsync(http, route, path, body, withReason, Call.ContentType(route));
            calls++;
            if (!allowed.Contains(status)) failures.Add($"{who}: {route.Method} {path} answered {status}, expected {string.Join("/", allowed)}: {Call.Cut(text)}");
            if (Call.Leak(text, world.B, path + body) is { } leak) failures.Add($"{who}: {route.Method} {path} shows B's {leak}");
        }

        // in A's own path, B's object must look exactly like one that does not exist: refused, same status
        async Task ExpectUnknown(string who, HttpClient http, Route route, Func<Party, Party?, string> pathOf, string? body)
        {
            var path = pathOf(world.A, world.B);
            var (status, text) = await Call.SendAsync(http, route, path, body, false, Call.ContentType(route));
            var (unknown, _) = await Call.SendAsync(http, route, pathOf(world.A, null), body, false, Call.ContentType(route));
            calls += 2;
            if (status != unknown || status is < 400 or >= 500)
                failures.Add($"{who}: {route.Method} {path} answered {status} for B's object and {unknown} for one that does not exist: {Call.Cut(text)}");
            if (Call.Leak(text, world.B, path + body) is { } leak) failures.Add($"{who}: {route.Method} {path} shows B's {leak}");
        }

        foreach (var route in routes)
        {
            // objects null: ids of objects that do not exist
            string PathOf(Party party, Party? objects) => route.Path(name => name == "clientId" ? party.ClientId.ToString()
                : objects is null && Described.Parameters[name].Owner == Owner.Client ? Guid.NewGuid().ToString() : Described.Parameters[name].Fill(world, objects ?? party));
            var bodyForB = Call.Body(route, world, world.B);
            switch (route.Guard)
            {
                case Guard.Client:
                    // A's key on B's path; B's object ids in A's own path; staff without the right or the grant; nobody
                    await ExpectRefused("client A", world.A.Tenant.Http, route, PathOf(world.B, world.B), bodyForB, [404]);
                    if (route.PathParameters.Any(p => p != "clientId" && Described.Parameters[p].Owner == Owner.Client))
                        await ExpectUnknown("client A, own path", world.A.Tenant.Http, route, PathOf, bodyForB);
                    await ExpectRefused("development staff", world.Developer.Http, route, PathOf(world.B, world.B), bodyForB, [403], withReason: true);
                    await ExpectRefused("staff granted A only", world.GrantedForA.Http, route, PathOf(world.B, world.B), bodyForB, [403], withReason: true);
                    await ExpectRefused("nobody", app.Anonymous(), route, PathOf(world.B, world.B), bodyForB, [401]);
                    break;
                case Guard.Staff:
                    var path = PathOf(world.B, world.B);
                    await ExpectRefused("client A's key", world.A.Tenant.Http, route, path, bodyForB, [401]);
                    await ExpectRefused("nobody", app.Anonymous(), route, path, bodyForB, [401]);
                    var matrix = app.Services.GetService(typeof(RoleMatrix)) as RoleMatrix;
                    foreach (var staff in new[] { world.Developer, world.Support, world.GrantedForA }.Where(s => !matrix!.Has(s.Role, false, route.Policy!)))
                        await ExpectRefused(staff.Role, staff.Http, route, path, bodyForB, [403]);
                    if (route.PathParameters.Any(p => Described.Parameters[p].Owner == Owner.Staff))
                        await ExpectRefused("another staff member", world.Developer.Http, route, path, bodyForB, [404]);
                    break;
                case Guard.ClientUser:
                    // the signed-in person's own account (/client-users/me): no id in the path, so nothing of B's to name
                    await ExpectRefused("client A's key", world.A.Tenant.Http, route, PathOf(world.B, world.B), bodyForB, [401]);
                    await ExpectRefused("staff", world.Dpo.Http, route, PathOf(world.B, world.B), bodyForB, [401]);
                    await ExpectRefused("nobody", app.Anonymous(), route, PathOf(world.B, world.B), bodyForB, [401]);
                    break;
                case Guard.OpenDsr:
                    await ExpectRefused("nobody", app.Anonymous(), route, PathOf(world.B, world.B), bodyForB, [401]);
                    await ExpectRefused("staff", world.Dpo.Http, route, PathOf(world.B, world.B), bodyForB, [401]);
                    if (route.PathParameters.Any(p => Described.Parameters[p].Owner == Owner.Client))
                        await ExpectUnknown("client A", world.A.Tenant.Http, route, PathOf, bodyForB);
                    break;
                case Guard.Open:
                    var open = Described.OpenRoutes[route.Key];
                    var anyone = PathOf(world.B, world.B);
                    var (status, text) = await Call.SendAsync(app.Anonymous(), route, anyone, bodyForB, false, Call.ContentType(route));
                    calls++;
                    if (status >= 500 || (open.Forged && status is < 400)) failures.Add($"nobody: {route.Method} {anyone} with a forged secret answered {status}: {Call.Cut(text)}");
                    if (Call.Leak(text, world.B, anyone + bodyForB) is { } leak) failures.Add($"nobody: {route.Method} {anyone} shows B's {leak}");
                    break;
            }
        }
        TestContext.Current.SendDiagnosticMessage($"isolation ({engine}): {routes.Count} routes ({string.Join(", ", routes.GroupBy(r => r.Guard).Select(g => $"{g.Count()} {g.Key}"))}), "
            + $"{calls} calls as client A, staff without the right or grant, other staff and nobody; {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // B's data are all still there
        var contact = await world.B.Tenant.Http.GetStringAsync($"{world.B.Tenant.Base}/contacts/{world.B.ContactId}");
        Assert.Contains(world.B.Secrets[1], contact, StringComparison.Ordinal);
    }

    /// <summary>Every route the suite cannot yet exercise, each with the line that describes it.</summary>
    public static List<string> Undescribed(List<Route> routes)
    {
        var missing = new List<string>();
        foreach (var route in routes)
        {
            missing.AddRange(route.PathParameters.Where(p => !Described.Parameters.ContainsKey(p)).Select(p => Described.MissingParameter(p, route.Key)));
            if (route.Guard == Guard.Open && !Described.OpenRoutes.ContainsKey(route.Key)) missing.Add(Described.MissingOpen(route.Key));
        }
        // a stale line would hide a renamed route: every described route and parameter still exists
        missing.AddRange(Described.OpenRoutes.Keys.Concat(Described.Bodies.Keys).Where(k => routes.All(r => r.Key != k))
            .Select(k => $"{k} is described in Verification/Described.cs but the app maps no such route: remove or correct the line."));
        missing.AddRange(Described.Parameters.Keys.Where(k => routes.All(r => !r.PathParameters.Contains(k)))
            .Select(k => $"The parameter {{{k}}} is described in Verification/Described.cs but no route has it: remove the line."));
        return missing.Distinct().ToList();
    }
}

/// <summary>Sending one call of the suite and reading what came back.</summary>
public static class Call
{
    public static async Task<(int Status, string Text)> SendAsync(HttpClient http, Route route, string path, string? body, bool withReason,
        string contentType = "application/json", byte[]? bytes = null, IEnumerable<(string Name, string Value)>? headers = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
        if (withReason) request.WithReason();
        if (bytes is not null) request.Content = new ByteArrayContent(bytes);
        else if (body is not null) request.Content = new StringContent(body, Encoding.UTF8);
        if (request.Content is not null) request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var all = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        return ((int)response.StatusCode, all + "\n\n" + text);
    }

    /// <summary>A body for the route that would make sense for <paramref name="party"/>, or null when it takes none.</summary>
    public static string? Body(Route route, World world, Party party) =>
        Described.Bodies.TryGetValue(route.Key, out var sample) ? sample.Make(world, party)
        : route.BodyType is { } type ? Routes.Sample(type, world, party)?.ToJsonString() : null;

    /// <summary>The first of B's personal values, secrets or ids the response shows that the caller did not send.</summary>
    public static string? Leak(string response, Party b, string sent)
    {
        foreach (var secret in b.Secrets) // what the caller sent may come back (a validation message); nothing else may
            if (!sent.Contains(secret, StringComparison.OrdinalIgnoreCase) && response.Contains(secret, StringComparison.OrdinalIgnoreCase)) return "personal value or secret";
        foreach (var id in new[] { b.ClientId, b.ContactId, b.WidgetId, b.RequestId, b.PublicRequestId, b.InspectionId, b.BreachId }.Select(i => i.ToString()).Append(b.OpenDsrId))
            if (!sent.Contains(id, StringComparison.OrdinalIgnoreCase) && response.Contains(id, StringComparison.OrdinalIgnoreCase)) return "id " + id;
        return null;
    }

    public static string ContentType(Route route) => Described.Bodies.TryGetValue(route.Key, out var sample) ? sample.ContentType : "application/json";

    public static string Cut(string text) => text.Length > 400 ? text[..400] + "…" : text;
}
