using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Clients;
using Steward.Data;
using Steward.Http;

namespace Steward.Consents;

public static class ConsentEndpoints
{
    public static RouteGroupBuilder MapConsents(this RouteGroupBuilder client)
    {
        client.MapGet("/contacts/{contactId:guid}/consents", async (Guid clientId, Guid contactId, ConsentHistory history, CancellationToken ct) =>
                (await history.HandleAsync(clientId, contactId, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Consents").WithName("GetConsents").WithSummary("A contact's consent history with its proof");
        return client;
    }

    /// <summary>What a data subject reaches with no login: widget submissions and withdrawal links. Rate-limited.</summary>
    public static RouteGroupBuilder MapPublicConsents(this RouteGroupBuilder v1)
    {
        var open = v1.MapGroup("/public").AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithTags("Public");

        open.MapPost("/widgets/{widgetId:guid}/submissions", async (Guid widgetId, SubmitWidget.Request request, SubmitWidget submit,
                HttpContext http, StewardDb db, CancellationToken ct) =>
            {
                var result = await submit.HandleAsync(widgetId, request, http.Connection.RemoteIpAddress?.ToString(), UserAgent(http), ct);
                await AllowOriginAsync(http, db, widgetId, ct);
                return result.ToHttp(r => TypedResults.Created((string?)null, r));
            })
            .WithName("SubmitWidget").WithSummary("Submit a widget: the contact and, per purpose set to true, a consent with proof");
        open.MapMethods("/widgets/{widgetId:guid}/submissions", ["OPTIONS"], async (Guid widgetId, HttpContext http, StewardDb db, CancellationToken ct) =>
                await AllowOriginAsync(http, db, widgetId, ct) ? Results.NoContent() : Errors.Forbidden("This origin may not submit the widget.").ToProblem())
            .WithName("SubmitWidgetPreflight").ExcludeFromDescription();

        open.MapGet("/consents/withdraw", (string? token) => Results.Content(WithdrawPage(token), "text/html; charset=utf-8"))
            .WithName("WithdrawConsentPage").WithSummary("The page behind a withdrawal link: one button, no login");
        open.MapPost("/consents/withdraw", async (string? token, WithdrawConsent withdraw, HttpContext http, CancellationToken ct) =>
            {
                var result = await withdraw.HandleAsync(token, http.Connection.RemoteIpAddress?.ToString(), UserAgent(http), ct);
                var wantsHtml = http.Request.HasFormContentType || http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal);
                return result.IsSuccess && wantsHtml
                    ? Results.Content(Page("Consent withdrawn", $"<p>Your consent to <b>{WebUtility.HtmlEncode(result.Value!.Purpose)}</b> is withdrawn. Nothing more to do.</p>"), "text/html; charset=utf-8")
                    : result.ToHttp(TypedResults.Ok);
            })
            .DisableAntiforgery()
            .WithName("WithdrawConsent").WithSummary("Withdraw one consent through its signed link");
        return v1;
    }

    /// <summary>CORS for a widget: only the origins its client allowed may post from a browser.</summary>
    private static async Task<bool> AllowOriginAsync(HttpContext http, StewardDb db, Guid widgetId, CancellationToken ct)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return false;
        var allowed = await db.Widgets.IgnoreQueryFilters().AsNoTracking().Where(w => w.Id == widgetId).Select(w => w.AllowedOrigins).SingleOrDefaultAsync(ct);
        if (allowed is null || !allowed.Split(' ').Contains(origin, StringComparer.OrdinalIgnoreCase)) return false;
        http.Response.Headers.AccessControlAllowOrigin = origin;
        http.Response.Headers.AccessControlAllowMethods = "POST";
        http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
        http.Response.Headers.Vary = "Origin";
        return true;
    }

    private static string? UserAgent(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? null : agent.Length > 512 ? agent[..512] : agent;
    }

    private static string WithdrawPage(string? token) => Page("Withdraw your consent",
        $"""
        <p>Press the button to withdraw this consent. Nothing else is needed, and processing based on it stops.</p>
        <form method="post" action="/v1/public/consents/withdraw?token={WebUtility.UrlEncode(token ?? "")}">
          <button type="submit">Withdraw my consent</button>
        </form>
        """);

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{title}</title></head>
        <body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">
        <h1>{title}</h1>
        {body}
        </body></html>
        """;
}
