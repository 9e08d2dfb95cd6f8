using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Steward.Breaches;
using Steward.Notifications;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Cli;

/// <summary>The `steward` commands, each run as the real CLI in its own process against the app's database.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Every_command_answers_help_and_bad_arguments_exit_2()
    {
        await using var app = await StewardApp.StartAsync(Engine.Sqlite);
        string[] commands = ["serve", "migrate", "demo", "import contacts", "export", "sweep", "audit verify", "report ropa", "report breach", "report destruction",
            "keys rotate", "staff setup", "backup create", "backup list", "backup restore"];
        foreach (var command in commands)
        {
            var (exit, output, _) = await app.RunCliAsync([.. command.Split(' '), "--help"]);
            Assert.True(exit == 0, command);
            Assert.Contains("Usage:", output, StringComparison.Ordinal);
        }
        var (code, _, errors) = await app.RunCliAsync("export", "--no-such-option");
        Assert.Equal(2, code);
        Assert.Contains("--no-such-option", errors, StringComparison.Ordinal);
        Assert.Equal(2, (await app.RunCliAsync("no-such-command")).Exit);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Migrate_creates_a_fresh_database_key_vault_and_ledger_and_a_second_run_changes_nothing(Engine engine)
    {
        var directory = Directory.CreateTempSubdirectory("steward-migrate-").FullName;
        var database = "steward_migrate_" + Guid.NewGuid().ToString("N");
        var connection = engine == Engine.Postgres ? await Engines.CreateDatabaseAsync(database) : null;
        try
        {
            async Task<long> AppliedAsync()
            {
                await using System.Data.Common.DbConnection db = connection is null
                    ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(directory, "steward.db")};Pooling=False")
                    : new Npgsql.NpgsqlConnection(connection);
                await db.OpenAsync();
                await using var count = db.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM \"__EFMigrationsHistory\"";
                return Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            }
            async Task<(int Exit, string Output)> MigrateAsync()
            {
                List<string> args = [Path.Combine(AppContext.BaseDirectory, "Steward.Cli.dll"), "migrate", "--data-dir", directory];
                if (connection is not null) args.AddRange(["--provider", "Postgres", "--connection", connection]);
                var start = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
                start.Environment.Remove("Steward__Database__Provider");
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEndAsync();
                var errors = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                return (process.ExitCode, await output + await errors);
            }

            var (exit, output) = await MigrateAsync();
            Assert.True(exit == 0, output);
            Assert.Contains("up to date", output, StringComparison.Ordinal);
            var applied = await AppliedAsync();
            Assert.True(applied > 0);
            if (connection is null) Assert.All(new[] { "keys.db", "ledger.db" }, f => Assert.True(File.Exists(Path.Combine(directory, f)), f));
            Assert.Equal(0, (await MigrateAsync()).Exit);
            Assert.Equal(applied, await AppliedAsync());
        }
        finally
        {
            if (connection is not null) await Engines.DropDatabaseAsync(database);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Export_writes_a_clients_contacts_as_json_and_as_csv_a_spreadsheet_will_not_run(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        await tenant.Http.PutAsJsonAsync(tenant.Base + "/fields", new[] { new { name = "seats", type = "number", required = false } });
        Assert.Equal(HttpStatusCode.Created, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts",
            new { email = "ada@example.com", firstName = "=HYPERLINK(\"http://evil.example\")", lastName = "Lovelace, \"Countess\"", custom = new { seats = 3 } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Http.PostAsJsonAsync(tenant.Base + "/contacts", new { email = "bob@example.com", firstName = "+Bob" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await other.Http.PostAsJsonAsync(other.Base + "/contacts", new { email = "someone@else.example" })).StatusCode);

        var (exit, output, errors) = await app.RunCliAsync("export", "--client", tenant.ClientId.ToString());
        Assert.True(exit == 0, errors);
        var contacts = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["ada@example.com", "bob@example.com"], contacts.Select(c => c.GetProperty("email").GetString()).Order());
        Assert.Equal(3, contacts.Single(c => c.GetProperty("email").GetString() == "ada@example.com").GetProperty("custom").GetProperty("seats").GetInt32());

        // the export is the client's copy, in clear by design: written where an operator would put it, not in the data directory
        var file = Path.Combine(Path.GetTempPath(), $"steward-export-{Guid.NewGuid():N}.csv");
        (exit, _, errors) = await app.RunCliAsync("export", "--client", tenant.ClientId.ToString(), "--format", "csv", "--output", file);
        Assert.True(exit == 0, errors);
        var csv = await File.ReadAllTextAsync(file);
        File.Delete(file);
        Assert.StartsWith("id,email,firstName,lastName,", csv, StringComparison.Ordinal);
        Assert.Contains(",custom.seats\r\n", csv, StringComparison.Ordinal);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\"", csv, StringComparison.Ordinal);
        Assert.Contains("\"'+Bob\"", csv, StringComparison.Ordinal);
        Assert.Contains("\"Lovelace, \"\"Countess\"\"\"", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("someone@else.example", csv, StringComparison.Ordinal);

        // the read is in the client's audit log; an unknown client is refused
        Assert.Equal(2, await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "ExportContacts" && e.ClientId == tenant.ClientId && e.ActorType == "cli")));
        Assert.Equal(2, (await app.RunCliAsync("export", "--client", Guid.NewGuid().ToString())).Exit);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Reports_print_the_record_of_processing_and_the_breach_register_exit_1_while_a_clock_is_overdue(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync("Acme Reports Ltd");

        var (exit, output, errors) = await app.RunCliAsync("report", "ropa");
        Assert.True(exit == 0, errors);
        var record = JsonDocument.Parse(output).RootElement;
        Assert.Equal("processor", record.GetProperty("kind").GetString());
        Assert.Contains(record.GetProperty("record").GetProperty("controllers").EnumerateArray(), c => c.GetProperty("name").GetString() == "Acme Reports Ltd");
        (exit, output, _) = await app.RunCliAsync("report", "ropa", "--kind", "controller", "--html");
        Assert.Equal(0, exit);
        Assert.Contains("Art. 30(1)", output, StringComparison.Ordinal);

        (exit, output, _) = await app.RunCliAsync("report", "breach");
        Assert.Equal(0, exit);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetArrayLength());

        // a confirmed breach: its clocks run on real time in the CLI, days after the test's clock, so it is overdue
        var dpo = await app.DpoAsync();
        var created = await dpo.PostAsJsonAsync("/v1/processor/breaches", new { detectedAt = app.Clock.GetUtcNow(), nature = "Laptop stolen", clientIds = new[] { tenant.ClientId } });
        var id = (await created.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await dpo.PostAsJsonAsync($"/v1/processor/breaches/{id}/status", new { status = "confirmed", note = "disk unencrypted" })).StatusCode);
        (exit, output, _) = await app.RunCliAsync("report", "breach", id.ToString());
        Assert.Equal(1, exit);
        var breach = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Laptop stolen", breach.GetProperty("nature").GetString());
        Assert.True(breach.GetProperty("overdue").GetBoolean());
        Assert.Equal(2, (await app.RunCliAsync("report", "breach", Guid.NewGuid().ToString())).Exit);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Sweep_runs_each_job_once_delivering_what_the_outbox_holds(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var governance = await app.SetUpGovernanceAsync();
        var added = await governance.Ceo.Http.PostAsJsonAsync("/v1/staff", new { name = "New Person", email = "new.person@processor.example", role = "customer-success" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.True(await app.WithDbAsync((db, _) => db.OutboxMessages.AnyAsync(m => m.Status == OutboxMessage.Pending)));

        var (exit, output, errors) = await app.RunCliAsync("sweep");
        Assert.True(exit == 0, output + errors);
        Assert.Contains("Notification delivery: done.", output, StringComparison.Ordinal);
        Assert.Contains("Breach clock and duty reminders: done.", output, StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync((db, _) => db.OutboxMessages.AnyAsync(m => m.Status == OutboxMessage.Pending)));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Staff_setup_creates_the_first_CEO_and_DPO_once(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (exit, output, errors) = await app.RunCliAsync("staff", "setup", "--ceo-name", "Cleo Chief", "--ceo-email", "cleo@processor.example",
            "--dpo-name", "Dana Protect", "--dpo-email", "dana@processor.example");
        Assert.True(exit == 0, output + errors);
        string Token(string role) => new Uri(output.Split('\n').Single(l => l.StartsWith(role + ": ", StringComparison.Ordinal))[(role.Length + 2)..].Trim()).Query.Split("token=")[1];
        var ceo = await app.AcceptAndSignInAsync(Token("ceo"), "cleo@processor.example", "ceo");
        var dpo = await app.AcceptAndSignInAsync(Token("dpo"), "dana@processor.example", "dpo");
        Assert.NotEqual(ceo.Id, dpo.Id);

        // once both exist, there is no setup link to give
        (exit, _, errors) = await app.RunCliAsync("staff", "setup");
        Assert.Equal(2, exit);
        Assert.Contains("has its CEO and DPO", errors, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Serve_runs_the_server_from_the_cli(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var url = $"http://127.0.0.1:{FreePort()}";
        using var server = StartServer(app.CliStart("serve", "--urls", url));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var ready = await WaitReadyAsync(http, server);
            Assert.Equal("ready", ready.GetProperty("status").GetString());
            var agreements = await http.GetFromJsonAsync<JsonElement>("/v1/agreements");
            Assert.True(agreements.GetArrayLength() > 0);
            // the console's stylesheet is served beside the CLI too (the console itself needs HTTPS: its cookies are Secure)
            var css = await http.GetAsync("/css/console.css");
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task Demo_fills_a_fresh_deployment_through_the_use_cases_and_leaves_an_intact_audit_chain(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (exit, output, errors) = await app.RunCliAsync("demo", "--contacts", "60");
        Assert.True(exit == 0, output + errors);
        Assert.Contains("ceo@processor.example", output, StringComparison.Ordinal);
        Assert.Contains("TOTP secret", output, StringComparison.Ordinal);

        await app.WithDbAsync(async (db, _) =>
        {
            Assert.Equal(3, await db.Clients.CountAsync());
            Assert.Equal(60, await db.Contacts.IgnoreQueryFilters().CountAsync());
            Assert.True(await db.ConsentEvents.IgnoreQueryFilters().CountAsync() >= 60);
            Assert.Equal(6, await db.StaffMembers.IgnoreQueryFilters().CountAsync()); // CEO, DPO and one of each staff role (auditors come with a client)
            Assert.Equal(1, await db.AccessGrants.IgnoreQueryFilters().CountAsync(g => g.CeoApprovedBy == null || g.DpoApprovedBy == null));
            Assert.Equal(9, await db.SubjectRequests.IgnoreQueryFilters().CountAsync());
            Assert.Equal(1, await db.Set<Breach>().IgnoreQueryFilters().CountAsync(b => b.AwareAt != null));
            // a 90-day and a 60-day plan (P-20, G-45)
            var windows = await db.Set<Steward.Instructions.DpaTerms>().IgnoreQueryFilters().Select(t => t.PostTerminationDays).ToListAsync();
            Assert.Contains(90, windows);
            Assert.Contains(60, windows);
            return 0;
        });
        // printed credentials work: the CEO signs in with the password and a code of the printed secret
        var secret = output.Split('\n').Single(l => l.Contains("ceo@processor.example", StringComparison.Ordinal)).Split("TOTP secret ")[1].Trim();
        app.Clock.SetUtcNow(DateTimeOffset.UtcNow.AddMinutes(2)); // past the time step the demo signed in with
        var signIn = await app.SignInAsync("ceo@processor.example", "demo passphrase 2026",
            StaffExtensions.Totp(OtpNet.Base32Encoding.ToBytes(secret), app.Clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Created, signIn.StatusCode);

        (exit, output, _) = await app.RunCliAsync("audit", "verify");
        Assert.True(exit == 0, output);
        Assert.Equal(2, (await app.RunCliAsync("demo", "--contacts", "60")).Exit); // a used directory is refused
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A server process whose output is drained (a full pipe would block its logging).</summary>
    public static Process StartServer(ProcessStartInfo start)
    {
        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls /readyz until the process answers ready (two minutes at most, for a loaded machine).</summary>
    public static async Task<JsonElement> WaitReadyAsync(HttpClient http, Process server)
    {
        for (var i = 0; i < 240; i++)
        {
            Assert.False(server.HasExited, $"the server stopped with exit code {(server.HasExited ? server.ExitCode : 0)}");
            try
            {
                var response = await http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK) return await response.Content.ReadFromJsonAsync<JsonElement>();
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(500);
        }
        throw new TimeoutException("The server did not become ready.");
    }
}
