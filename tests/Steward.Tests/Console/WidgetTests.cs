using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Console;

/// <summary>
/// The embeddable widget in real Chromium, on a client's page served from another origin under a strict CSP; the
/// withdrawal link read from the mail a real SMTP server received; the public pages in the console's layout.
/// </summary>
public sealed partial class WidgetTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Newsletter = "Send me the monthly newsletter. You can withdraw at any time.";
    private const string Offers = "Send me offers from partners.";

    [GeneratedRegex(@"(/v1/public/consents/withdraw\?token=\S+)")]
    private static partial Regex WithdrawLink();

    private static async Task<Guid> DefineAsync(StewardApp.Tenant tenant, string origin)
    {
        var response = await tenant.Http.PostAsJsonAsync(tenant.Base + "/widgets", new
        {
            name = "Newsletter",
            fields = new[] { "email", "firstName" },
            purposes = new object[] { new { key = "newsletter", text = Newsletter, required = true }, new { key = "offers", text = Offers, required = false } },
            allowedOrigins = new[] { origin },
            privacyNoticeUrl = origin + "/privacy",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task P06_a_subject_submits_the_widget_on_another_origin_unticked_at_first_then_withdraws_by_the_mailed_link()
    {
        await using var app = await Mailbox.StartAppAsync(Engine.Sqlite, listen: true);
        var tenant = await app.SignUpAsync();
        using var site = new ClientSite();
        var widget = await DefineAsync(tenant, site.Origin);
        site.Embed(app.HttpsUrl!, widget);
        var email = $"widget-{Guid.NewGuid():N}@example.com";

        var page = await chromium.NewPageAsync(app);
        var violations = new List<string>();
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) violations.Add(m.Text); };
        await page.GotoAsync(site.Origin + "/");
        var consent = page.GetByLabel(Newsletter + " *");
        await Assertions.Expect(consent).ToBeVisibleAsync();
        // P-06: no box ticked by default, in the DOM as in the state
        await Assertions.Expect(consent).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel(Offers)).Not.ToBeCheckedAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("document.querySelectorAll('input[type=checkbox][checked], input[type=checkbox]:checked').length"));
        Assert.Equal(0, await page.EvaluateAsync<int>("[...document.querySelectorAll('.steward-widget input')].filter(e => e.labels.length === 0).length"));
        Assert.Equal(site.Origin + "/privacy", await page.GetByRole(AriaRole.Link, new() { Name = "privacy notice" }).GetAttributeAsync("href"));
        await Chromium.ScreenshotAsync(page, "widget-unticked");

        // checked in the browser: the required consent, next to its box
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#{await consent.GetAttributeAsync("aria-describedby")}")).ToContainTextAsync("required");
        await Assertions.Expect(consent).ToBeFocusedAsync();
        // checked by Steward: its RFC 9457 answer, next to the field it names
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(consent).ToBeCheckedAsync();
        await page.GetByLabel("First name").FillAsync(new string('x', 201));
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var firstName = page.GetByLabel("First name");
        await Assertions.Expect(page.Locator($"#{await firstName.GetAttributeAsync("aria-describedby")}")).ToContainTextAsync("At most 200 characters");
        await Chromium.ScreenshotAsync(page, "widget-error-next-to-field");

        await firstName.FillAsync("Jo");
        await firstName.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Thank you");
        await Chromium.ScreenshotAsync(page, "widget-success");
        Assert.Empty(violations);

        // the withdrawal link arrives by mail, and one button on the console's page withdraws the consent
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Steward.Notifications.DeliverNotifications>().HandleAsync(50, default);
        var mail = Assert.Single(await Mailbox.ReceivedAsync(email));
        Assert.Contains(Newsletter, mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Offers, mail.Text, StringComparison.Ordinal); // not ticked, not given
        var link = WithdrawLink().Match(mail.Text).Groups[1].Value;
        await page.GotoAsync(app.HttpsUrl + link);
        Assert.EndsWith("/console/public/consents/withdraw", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await Chromium.ScreenshotAsync(page, "consent-withdraw");
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw my consent" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("newsletter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Consent withdrawn" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "consent-withdrawn");

        var contact = (await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts?email={Uri.EscapeDataString(email)}")).GetProperty("items")[0];
        var history = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{contact.GetProperty("id")}/consents");
        Assert.Equal(["given", "withdrawn"], history.EnumerateArray().Where(e => e.GetProperty("purpose").GetString() == "newsletter")
            .Select(e => e.GetProperty("kind").GetString()));
        Assert.DoesNotContain(history.EnumerateArray(), e => e.GetProperty("purpose").GetString() == "offers");
    }

    [Fact]
    public async Task A_widget_on_a_site_its_client_did_not_allow_shows_no_form_and_a_post_from_there_stores_nothing()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var tenant = await app.SignUpAsync();
        using var allowed = new ClientSite();
        using var other = new ClientSite();
        var widget = await DefineAsync(tenant, allowed.Origin);
        other.Embed(app.HttpsUrl!, widget);

        var page = await chromium.NewPageAsync(app);
        await page.GotoAsync(other.Origin + "/");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not available on this site");
        Assert.Equal(0, await page.Locator(".steward-widget input").CountAsync());
        await Chromium.ScreenshotAsync(page, "widget-refused-origin");

        // the browser's post itself (no preflight needed for this check): refused before anything is stored
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/v1/public/widgets/{widget}/submissions")
        {
            Content = JsonContent.Create(new { fields = new { email = "nope@example.com" }, consents = new { newsletter = true } }),
            Headers = { { "Origin", other.Origin } },
        };
        await (await app.Anonymous().SendAsync(post)).AssertProblemAsync(403);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.ConsentEvents.IgnoreQueryFilters().CountAsync()));

        // the script: cacheable, the same bytes each time (Subresource Integrity), readable cross-origin
        var script = await app.Anonymous().GetAsync("/widget.js");
        Assert.Equal("public, max-age=3600", script.Headers.CacheControl!.ToString());
        Assert.Equal("*", script.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length < 10_000, "the widget script grew past 10 KB");
        Assert.NotNull(script.Headers.ETag);
    }

    [Fact]
    public async Task Art7_3_a_forged_withdrawal_link_shows_the_problem_on_the_page_and_withdraws_nothing()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var page = await chromium.NewPageAsync(app);
        await page.GotoAsync("/v1/public/consents/withdraw?token=forged");
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw my consent" }).PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("withdrawal link");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Withdraw your consent" })).ToBeVisibleAsync();
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.ConsentEvents.IgnoreQueryFilters().CountAsync()));
    }

    [Fact]
    public async Task G49_the_public_sub_processor_list_is_a_page_in_the_console_layout()
    {
        await using var app = await StewardApp.StartListeningAsync(Engine.Sqlite);
        var page = await chromium.NewPageAsync(app);
        var response = await page.GotoAsync("/subprocessors");
        Assert.Contains("default-src 'none'", await response!.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sub-processors" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Hetzner Online" })).ToContainTextAsync("DE: EEA, no transfer");
        Assert.Equal("rgb(255, 255, 255)", await page.Locator("table").EvaluateAsync<string>("t => getComputedStyle(t).backgroundColor")); // console.css applied
        await Chromium.ScreenshotAsync(page, "public-subprocessors");
    }

    /// <summary>A client's own site on a loopback port of its own: another origin than Steward's, with a strict CSP that lets in only Steward.</summary>
    private sealed class ClientSite : IDisposable
    {
        private readonly HttpListener _listener = new();

        public ClientSite()
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Origin = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
            }
            _listener.Prefixes.Add(Origin + "/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                    var body = Encoding.UTF8.GetBytes(context.Request.Url!.AbsolutePath == "/" ? Html : "<!doctype html><title>Privacy</title>");
                    context.Response.ContentType = "text/html; charset=utf-8";
                    context.Response.Headers["Content-Security-Policy"] = Csp;
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            });
        }

        public string Origin { get; }
        private string Csp { get; set; } = "";
        private string Html { get; set; } = "";

        /// <summary>The page with the one tag and the widget's optional stylesheet; its CSP lets in Steward's script, calls and stylesheet, nothing inline.</summary>
        public void Embed(string steward, Guid widget)
        {
            Csp = $"default-src 'none'; script-src {steward}; connect-src {steward}; style-src {steward}; base-uri 'none'";
            Html = $"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Our shop</title><link rel="stylesheet" href="{steward}/widget.css"></head>
                <body><h1>Our shop's newsletter</h1>
                <script src="{steward}/widget.js" data-widget="{widget}" async></script>
                </body></html>
                """;
        }

        public void Dispose() => _listener.Close();
    }
}
