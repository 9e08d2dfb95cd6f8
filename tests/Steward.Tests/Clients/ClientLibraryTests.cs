using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Steward.Client;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Clients;

/// <summary>
/// Issue 9, the .NET client: Steward.Client drives a real server over HTTP (Kestrel on loopback) through contacts,
/// widgets, subject requests and the export, and every operation it calls is in the server's OpenAPI document.
/// </summary>
public sealed class ClientLibraryTests
{
    /// <summary>The operations Steward.Client calls, by the OpenAPI document's path and method.</summary>
    private static readonly (string Method, string Path)[] Operations =
    [
        ("post", "/v1/clients/{clientId}/contacts"), ("get", "/v1/clients/{clientId}/contacts"), ("get", "/v1/clients/{clientId}/contacts/{contactId}"),
        ("patch", "/v1/clients/{clientId}/contacts/{contactId}"), ("get", "/v1/clients/{clientId}/contacts/{contactId}/consents"), ("post", "/v1/clients/{clientId}/contacts/{contactId}/erase"),
        ("post", "/v1/clients/{clientId}/widgets"), ("get", "/v1/clients/{clientId}/widgets"), ("get", "/v1/clients/{clientId}/widgets/{widgetId}"),
        ("put", "/v1/clients/{clientId}/widgets/{widgetId}"), ("post", "/v1/clients/{clientId}/requests"), ("get", "/v1/clients/{clientId}/requests"),
        ("get", "/v1/clients/{clientId}/requests/{requestId}"), ("post", "/v1/clients/{clientId}/requests/{requestId}/status"),
        ("post", "/v1/clients/{clientId}/return-exports"),
    ];

    [Theory, ClassData(typeof(Engines))]
    public async Task Client_the_typed_dotnet_client_drives_contacts_widgets_requests_and_exports_on_a_running_server(Engine engine)
    {
        await using var app = await StewardApp.StartListeningAsync(engine);
        var tenant = await app.SignUpAsync();
        var ct = TestContext.Current.CancellationToken;
        using var steward = StewardClient.Create(new Uri(app.BaseUrl!), tenant.ClientId, tenant.ApiKey);

        var contact = await steward.CreateContactAsync(new ContactInput { Email = "ada@example.com", FirstName = "Ada", City = "London" }, ct);
        Assert.Equal("Ada", (await steward.GetContactAsync(contact.Id, ct)).FirstName);
        Assert.Equal(contact.Id, Assert.Single((await steward.FindContactsAsync(email: "ada@example.com", ct: ct)).Items).Id);
        Assert.Equal("Lovelace", (await steward.RectifyContactAsync(contact.Id, new ContactInput { LastName = "Lovelace" }, ct)).LastName);

        var widget = await steward.DefineWidgetAsync(new WidgetInput("Newsletter", ["email", "firstName"], [new WidgetPurposeInput("newsletter", "Send me the monthly newsletter", true)]), ct);
        Assert.Equal(1, widget.Version);
        Assert.Equal(2, (await steward.UpdateWidgetAsync(widget.Id, new WidgetInput("Newsletter", ["email"], [new WidgetPurposeInput("newsletter", "Send me the newsletter", true)]), ct)).Version);
        Assert.Equal(widget.Id, Assert.Single(await steward.ListWidgetsAsync(ct)).Id);
        Assert.Equal(2, (await steward.GetWidgetAsync(widget.Id, ct)).Version);

        var request = await steward.CreateRequestAsync(new RequestInput { Type = "access", Emails = ["ada@example.com"] }, ct);
        Assert.Equal(contact.Id, request.ContactId);
        Assert.Equal("verified", (await steward.ChangeRequestStatusAsync(request.Id, "verified", ct: ct)).Status);
        Assert.Equal(request.Id, Assert.Single(await steward.ListRequestsAsync("open", ct: ct)).Id);
        Assert.Equal("access", (await steward.GetRequestAsync(request.Id, ct)).Type);

        var export = await steward.ExportAsync("json", ct);
        Assert.Contains("json", export.ContentType, StringComparison.Ordinal);
        Assert.NotEmpty(export.Content);

        await steward.EraseContactAsync(contact.Id, ct);
        var gone = await Assert.ThrowsAsync<StewardApiException>(() => steward.GetContactAsync(contact.Id, ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        var invalid = await Assert.ThrowsAsync<StewardApiException>(() => steward.CreateContactAsync(new ContactInput { FirstName = "Bo", Custom = new() { ["shoeSize"] = 42 } }, ct));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("custom.shoeSize", invalid.Errors.Keys); // not declared (PUT /fields)

        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl!) };
        var paths = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json", ct)).RootElement.GetProperty("paths").EnumerateObject()
            .ToDictionary(p => p.Name.TrimEnd('/'), p => p.Value); // a group's "/" route is documented with its trailing slash
        foreach (var (method, path) in Operations)
            Assert.True(paths.TryGetValue(path, out var item) && item.TryGetProperty(method, out _), $"{method} {path} is not in the OpenAPI document");
    }

    /// <summary>
    /// README's lines of client usage, run as written against a real server (each <c>var</c> line of README's block is
    /// in this test verbatim), from the client the build packed: the nupkg next to the build holds this very dll.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task Client_the_readme_lines_run_against_a_running_server_and_the_build_packs_the_client(Engine engine)
    {
        await using var app = await StewardApp.StartListeningAsync(engine);
        var tenant = await app.SignUpAsync();
        var (clientId, apiKey) = (tenant.ClientId, tenant.ApiKey);
        using var steward = StewardClient.Create(new Uri(app.BaseUrl!), clientId, apiKey);
        var widget = await steward.DefineWidgetAsync(new WidgetInput("Sign-up", ["email"], [new WidgetPurposeInput("terms", "I accept the terms", true)]));

        var contact = await steward.CreateContactAsync(new ContactInput { Email = "ada@example.com", FirstName = "Ada" });
        // Ada ticks the box on the SaaS's sign-up form, a Steward widget, in her browser
        Assert.Equal(HttpStatusCode.Created, (await app.Anonymous().PostAsJsonAsync($"/v1/public/widgets/{widget.Id}/submissions",
            new { fields = new { email = "ada@example.com" }, consents = new { terms = true } })).StatusCode);
        var consents = await steward.GetConsentsAsync(contact.Id); // what your Steward widgets recorded, with the proof
        var request = await steward.CreateRequestAsync(new RequestInput { Type = "access", Emails = ["ada@example.com"] });
        var export = await steward.ExportAsync("csv"); // all your data, a zip of CSV files: export.Name, export.Content

        var consent = Assert.Single(consents);
        Assert.Equal(("terms", widget.Id, "I accept the terms"), (consent.Purpose, consent.WidgetId, consent.Text));
        Assert.Equal(contact.Id, request.ContactId);
        Assert.Equal("application/zip", export.ContentType); // one CSV file per kind of record
        using (var files = new ZipArchive(new MemoryStream(export.Content)))
            Assert.Contains(files.Entries, f => new StreamReader(f.Open()).ReadToEnd().Contains("ada@example.com", StringComparison.Ordinal));

        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Steward.slnx"))) root = root.Parent!;
        var readme = await File.ReadAllTextAsync(Path.Combine(root.FullName, "README.md"));
        var block = readme[readme.IndexOf("StewardClient.Create(", StringComparison.Ordinal)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var source = await File.ReadAllTextAsync(Path.Combine(root.FullName, "tests", "Steward.Tests", "Clients", "ClientLibraryTests.cs"));
        var lines = block.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("var ", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, line => Assert.Contains(line, source, StringComparison.Ordinal));

        // the build packed the client: its nupkg carries the dll this test ran against, and the README
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var nupkg = Path.Combine(root.FullName, "src", "Steward.Client", "bin", configuration, "Steward.Client.0.1.0.nupkg");
        Assert.True(File.Exists(nupkg), $"the build did not pack {nupkg}");
        using var package = ZipFile.OpenRead(nupkg);
        await using var packed = package.GetEntry("lib/net10.0/Steward.Client.dll")!.Open();
        Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Steward.Client.dll"))), await SHA256.HashDataAsync(packed));
        Assert.NotNull(package.GetEntry("README.md"));
    }
}
