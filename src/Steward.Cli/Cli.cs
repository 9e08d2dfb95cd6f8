using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Steward.Audit;
using Steward.Data;
using Steward.Server.Jobs;

namespace Steward.Cli;

/// <summary>Exit codes scripts can rely on (docs/operations.md).</summary>
public static class Exit
{
    /// <summary>Done, nothing wrong found.</summary>
    public const int Ok = 0;
    /// <summary>The command ran and found something wrong: a broken chain, failed rows, keys still to re-wrap.</summary>
    public const int Found = 1;
    /// <summary>Refused before any work: bad arguments, an unknown client or breach, a missing file.</summary>
    public const int Refused = 2;
    /// <summary>Could not run: the database unreachable, an unexpected error.</summary>
    public const int Failed = 3;
}

/// <summary>What every command shares: the options that say where the data is, and the services built from them.</summary>
public sealed class Cli
{
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "The data directory (Steward:DataDirectory); default ./data", Recursive = true };
    public Option<string?> Provider { get; } = new("--provider") { Description = "Sqlite or Postgres (Steward:Database:Provider)", Recursive = true };
    public Option<string?> Connection { get; } = new("--connection") { Description = "The database connection string (ConnectionStrings:Steward)", Recursive = true };

    /// <summary>The options given on the command line, as settings over environment variables.</summary>
    public Dictionary<string, string?> Settings(ParseResult parse)
    {
        var settings = new Dictionary<string, string?>();
        if (parse.GetValue(DataDir) is { } d) settings["Steward:DataDirectory"] = d;
        if (parse.GetValue(Provider) is { } p) settings["Steward:Database:Provider"] = p;
        if (parse.GetValue(Connection) is { } c) settings["ConnectionStrings:Steward"] = c;
        return settings;
    }

    /// <summary>The same services as the server (use cases, stores, jobs), without HTTP; call InitializeStewardAsync before use.</summary>
    public ServiceProvider Services(ParseResult parse)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(Settings(parse)).Build();
        return new ServiceCollection()
            .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddSteward(configuration)
            .AddStewardJobs(onTimers: false)
            .BuildServiceProvider();
    }

    /// <summary>A scope acting as the CLI (audit actor "cli"), for one client when given: its tenant filter on.</summary>
    public static AsyncServiceScope Scope(IServiceProvider services, Guid? clientId = null)
    {
        var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<StewardDb>().TenantId = clientId;
        var actor = scope.ServiceProvider.GetRequiredService<AuditContext>();
        (actor.ActorType, actor.ClientId) = ("cli", clientId);
        return scope;
    }

    /// <summary>Records a read the CLI made, as the API's middleware records each request.</summary>
    public static async Task AuditAsync(IServiceProvider scoped, string action, string resourceType, string? resourceId, CancellationToken ct)
    {
        var db = scoped.GetRequiredService<StewardDb>();
        await using var write = await db.BeginWriteAsync(ct);
        await scoped.GetRequiredService<AuditLog>().RecordAsync(db, action, resourceType, resourceId, ct);
        await write.CommitAsync(ct);
    }

    public static int Refuse(string message)
    {
        Console.Error.WriteLine(message);
        return Exit.Refused;
    }
}
