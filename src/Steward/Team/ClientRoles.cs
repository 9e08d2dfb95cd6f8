using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Steward.Access;

namespace Steward.Team;

/// <summary>
/// The one place that says what a client's own credentials may do on its routes. A signed-in team member acts by
/// role (owner, admin, member, read-only) on the right the route uses; an API key acts by scope on the route's area.
/// Managing the team and the keys is for signed-in owners and admins only, never for a key.
/// </summary>
public static class ClientRoles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Member = "member";
    public const string ReadOnly = "read-only";
    public static readonly string[] All = [Owner, Admin, Member, ReadOnly];

    /// <summary>The right of the team's own routes (users, API keys): no staff role holds it, no key scope gives it.</summary>
    public const string ManageTeam = "team";

    public const string ContactsRead = "contacts:read";
    public const string ContactsWrite = "contacts:write";
    public const string Requests = "requests";
    public const string Widgets = "widgets";
    public const string Export = "export";
    /// <summary>The client's compliance routes: sub-processor changes, breaches, instructions, records, audits, access log.</summary>
    public const string Compliance = "compliance";
    public static readonly string[] Scopes = [ContactsRead, ContactsWrite, Requests, Widgets, Export, Compliance];
    /// <summary>Every scope: the key made at sign-up, and every key made before scopes existed (the owner key).</summary>
    public const string AllScopes = "contacts:read,contacts:write,requests,widgets,export,compliance";

    private static readonly Dictionary<string, string[]> RoleRights = new(StringComparer.Ordinal)
    {
        [Owner] = [.. Rights.All, ManageTeam],
        [Admin] = [.. Rights.All, ManageTeam],
        [Member] = Rights.All,
        [ReadOnly] = [Rights.Read, Rights.AuditLog],
    };

    /// <summary>A route on a client's path that only the processor's staff use for it (restoring from the trash): no client role or key may call it.</summary>
    public sealed record StaffOnly(string Why);

    public static bool RoleMay(string role, string right) => RoleRights.TryGetValue(role, out var rights) && rights.Contains(right);

    /// <summary>The scope a key needs for a route: exports need <see cref="Export"/>, the rest goes by the route's area.</summary>
    public static string? ScopeFor(Endpoint? endpoint, string method)
    {
        var right = StaffClientAccess.RightFor(endpoint, method);
        if (right == ManageTeam) return ManageTeam;
        if (right == Rights.Export) return Export;
        return Area(endpoint) switch
        {
            "" => null, // the client itself
            "contacts" or "fields" => right == Rights.Read ? ContactsRead : ContactsWrite,
            "requests" or "subjects" => Requests,
            "widgets" => Widgets,
            _ => Compliance,
        };
    }

    /// <summary>Null when the caller may use the route; otherwise why not (answered as 403: the client knows itself).</summary>
    public static string? Refusal(HttpContext http, ClientCaller caller)
    {
        var endpoint = http.GetEndpoint();
        var method = http.Request.Method;
        if (endpoint?.Metadata.GetMetadata<StaffOnly>() is { } staffOnly) return staffOnly.Why;
        if (caller.Role is { } role)
        {
            var right = StaffClientAccess.RightFor(endpoint, method);
            return RoleMay(role, right) ? null : $"The role {role} may not {(right == ManageTeam ? "manage the team or the API keys" : right + " this client's data")}.";
        }
        var scope = ScopeFor(endpoint, method);
        if (scope == ManageTeam) return "The team and the API keys are managed by a signed-in owner or admin, not by an API key.";
        return scope is null || caller.Scopes.Contains(scope) ? null : $"This API key lacks the scope {scope}.";
    }

    /// <summary>The first segment after /clients/{clientId}: "contacts", "requests", … ("" for the client itself).</summary>
    private static string Area(Endpoint? endpoint)
    {
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "";
        var at = pattern.IndexOf("{clientId}", StringComparison.Ordinal);
        if (at < 0) return "";
        var rest = pattern[(at + "{clientId}".Length)..].Trim('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? rest : rest[..slash];
    }
}
