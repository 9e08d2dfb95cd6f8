using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Steward.Clients;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Widgets;

namespace Steward.Consents;

public static class ConsentEndpoints
{
    public static RouteGroupBuilder MapConsents(this RouteGroupBuilder client)
    {
        client.MapGet("/contacts/{contactId:guid}/consents", async (Guid clientId, Guid contactId, [FromHeader(Name = RestrictedReads.Header)] string? reason,
                ConsentHistory history, CancellationToken ct) =>
                (await history.ReadAsync(clientId, contactId, reason, ct)).ToHttp(TypedResults.Ok))
            .WithTags("Consents").WithName("GetConsents").WithSummary("A contact's consent history with its proof (a restricted contact only with a reason in X-Access-Reason)");
        return client;
    }

    /// <summary>What a data subject reaches with no login: widget submissions and withdrawal links. Rate-limited.</summary>
    public static RouteGroupBuilder MapPublicConsents(this RouteGroupBuilder v1)
    {
        var open = v1.MapGroup("/public").AllowAnonymous().RequireRateLimiting(RateLimits.Public).WithTags("Public");

        open.MapGet("/widgets/{widgetId:guid}", async (Guid widgetId, DefineWidget define, HttpContext http, StewardDb db, CancellationToken ct) =>
                await AllowOriginAsync(http, db, widgetId, ct) is false
                    ? Errors.Forbidden("This site may not show the widget: add its origin to the widget's allowed origins.").ToProblem()
                    : (await define.PublicAsync(widgetId, ct)).ToHttp(TypedResults.Ok))
            .WithName("GetPublicWidget").WithSummary("What the embedded script draws: the fields, each purpose's text, the privacy notice (no client data)");
        open.MapPost("/widgets/{widgetId:guid}/submissions", async (Guid widgetId, SubmitWidget.Request request, SubmitWidget submit,
                HttpContext http, StewardDb db, CancellationToken ct) =>
            {
                // a browser on a site the client did not allow is refused before anything is stored, not merely kept from reading the answer
                if (await AllowOriginAsync(http, db, widgetId, ct) is false) return Errors.Forbidden("This site may not submit the widget.").ToProblem();
                var result = await submit.HandleAsync(widgetId, request, http.Connection.RemoteIpAddress?.ToString(), UserAgent(http), ct);
                return result.ToHttp(r => TypedResults.Created((string?)null, r));
            })
            .WithName("SubmitWidget").WithSummary("Submit a widget: the contact and, per purpose set to true, a consent with proof");
        open.MapMethods("/widgets/{widgetId:guid}/submissions", ["OPTIONS"], async (Guid widgetId, HttpContext http, StewardDb db, CancellationToken ct) =>
                await AllowOriginAsync(http, db, widgetId, ct) is true
                && http.Request.Headers.AccessControlRequestMethod.ToString() is "" or "POST"
                    ? Results.NoContent() : Errors.Forbidden("This origin may not submit the widget.").ToProblem())
            .WithName("SubmitWidgetPreflight").ExcludeFromDescription();

        open.MapGet("/consents/withdraw", (string? token) => Results.Redirect("/console/public/consents/withdraw?token=" + WebUtility.UrlEncode(token ?? "")))
            .WithName("WithdrawConsentPage").WithSummary("The page behind a withdrawal link: the console's page with one button, no login");
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

        open.MapGet("/consents/receipts/{token}", async (string token, ConsentReceipts receipts, HttpContext http, CancellationToken ct) =>
            {
                var result = await receipts.HandleAsync(token, ct);
                if (!result.IsSuccess) return result.Error!.ToProblem();
                var r = result.Value!;
                var accept = http.Request.Headers.Accept.ToString();
                if (accept.Contains("application/jwt", StringComparison.Ordinal)) return Results.Text(r.Jws, "application/jwt");
                if (accept.Contains("text/html", StringComparison.Ordinal)) return Results.Content(ReceiptPage(r), "text/html; charset=utf-8");
                return TypedResults.Ok(new { receipt = r.Content, jws = r.Jws, kid = r.Kid, jwks = r.Jwks });
            })
            .WithName("GetConsentReceipt").WithSummary("A consent receipt (Kantara v1.1, ISO/IEC TS 27560), signed as a JWS; application/jwt for the JWS alone, text/html to read");
        open.MapGet("/keys", async (SigningKeys keys, CancellationToken ct) => TypedResults.Ok(new
        {
            keys = new[] { await keys.PublicJwkAsync(SigningKeys.Receipts, ConsentReceipts.Algorithm, ct) },
        }))
            .WithName("GetSigningKeys").WithSummary("The public key that verifies consent receipts (JWKS, RFC 7517); OpenDSR signatures verify with /v2/certificate");

        open.MapGet("/consents/confirm", (string? token) => Results.Content(Page("Confirm your consent",
                $"""
                <p>You objected earlier to marketing. Press the button to give your consent again; you can withdraw it at any time.</p>
                <form method="post" action="/v1/public/consents/confirm?token={WebUtility.UrlEncode(token ?? "")}">
                  <button type="submit">Yes, I consent again</button>
                </form>
                """), "text/html; charset=utf-8"))
            .WithName("ConfirmConsentPage").WithSummary("The page behind a re-subscription link: one button, no login");
        open.MapPost("/consents/confirm", async (string? token, ConfirmConsent confirm, HttpContext http, CancellationToken ct) =>
                (await confirm.HandleAsync(token, http.Connection.RemoteIpAddress?.ToString(), UserAgent(http), ct)).ToHttp(TypedResults.Ok))
            .DisableAntiforgery()
            .WithName("ConfirmConsent").WithSummary("Give a fresh marketing consent after an objection, through the link mailed to the address (Art. 21(3))");
        return v1;
    }

    /// <summary>
    /// CORS for a widget: only the origins its client allowed may use it from a browser. Null when the call carries no
    /// Origin (a server, or a same-origin GET): CORS does not apply, the API answers as to any caller.
    /// </summary>
    private static async Task<bool?> AllowOriginAsync(HttpContext http, StewardDb db, Guid widgetId, CancellationToken ct)
    {
        http.Response.Headers.Vary = "Origin";
        var origin = http.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return null;
        var allowed = await AllowedOrigins.For(db)(db, widgetId, ct);
        if (allowed is null || !allowed.Split(' ').Contains(origin, StringComparer.OrdinalIgnoreCase)) return false;
        http.Response.Headers.AccessControlAllowOrigin = origin;
        http.Response.Headers.AccessControlAllowMethods = "GET, POST";
        http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
        http.Response.Headers.AccessControlMaxAge = "600";
        return true;
    }

    // a browser's every submission and preflight carries an Origin
    private static readonly CompiledQuery<Func<StewardDb, Guid, CancellationToken, Task<string?>>> AllowedOrigins = new(() => EF.CompileAsyncQuery(
        (StewardDb db, Guid widgetId, CancellationToken ct) => db.Widgets.IgnoreQueryFilters().Where(w => w.Id == widgetId).Select(w => w.AllowedOrigins).SingleOrDefault()));

    private static string? UserAgent(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? null : agent.Length > 512 ? agent[..512] : agent;
    }

    /// <summary>The receipt in human-readable form (Kantara: a receipt is also given so a person can read it).</summary>
    private static string ReceiptPage(ConsentReceipts.Receipt r)
    {
        var c = r.Content;
        var purpose = c["services"]![0]!["purposes"]![0]!;
        string Row(string name, string? value) => $"<tr><th style=\"text-align:left\">{WebUtility.HtmlEncode(name)}</th><td>{WebUtility.HtmlEncode(value ?? "")}</td></tr>";
        return Page("Your consent receipt", $"""
            <table>
            {Row("Receipt", c["consentReceiptID"]?.ToString())}
            {Row("Controller", c["piiControllers"]![0]!["piiController"]?.ToString())}
            {Row("You", c["piiPrincipalId"]?.ToString())}
            {Row("Purpose", purpose["purpose"]?.ToString())}
            {Row("Data", string.Join(", ", purpose["piiCategory"]!.AsArray().Select(x => x?.ToString())))}
            {Row("Given", DateTimeOffset.FromUnixTimeSeconds(c["consentTimestamp"]!.GetValue<long>()).ToString("u"))}
            {Row("How", c["collectionMethod"]?.ToString())}
            {Row("Until", purpose["termination"]?.ToString())}
            {Row("Now", c["iso27560"]!["state"]!["current"]?.ToString())}
            </table>
            <p>Signed proof (JWS, {ConsentReceipts.Algorithm}, key {WebUtility.HtmlEncode(r.Kid)}, public keys at {WebUtility.HtmlEncode(r.Jwks)}):</p>
            <pre style="white-space:pre-wrap;word-break:break-all">{WebUtility.HtmlEncode(r.Jws)}</pre>
            """);
    }

    private static string Page(string title, string body) => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
        <title>{title} · Steward</title><link rel="stylesheet" href="/css/console.css"></head>
        <body><header><span class="brand">Steward</span></header>
        <main id="main"><h1>{title}</h1>
        {body}
        </main></body></html>
        """;
}
