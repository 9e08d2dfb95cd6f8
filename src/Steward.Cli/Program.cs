using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Steward;
using Steward.Audit;

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
        root.Subcommands.Add(migrate);
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
