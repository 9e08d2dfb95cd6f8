using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Spectre.Console;
using Steward.Access;
using Steward.Data;
using Steward.Server;

namespace Steward.Cli;

/// <summary>
/// `steward demo`: a believable processor in a fresh data directory. It runs the server in this process on a loopback
/// port and does everything through the public API, as the people in the story would: every use case, check and
/// audit event is the real one.
/// </summary>
public static class DemoCommand
{
    public const string Password = "demo passphrase 2026";

    private static readonly string[] First = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivo", "Jonas",
        "Kirsten", "Lars", "Maja", "Nils", "Olga", "Pia", "Quentin", "Rasmus", "Sofia", "Tomas", "Ulla", "Viktor", "Wiebke", "Yusuf", "Zoe"];
    private static readonly string[] Last = ["Andersen", "Berg", "Costa", "Dahl", "Eriksen", "Fischer", "Garcia", "Holm", "Ivanova", "Jensen",
        "Keller", "Lund", "Moreau", "Nowak", "Olsen", "Petersen", "Rossi", "Schmidt", "Thomsen", "Vogel"];

    private sealed record DemoClient(string Name, string Mode, int BreachHours, double Share, string Plan, Guid Id = default, HttpClient? Http = null, string? Key = null)
    {
        public string Base => $"/v1/clients/{Id}";
    }

    public static Command Build(Cli cli)
    {
        var contacts = new Option<int>("--contacts") { Description = "How many contacts in all", DefaultValueFactory = _ => 10_000 };
        var demo = new Command("demo", "Fill a fresh data directory with a believable processor: CEO, DPO and staff, three clients, contacts " +
            "with consents, subject requests near and past their deadlines, a pending grant, a sub-processor change and an open breach")
        {
            contacts,
        };
        demo.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(contacts);
            if (count is < 30 or > 1_000_000) return Cli.Refuse("--contacts: from 30 to 1,000,000.");
            var settings = cli.Settings(parse);
            settings["urls"] = "http://127.0.0.1:0";
            settings["Steward:Jobs:Enabled"] = "false";
            foreach (var limit in new[] { "PublicPerMinute", "SignUpPerMinute", "SignInPerMinute" }) settings["Steward:RateLimits:" + limit] = "1000000";
            await using var app = StewardHost.Build(["--contentRoot", AppContext.BaseDirectory, "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Steward.Access.SetUpFirstStaff=Error"], settings);
            await app.Services.InitializeStewardAsync(ct);
            await using (var scope = app.Services.CreateAsyncScope())
                if (await scope.ServiceProvider.GetRequiredService<StewardDb>().Clients.AnyAsync(ct))
                    return Cli.Refuse("This data directory (or database) already holds clients: the demo fills a fresh one.");
            await app.StartAsync(ct);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            string summary = "";
            await err.Progress().StartAsync(async progress =>
                summary = await RunAsync(app.Services, new Uri(url), count, progress, ct));
            await app.StopAsync(ct);
            Console.WriteLine(summary);
            return Exit.Ok;
        });
        return demo;
    }

    private static async Task<string> RunAsync(IServiceProvider services, Uri url, int count, ProgressContext progress, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        HttpClient Http(string? bearer = null)
        {
            var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(10) };
            if (bearer is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            return http;
        }
        var anonymous = Http();

        // governance: the one-time setup link, the CEO and the DPO choose their passwords and enrol TOTP
        var step = progress.AddTask("CEO, DPO and staff", maxValue: 8);
        string link;
        await using (var scope = services.CreateAsyncScope())
            link = (await scope.ServiceProvider.GetRequiredService<SetUpFirstStaff>().OfferAsync(ct))!;
        var invited = await SendAsync(anonymous, HttpMethod.Post, "/v1/staff/setup?" + new Uri(link).Query.TrimStart('?'), new
        {
            ceo = new { name = "Cathy Chief", email = "ceo@processor.example" },
            dpo = new { name = "Dan Protect", email = "dpo@processor.example" },
        }, ct);
        var people = new Dictionary<string, (string Email, string Secret, HttpClient Http)>();
        foreach (var person in invited.GetProperty("invited").EnumerateArray())
        {
            var role = person.GetProperty("role").GetString()!;
            var token = new Uri(person.GetProperty("invitationLink").GetString()!).Query.Split("token=")[1];
            var accepted = await SendAsync(anonymous, HttpMethod.Post, "/v1/staff/invitations/accept", new { token, password = Password }, ct);
            var secret = accepted.GetProperty("totpSecret").GetString()!;
            var email = role == Roles.Ceo ? "ceo@processor.example" : "dpo@processor.example";
            var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
            var session = await SendAsync(anonymous, HttpMethod.Post, "/v1/staff/sessions", new { email, password = Password, code }, ct);
            people[role] = (email, secret, Http(session.GetProperty("token").GetString()));
            step.Increment(1);
        }
        var (ceo, dpo) = (people[Roles.Ceo].Http, people[Roles.Dpo].Http);
        var staff = new Dictionary<string, Guid>();
        foreach (var (role, name) in new[] { (Roles.ProductManagement, "Paula Product"), (Roles.CustomerSuccess, "Carlos Success"),
            (Roles.Development, "Devi Builder"), (Roles.SystemAdministration, "Sam Admin") })
        {
            var added = await SendAsync(ceo, HttpMethod.Post, "/v1/staff", new { name, email = role + "@processor.example", role }, ct);
            staff[role] = added.GetProperty("id").GetGuid();
            await SendAsync(ceo, HttpMethod.Post, $"/v1/staff/{staff[role]}/onboarding", new { training = true, confidentiality = true, dpaDuties = true, guidelines = true }, ct);
            step.Increment(1);
        }

        // three clients with different terms: the Personizely plan (90 days' grace, deleting erases) or the GenieBelt
        // plan (60 days' grace, a 60-day trash), a 24- to 72-hour breach notice, answering subjects directly or forwarding
        DemoClient[] clients =
        [
            new("Nordlys Yoga Studio", "direct", 72, 0.5, "Personizely"),
            new("Brightpath Learning", "forward", 24, 0.3, "GenieBelt"),
            new("Kestrel Logistics", "forward", 48, 0.2, "Personizely"),
        ];
        var agreements = await anonymous.GetFromJsonAsync<JsonElement>("/v1/agreements", ct);
        var acceptances = agreements.EnumerateArray().Select(a => new { document = a.GetProperty("document").GetString(), version = a.GetProperty("version").GetString(), accepted = true }).ToList();
        var clientStep = progress.AddTask("Clients, widgets and terms", maxValue: clients.Length);
        for (var i = 0; i < clients.Length; i++)
        {
            var c = clients[i];
            var owner = $"owner@{c.Name.Split(' ')[0].ToLowerInvariant()}.example";
            var signedUp = await SendAsync(anonymous, HttpMethod.Post, "/v1/signup",
                new { name = c.Name, ownerName = "Owner of " + c.Name, ownerEmail = owner, ownerPassword = Password, acceptances }, ct);
            var key = signedUp.GetProperty("apiKey").GetString()!;
            c = clients[i] = c with { Id = signedUp.GetProperty("clientId").GetGuid(), Http = Http(key), Key = key };
            await SendAsync(dpo, HttpMethod.Put, $"/v1/processor/clients/{c.Id}/terms", new { breachNotifyHours = c.BreachHours, plan = c.Plan }, ct);
            await SendAsync(c.Http!, HttpMethod.Put, c.Base + "/requests/settings", new { mode = c.Mode }, ct);
            clientStep.Increment(1);
        }

        // contacts: the first of each client through its newsletter widget, the rest imported with the consent evidence
        // the client collected elsewhere (a sign-up sheet), in one streamed CSV per client
        var contactStep = progress.AddTask("Contacts and consents", maxValue: count);
        var emails = new Dictionary<Guid, List<string>>();
        var n = 0;
        for (var i = 0; i < clients.Length; i++)
        {
            var c = clients[i];
            var share = i == clients.Length - 1 ? count - n : (int)(count * c.Share);
            var widget = await SendAsync(c.Http!, HttpMethod.Post, c.Base + "/widgets", new
            {
                name = "Newsletter sign-up",
                fields = new[] { "email", "firstName", "lastName" },
                purposes = new[] { new { key = "newsletter", text = $"Send me the {c.Name} newsletter", required = true, marketing = true } },
            }, ct);
            var widgetId = widget.GetProperty("id").GetGuid();
            var viaWidget = Math.Min(share, 50);
            var list = emails[c.Id] = [];
            for (var k = 0; k < share; k++) list.Add(Email(n + k));
            for (var k = 0; k < viaWidget; k++)
            {
                await SendAsync(anonymous, HttpMethod.Post, $"/v1/public/widgets/{widgetId}/submissions", new
                {
                    fields = new { email = list[k], firstName = First[(n + k) % First.Length], lastName = Last[(n + k) / First.Length % Last.Length] },
                    consents = new { newsletter = true },
                }, ct);
                contactStep.Increment(1);
            }
            var csv = new StringBuilder("email,firstName,lastName,consent.newsletter,consentSource,consentDate\n");
            for (var k = viaWidget; k < share; k++)
                csv.Append(CultureInfo.InvariantCulture, $"{list[k]},{First[(n + k) % First.Length]},{Last[(n + k) / First.Length % Last.Length]},yes,Sign-up sheet at the front desk,{now.AddDays(-30 - k % 300):yyyy-MM-dd}\n");
            if (share > viaWidget)
            {
                using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
                var imported = await c.Http!.PostAsync(c.Base + "/contacts/import", content, ct);
                await EnsureAsync(imported, ct);
                contactStep.Increment(share - viaWidget);
            }
            n += share;
        }

        // subject requests: some due within days, some past the month
        var requestStep = progress.AddTask("Subject requests", maxValue: clients.Length * 3);
        foreach (var c in clients)
        {
            var list = emails[c.Id];
            foreach (var (type, days, who) in new[] { ("access", 26, list[0]), ("erasure", 35, list[1]), ("rectification", 3, list[2]) })
            {
                await SendAsync(c.Http!, HttpMethod.Post, c.Base + "/requests", new { type, emails = new[] { who }, receivedAt = now.AddDays(-days) }, ct);
                requestStep.Increment(1);
            }
        }

        // the desk: a grant waiting for the DPO, a sub-processor change inside its objection window, a breach with its clock running
        var desk = progress.AddTask("Grant, sub-processor change, breach", maxValue: 3);
        await SendAsync(ceo, HttpMethod.Post, "/v1/access-grants", new
        {
            staffId = staff[Roles.CustomerSuccess],
            clientId = clients[0].Id,
            rights = new[] { "read" },
            purpose = "Support ticket NY-1042: missing contacts after import",
        }, ct);
        desk.Increment(1);
        await SendAsync(dpo, HttpMethod.Post, "/v1/admin/subprocessors", new
        {
            name = "Postbud Mail GmbH",
            website = "https://postbud.example",
            purpose = "Sending newsletters and transactional email",
            dataCategories = "email address, name",
            countries = new[] { "DE" },
            contactEmail = "privacy@postbud.example",
            dpfCertified = false,
        }, ct);
        desk.Increment(1);
        var breach = await SendAsync(dpo, HttpMethod.Post, "/v1/processor/breaches", new
        {
            detectedAt = now.AddHours(-3),
            nature = "A support laptop with a cached export was stolen from a car",
            clientIds = new[] { clients[1].Id, clients[2].Id },
        }, ct);
        await SendAsync(dpo, HttpMethod.Post, $"/v1/processor/breaches/{breach.GetProperty("id").GetGuid()}/status",
            new { status = "confirmed", note = "The disk was not encrypted; the export held names and emails" }, ct);
        desk.Increment(1);

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"The demo is ready: {count:N0} contacts of {clients.Length} clients.");
        text.AppendLine("Start the server (same --data-dir / --provider options): steward serve   (http://127.0.0.1:5080)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Staff sign in with POST /v1/staff/sessions {{\"email\", \"password\", \"code\"}}; the password is \"{Password}\",");
        text.AppendLine("the code a TOTP of the secret (an authenticator app, or: oathtool --totp -b SECRET):");
        foreach (var (role, (email, secret, _)) in people) text.AppendLine(CultureInfo.InvariantCulture, $"  {role,-4} {email,-24} TOTP secret {secret}");
        text.AppendLine();
        text.AppendLine("Clients call /v1/clients/{id}/… with their API key as a Bearer token:");
        foreach (var c in clients) text.AppendLine(CultureInfo.InvariantCulture, $"  {c.Name,-20} {c.Id}  {c.Key}");
        text.Append("Demo data: every address is @example; nothing here is a real person.");
        return text.ToString();
    }

    private static string Email(int i) =>
        string.Create(CultureInfo.InvariantCulture, $"{First[i % First.Length].ToLowerInvariant()}.{Last[i / First.Length % Last.Length].ToLowerInvariant()}{i}@example.com");

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        var response = await http.SendAsync(request, ct);
        await EnsureAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: " +
                $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }
}
