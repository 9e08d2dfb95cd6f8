using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Steward.Access;
using Steward.Clients;

namespace Steward.Tests.Verification;

/// <summary>Who may call a route: a client's credential, staff by permission, a client's system over OpenDSR, a signed-in client user on their own account only, anyone.</summary>
public enum Guard { Client, Staff, OpenDsr, ClientUser, Open }

/// <summary>A query string or header parameter of a route's handler.</summary>
public sealed record Input(string Name, Type Type, bool Header);

/// <summary>One method of one route, as the app maps it.</summary>
public sealed partial record Route(string Method, RouteEndpoint Endpoint, Guard Guard, string? Policy, Type? BodyType, bool RawBody,
    IReadOnlyList<string> PathParameters, IReadOnlyList<Input> Inputs)
{
    public string Template => Constraint().Replace(Endpoint.RoutePattern.RawText!.Replace("{**", "{", StringComparison.Ordinal), "}").TrimEnd('/') is { Length: > 0 } t ? t : "/";
    public string Key => $"{Method} {Template}";
    public bool HasBody => BodyType is not null || Described.Bodies.ContainsKey(Key);
    public override string ToString() => Key;

    /// <summary>The path with each parameter filled by <paramref name="fill"/>, and the query parameters it knows (a token).</summary>
    public string Path(Func<string, string> fill)
    {
        var query = Inputs.Where(i => !i.Header && Described.Parameters.ContainsKey(i.Name)).Select(i => $"{i.Name}={Uri.EscapeDataString(fill(i.Name))}").ToList();
        return PathParameterRegex().Replace(Template, m => Uri.EscapeDataString(fill(m.Groups[1].Value))) + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    [GeneratedRegex(@"[:?][^}]*\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PathParameterRegex();
}

/// <summary>Every route the app maps, with its guard and its inputs, read from the endpoint data source.</summary>
public static class Routes
{
    public static List<Route> All(IServiceProvider services)
    {
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        var routes = new List<Route>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // the console's pages: a browser's cookie and antiforgery surface, driven in Chromium by tests/Steward.Tests/Console
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor>() is not null) continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            var open = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || !endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any();
            var guard = open ? Guard.Open
                : policy == Policies.ClientApi ? Guard.Client
                : policy == Steward.OpenDsr.OpenDsrEndpoints.Policy ? Guard.OpenDsr
                : policy == Steward.Team.TeamEndpoints.Policy ? Guard.ClientUser
                : Permissions.All.Contains(policy) ? Guard.Staff
                : throw new InvalidOperationException(Described.UnknownGuard(endpoint.RoutePattern.RawText!, policy));
            var pathParameters = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList();
            var handler = endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault();
            var inputs = new List<Input>();
            Type? body = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
            var raw = false;
            foreach (var parameter in handler?.GetParameters() ?? [])
            {
                var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
                if (pathParameters.Contains(parameter.Name!, StringComparer.OrdinalIgnoreCase)) continue;
                if (parameter.GetCustomAttribute<FromHeaderAttribute>() is { } header) { inputs.Add(new Input(header.Name ?? parameter.Name!, type, true)); continue; }
                if (type == typeof(HttpRequest) || type == typeof(HttpContext)) { raw = true; continue; } // may read its own body: Described.Bodies
                if (type == typeof(CancellationToken) || type == typeof(StaffPrincipal) || isService.IsService(parameter.ParameterType)) continue;
                if (type == typeof(string) || type == typeof(Guid) || type == typeof(int) || type == typeof(bool) || type == typeof(DateTimeOffset) || type.IsEnum)
                    inputs.Add(new Input(parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name!, type, false));
                else body ??= type;
            }
            foreach (var method in methods)
                routes.Add(new Route(method, endpoint, guard, policy, method is "GET" or "DELETE" ? null : body,
                    raw && body is null && method is "PUT" or "PATCH" or "POST", pathParameters, inputs));
        }
        return routes;
    }

    /// <summary>
    /// A plausible body of the declared type: ids of <paramref name="party"/>'s objects where a field is named like a
    /// route parameter, its email where one is asked, small valid-looking values elsewhere.
    /// </summary>
    public static JsonNode? Sample(Type type, World world, Party party, int depth = 0)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (depth > 6) return null;
        if (type == typeof(string)) return "sample";
        if (type == typeof(bool)) return true;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(decimal) || type == typeof(double)) return 1;
        if (type == typeof(Guid)) return Guid.NewGuid().ToString();
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return world.App.Clock.GetUtcNow().ToString("O");
        if (type == typeof(DateOnly)) return world.App.Clock.GetUtcNow().ToString("yyyy-MM-dd");
        if (type == typeof(TimeSpan)) return "01:00:00";
        if (type.IsEnum) return JsonNamingPolicy.CamelCase.ConvertName(Enum.GetNames(type)[0]);
        if (type == typeof(JsonElement) || type == typeof(JsonObject) || type == typeof(object)) return new JsonObject();
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var generic && (generic == typeof(Dictionary<,>) || generic == typeof(IDictionary<,>) || generic == typeof(IReadOnlyDictionary<,>)))
            return new JsonObject { ["key"] = Sample(type.GetGenericArguments()[1], world, party, depth + 1) };
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : type.GetGenericArguments().FirstOrDefault() ?? typeof(string);
            return new JsonArray(Sample(element, world, party, depth + 1));
        }
        var result = new JsonObject();
        foreach (var (name, propertyType) in Properties(type))
            result[name] = Field(name, propertyType, world, party, depth);
        return result;
    }

    private static JsonNode? Field(string name, Type type, World world, Party party, int depth)
    {
        var core = Nullable.GetUnderlyingType(type) ?? type;
        if (core == typeof(Guid) && Described.Parameters.TryGetValue(name, out var parameter) && parameter.Owner == Owner.Client)
            return parameter.Fill(world, party);
        if (core == typeof(Guid) && name == "publicId") return party.ClientId.ToString();
        if (core == typeof(string) && name.Contains("email", StringComparison.OrdinalIgnoreCase)) return party.Secrets[0];
        if (core == typeof(string) && name == "code") return "00000000";
        return Sample(type, world, party, depth + 1);
    }

    /// <summary>The JSON properties of a DTO (camelCase, as the API's JSON names them) and their types.</summary>
    public static IEnumerable<(string Name, Type Type)> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite || type.GetConstructors().Any(c => c.GetParameters().Any(a => a.Name == p.Name)))
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => (p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p.PropertyType));
}
