using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Steward;
using Steward.Audit;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Microsoft.EntityFrameworkCore;

namespace Steward.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Thin commands: each builds the same services as the server and calls one use case.
        var dataDir = new Option<string?>("--data-dir") { Description = "The data directory (Steward:DataDirectory); default ./data" };
        var providerOption = new Option<string?>("--provider") { Description = "Sqlite or Postgres (Steward:Database:Provider)" };
        var connection = new Option<string?>("--connection") { Description = "The database connection string (ConnectionStrings:Steward)" };

        var root = new RootCommand("steward: operate a Steward deployment") { dataDir, providerOption, connection };
        dataDir.Recursive = providerOption.Recursive = connection.Recursive = true;

        var migrate = new Command("migrate", "Create or upgrade the database, key vault and forget ledger");
        migrate.SetAction(async (parse, ct) =>
        {
            await using var services = Build(parse, dataDir, providerOption, connection);
            await services.InitializeStewardAsync(ct);
            Console.WriteLine("Database, key vault and forget ledger are up to date.");
            return 0;
        });

        var verify = new Command("verify", "Re-hash the audit chain; exit 1 and name the first bad event if anything was changed, removed or reordered");
        verify.SetAction(async (parse, ct) =>
        {
            await using var services = Build(parse, dataDir, providerOption, connection);
            await using var scope = services.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<VerifyAuditChain>()
                .HandleAsync(ct, new Progress<long>(n => Console.Error.Write($"\rverified {n:N0} events")));
            Console.Error.WriteLine();
            if (report.Intact)
            {
                Console.WriteLine($"The audit chain is intact: {report.Events:N0} events.");
                return 0;
            }
            Console.WriteLine($"The audit chain is BROKEN at event {report.FirstBadSeq}: {report.Problem}.");
            return 1;
        });
        var rotate = new Command("rotate", "Introduce a new key-encryption key and re-wrap every data key under it, online and resumable");
        rotate.SetAction(async (parse, ct) =>
        {
            await using var services = Build(parse, dataDir, providerOption, connection);
            await services.InitializeStewardAsync(ct);
            var report = await services.GetRequiredService<RotateKeys>()
                .HandleAsync(new Progress<long>(n => Console.Error.Write($"\rre-wrapped {n:N0} keys")), ct);
            Console.Error.WriteLine();
            Console.WriteLine(report.PreviousId is null
                ? $"Current key-encryption key: {report.CurrentId}."
                : $"New key-encryption key {report.CurrentId} replaces {report.PreviousId}.");
            Console.WriteLine($"Re-wrapped {report.Rewrapped:N0} keys.");
            foreach (var id in report.Destroyed) Console.WriteLine($"Destroyed retired key-encryption key {id}: nothing uses it.");
            foreach (var id in report.Unused) Console.WriteLine($"Retired key-encryption key {id} wraps nothing now: remove it from Steward:Keys:Retired and destroy it.");
            foreach (var (id, count) in report.StillInUse) Console.WriteLine($"Key-encryption key {id} still wraps {count:N0} keys: run again.");
            return report.StillInUse.Count == 0 ? 0 : 1;
        });
        var clientOption = new Option<Guid>("--client") { Description = "The client whose contacts these are", Required = true };
        var file = new Argument<FileInfo>("file") { Description = "A CSV file with a header row (see docs/operations.md)" };
        var importContacts = new Command("contacts", "Import contacts from CSV with their consent evidence; send the same file again to resume")
        {
            clientOption, file,
        };
        importContacts.SetAction(async (parse, ct) =>
        {
            var (clientId, path) = (parse.GetValue(clientOption), parse.GetRequiredValue(file));
            if (!path.Exists)
            {
                Console.Error.WriteLine($"No such file: {path.FullName}");
                return 2;
            }
            await using var services = Build(parse, dataDir, providerOption, connection);
            await services.InitializeStewardAsync(ct);
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
            if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct))
            {
                Console.Error.WriteLine($"No client {clientId}.");
                return 2;
            }
            db.TenantId = clientId;
            var actor = scope.ServiceProvider.GetRequiredService<AuditContext>();
            (actor.ActorType, actor.ClientId) = ("cli", clientId);
            using var reader = path.OpenText();
            var result = await scope.ServiceProvider.GetRequiredService<ImportContacts>().HandleAsync(clientId, reader,
                new Progress<ImportContacts.Progress>(p => Console.Error.Write(
                    $"\r{p.Rows:N0} rows: {p.Imported:N0} imported, {p.Skipped:N0} skipped, {p.Failed:N0} failed")), ct);
            Console.Error.WriteLine();
            if (result.Error is InvalidError invalid)
            {
                foreach (var (field, messages) in invalid.Fields) Console.WriteLine($"{field}: {string.Join(" ", messages)}");
                return 2;
            }
            var report = result.Value!;
            Console.WriteLine($"Import {report.ImportId}: {report.Rows:N0} rows, {report.Imported:N0} imported, " +
                $"{report.Skipped:N0} skipped (already there), {report.Failed:N0} failed.");
            foreach (var error in report.Errors) Console.WriteLine($"line {error.Line}, {error.Field}: {error.Message}");
            return report.Failed == 0 ? 0 : 1;
        });
        root.Subcommands.Add(new Command("import", "Bulk import") { importContacts });
        root.Subcommands.Add(migrate);
        root.Subcommands.Add(new Command("keys", "The key-encryption keys") { rotate });
        root.Subcommands.Add(new Command("audit", "The audit trail") { verify });

        return await root.Parse(args).InvokeAsync();
    }

    private static ServiceProvider Build(ParseResult parse, Option<string?> dataDir, Option<string?> providerOption, Option<string?> connection)
    {
        var settings = new Dictionary<string, string?>();
        if (parse.GetValue(dataDir) is { } d) settings["Steward:DataDirectory"] = d;
        if (parse.GetValue(providerOption) is { } p) settings["Steward:Database:Provider"] = p;
        if (parse.GetValue(connection) is { } c) settings["ConnectionStrings:Steward"] = c;
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddSteward(configuration);
        return services.BuildServiceProvider();
    }
}
