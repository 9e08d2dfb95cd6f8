using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Steward.Http;

namespace Steward.Measures;

/// <summary>
/// G-34: the staff side (console, staff sign-in, the processor's desk and admin routes) answers only to
/// requests from the configured admin networks (<c>Steward:Access:AdminNetworks</c>, CIDR list; empty = no
/// restriction). The restricted VPN itself is infrastructure and stays an attested measure; this is the part
/// Steward enforces, after the forwarded-headers step so the client's real address is the one checked.
/// </summary>
public static class AdminNetworks
{
    public const string Section = "Steward:Access:AdminNetworks";

    private static readonly string[] StaffPaths = ["/console", "/v1/staff", "/v1/processor", "/v1/admin", "/v1/backups", "/v1/destructions",
        "/v1/access-grants", "/v1/action-approvals", "/v1/privileged-credentials", "/v1/legal-holds"];

    public static IReadOnlyList<IPNetwork> Parse(IConfiguration configuration) =>
        (configuration.GetSection(Section).Get<string[]>() ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n =>
            IPNetwork.TryParse(n.Trim(), out var network) ? network : throw new InvalidOperationException($"{Section}: '{n}' is not a network like 10.8.0.0/16.")).ToList();

    public static bool IsStaffPath(PathString path) =>
        StaffPaths.Any(p => path.StartsWithSegments(p)) && !path.StartsWithSegments("/console/public");

    public static IApplicationBuilder UseAdminNetworks(this IApplicationBuilder app, IConfiguration configuration)
    {
        var networks = Parse(configuration);
        if (networks.Count == 0) return app;
        return app.Use(async (http, next) =>
        {
            var ip = http.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : http.Connection.RemoteIpAddress;
            if (!IsStaffPath(http.Request.Path) || (ip is not null && networks.Any(n => n.Contains(ip))))
            {
                await next(http);
                return;
            }
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails =
                {
                    Status = 403, Type = ErrorHttpMapping.TypeBase + "forbidden", Title = "Outside the admin network",
                    Detail = "The staff side of Steward is reachable only from the restricted admin network (G-34).",
                },
            });
        });
    }
}
