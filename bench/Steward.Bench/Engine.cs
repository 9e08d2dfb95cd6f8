using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Bench;

internal enum EngineKind { Sqlite, Postgres }

/// <summary>
/// One Steward deployment for the run, built as the server builds it (AddSteward, InitializeStewardAsync): its
/// own SQLite directory or its own PostgreSQL database, removed afterwards. The bench sets the KEK, so the raw
/// limits can unwrap keys with their own AesGcm, and reaches the same stores with plain ADO.NET.
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly PostgresServer? _server;
    private readonly string? _database;

    private BenchEngine(EngineKind kind, ServiceProvider services, string directory, PostgresServer? server, string? database,
        RawCrypto crypto)
    {
        Kind = kind;
        Services = services;
        DataDirectory = directory;
        _server = server;
        _database = database;
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        Data = new RawStore(kind, storage.DataConnectionString);
        Keys = new RawStore(kind, storage.KeysConnection);
        Crypto = crypto;
    }

    public EngineKind Kind { get; }
    public string Name => Kind == EngineKind.Sqlite ? "sqlite" : "postgres";
    public ServiceProvider Services { get; }
    public string DataDirectory { get; }
    /// <summary>Steward's data database, reached directly.</summary>
    public RawStore Data { get; }
    /// <summary>Steward's key store (keys.db, or the steward_keys schema), reached directly.</summary>
    public RawStore Keys { get; }
    public RawCrypto Crypto { get; }
    /// <summary>This deployment's settings (data directory, KEK, database) as the server process reads them.</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; private init; } = new Dictionary<string, string>();

    public static async Task<BenchEngine> StartAsync(EngineKind kind, PostgresServer? server, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("steward-bench-").FullName;
        var kek = RandomNumberGenerator.GetBytes(32);
        var settings = new Dictionary<string, string?>
        {
            ["Steward:DataDirectory"] = directory,
            ["Steward:Keys:KeyEncryptionKey"] = Convert.ToBase64String(kek),
        };
        string? database = null;
        ServiceProvider? services = null;
        try
        {
            if (kind == EngineKind.Postgres)
            {
                database = "steward_bench_" + Guid.NewGuid().ToString("N");
                settings["Steward:Database:Provider"] = "Postgres";
                settings["ConnectionStrings:Steward"] = await server!.CreateDatabaseAsync(database, ct);
            }
            services = BuildServices(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            await services.InitializeStewardAsync(ct);
            var vault = services.GetRequiredService<KeyVault>();
            // setup only: the raw side needs the same blind-index root to find what Steward indexed
            var root = await vault.SecretAsync("blind-index-root", ct);
            return new BenchEngine(kind, services, directory, server, database, new RawCrypto(kek, vault.KekId, root))
            {
                // the real server on this same deployment takes them as environment variables (Steward__DataDirectory, …)
                ServerEnvironment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!),
            };
        }
        catch
        {
            if (services is not null) await services.DisposeAsync();
            if (database is not null) await server!.DropDatabaseAsync(database);
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Steward's services as the server registers them (AddSteward), logging warnings to stderr.</summary>
    public static ServiceProvider BuildServices(IConfiguration configuration) => new ServiceCollection()
        // EF Core logs a failed command when a fresh database has no migrations table yet; failures that
        // matter surface as exceptions, counted per figure
        .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None))
        .Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
        .AddSteward(configuration)
        .BuildServiceProvider();

    /// <summary>A client row, as sign-up would leave it (its owner and API key play no part in these figures).</summary>
    public async Task<Guid> AddClientAsync(string name, CancellationToken ct)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
        var client = new Client { Id = Guid.CreateVersion7(), Name = name, CreatedAt = DateTimeOffset.UtcNow };
        db.Clients.Add(client);
        await db.SaveChangesAsync(ct);
        return client.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await Data.DisposeAsync();
        await Keys.DisposeAsync();
        Crypto.Dispose();
        await Services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_database is not null) await _server!.DropDatabaseAsync(_database);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException e)
        {
            Log.Progress($"could not remove {DataDirectory}: {e.Message}");
        }
    }
}

/// <summary>Plain ADO.NET on one of Steward's stores, for the raw limits: no Steward code on this side.</summary>
internal sealed class RawStore : IAsyncDisposable
{
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();
    private readonly NpgsqlDataSource? _postgres;
    private readonly string _connectionString;

    public RawStore(EngineKind kind, string connectionString)
    {
        _connectionString = connectionString;
        // a limit is plain ADO.NET at its best: statements prepared once per connection (SQLite keeps them
        // prepared on a reused command; Npgsql needs auto-prepare for that)
        if (kind == EngineKind.Postgres)
            _postgres = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
            { MaxAutoPrepare = 32, AutoPrepareMinUsages = 2 }.ConnectionString);
    }

    public bool IsSqlite => _postgres is null;

    /// <summary>SQLite has one writer per file: writers queue in process instead of polling on SQLITE_BUSY.</summary>
    private SemaphoreSlim WriteGate { get; } = new(1, 1);

    public async Task<DbConnection> OpenAsync(CancellationToken ct, string extraPragmas = "")
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        // the settings Steward uses: WAL (set on the file when it was made), NORMAL sync, wait for the writer
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;" + extraPragmas;
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    /// <summary>Steward makes the chain head with its first event; the raw sides need it there to lock it.</summary>
    public async Task EnsureChainHeadAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var insert = Command(connection,
            """INSERT INTO "AuditChainHeads" ("Id", "Seq", "Hash") VALUES (1, 0, @h) ON CONFLICT ("Id") DO NOTHING""", "@h");
        Set(insert, new byte[32]);
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A timestamp as the column holds it: EF Core's binary ticks on SQLite, timestamptz on PostgreSQL.</summary>
    public object Time(DateTimeOffset at) => IsSqlite ? SqliteTime.ConvertToProvider(at)! : at;

    /// <summary>A stored timestamp column read back as Unix milliseconds (what the audit chain hashes).</summary>
    public long UnixMilliseconds(DbDataReader reader, int ordinal) => IsSqlite
        ? ((DateTimeOffset)SqliteTime.ConvertFromProvider(reader.GetInt64(ordinal))!).ToUnixTimeMilliseconds()
        : reader.GetFieldValue<DateTimeOffset>(ordinal).ToUnixTimeMilliseconds();

    public async Task EnterWriteAsync(CancellationToken ct)
    {
        if (IsSqlite) await WriteGate.WaitAsync(ct);
    }

    public void ExitWrite()
    {
        if (IsSqlite) WriteGate.Release();
    }

    /// <summary>A command to reuse: its parameters are made once, in order, and set with <see cref="Set"/>.</summary>
    public static DbCommand Command(DbConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public static void Set(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        WriteGate.Dispose();
    }
}
