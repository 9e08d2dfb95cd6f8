using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Steward.Audit;

/// <summary>
/// Every request to /v1, /v2 and the console leaves an audit event, refused and failed ones included (G-47, P-22). A use case that
/// changes data writes its event in its own transaction; for the rest (reads, refusals, failures) this writes one.
/// </summary>
public static class AuditMiddleware
{
    public static IApplicationBuilder UseRequestAudit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments("/v1") && !http.Request.Path.StartsWithSegments("/v2") && !http.Request.Path.StartsWithSegments("/console"))
        {
            await next(http);
            return;
        }
        var context = http.RequestServices.GetRequiredService<AuditContext>();
        context.IpAddress = http.Connection.RemoteIpAddress?.ToString();
        context.CorrelationId = http.TraceIdentifier;
        int? failedWith = null;
        try
        {
            await next(http);
        }
        catch (Exception exception)
        {
            failedWith = Http.ProblemHandling.Classify(exception).Status;
            throw;
        }
        finally
        {
            if (!context.Recorded) await RecordAsync(http, failedWith ?? http.Response.StatusCode);
        }
    });

    /// <summary>
    /// The event alone, as a unit of work of its own (<see cref="AuditAppender"/>): not in the request's unit of work,
    /// which may hold a failed change.
    /// </summary>
    private static async Task RecordAsync(HttpContext http, int status)
    {
        var (resourceType, resourceId) = Resource(http);
        var e = await http.RequestServices.GetRequiredService<AuditLog>().EventAsync(Action(http), resourceType, resourceId,
            CancellationToken.None, outcome: Outcome(status), status: status);
        await http.RequestServices.GetRequiredService<AuditAppender>().AppendAsync(e, CancellationToken.None);
    }

    private static string Action(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>() is { } name) return name.EndpointName;
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        return Truncate($"{http.Request.Method} {pattern}", 100);
    }

    /// <summary>The most specific id in the route: /clients/{clientId}/contacts/{contactId} names the contact.</summary>
    private static (string?, string?) Resource(HttpContext http)
    {
        string? type = null, id = null;
        foreach (var (key, value) in http.Request.RouteValues)
        {
            if (!key.EndsWith("Id", StringComparison.Ordinal) || value is null) continue;
            type = key[..^2];
            id = SafeId(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
        }
        return (type, id);
    }

    /// <summary>
    /// An id as sent, when it looks like one; anything else (a refused id may be an email typed into the path) only as a
    /// digest, so the audit trail never keeps personal data in clear yet still groups repeated attempts.
    /// </summary>
    private static string SafeId(string value) =>
        value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? value
            : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..16];

    public static string Outcome(int status) => status switch
    {
        < 400 => "success",
        401 or 403 or 404 or 429 => "refused",
        < 500 => "invalid",
        _ => "failed",
    };

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
