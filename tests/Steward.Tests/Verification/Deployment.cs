using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// A deployment of Steward run as the real server process (src/Steward.Server) on one engine: its data directory,
/// its database and its key-encryption key outlive the process, which can be killed with SIGKILL and started again.
/// </summary>
public sealed class Deployment : IAsyncDisposable
{
    private readonly string _database = "steward_crash_" + Guid.NewGuid().ToString("N");
    private readonly StringBuilder _output = new();
    private Process? _process;

    private Deployment(Engine engine) => Engine = engine;

    /// <summary>Another node of <paramref name="first"/>: the same database, data directory and key; it drops nothing when disposed.</summary>
    private Deployment(Deployment first)
    {
        Engine = first.Engine;
        _database = first._database;
        DataDirectory = first.DataDirectory;
        Kek = first.Kek;
        Postgres = first.Postgres;
        _sharesStores = true;
    }

    private readonly bool _sharesStores;

    public Engine Engine { get; }
    public string DataDirectory { get; } = Canaries.NewDataDirectory("steward-crash-");
    public string Kek { get; } = Canaries.Secret(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    public string? Postgres { get; private set; }
    public string MailDrop => Path.Combine(DataDirectory, "mail");
    public Uri? Address { get; private set; }
    public int Kills { get; private set; }
    /// <summary>Configuration for the server process, as environment variables ("Logging__LogLevel__Default"); these win.</summary>
    public Dictionary<string, string> Settings { get; } = [];

    public static async Task<Deployment> CreateAsync(Engine engine)
    {
        var deployment = new Deployment(engine);
        if (engine == Engine.Postgres) deployment.Postgres = await Engines.CreateDatabaseAsync(deployment._database);
        return deployment;
    }

    /// <summary>A second server process on this deployment's stores (several nodes on one PostgreSQL); start it with <see cref="StartAsync"/>.</summary>
    public Deployment AnotherNode() => new(this);

    /// <summary>
    /// Starts the server and waits until it answers /readyz (migrations applied, the ledger replayed); with
    /// <paramref name="waitUntilReady"/> false, returns at once (to catch the jobs that run as it starts).
    /// </summary>
    public async Task StartAsync(bool waitUntilReady = true)
    {
        var port = FreePort();
        Address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Steward.Server.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDirectory,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = Address.ToString(),
            ["Urls"] = Address.ToString(),
            ["Steward__DataDirectory"] = DataDirectory,
            ["Steward__Keys__KeyEncryptionKey"] = Kek,
            ["Steward__Mail__DropDirectory"] = MailDrop,
            ["Steward__Mail__PollSeconds"] = "1",
            ["Steward__Mail__LeaseSeconds"] = "2", // a killed node's claim on a message runs out quickly
            ["Steward__RateLimits__PublicPerMinute"] = "100000",
            ["Steward__RateLimits__SignUpPerMinute"] = "100000",
            ["Steward__Database__Provider"] = Engine == Engine.Postgres ? "Postgres" : "Sqlite",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (Postgres is not null) environment["ConnectionStrings__Steward"] = Postgres;
        foreach (var (key, value) in Settings) environment[key] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!waitUntilReady) return;
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited) throw new InvalidOperationException("The server exited at start:\n" + Output);
            try
            {
                if ((await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("The server did not become ready:\n" + Output);
    }

    /// <summary>kill -9: no shutdown, no flush, no finally blocks.</summary>
    public void Kill()
    {
        _process!.Kill(entireProcessTree: true);
        _process.WaitForExit();
        Kills++;
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public HttpClient Client(string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(100) };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    /// <summary>A new client, signed up over HTTP as a customer would; its API key.</summary>
    public async Task<(Guid ClientId, string ApiKey)> SignUpAsync()
    {
        using var http = Client();
        var agreements = await http.GetFromJsonAsync<JsonElement>("/v1/agreements");
        var response = await http.PostAsJsonAsync("/v1/signup", new
        {
            name = "Crash client",
            ownerName = "Owner Person",
            ownerEmail = $"owner-{Guid.NewGuid():N}@client.example",
            ownerPassword = "a long enough password",
            acceptances = agreements.EnumerateArray().Select(a => new { document = a.GetProperty("document").GetString(), version = a.GetProperty("version").GetString(), accepted = true }),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        return (body.GetProperty("clientId").GetGuid(), body.GetProperty("apiKey").GetString()!);
    }

    /// <summary>One number from the data database, read directly (the server may be down).</summary>
    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters) =>
        Convert.ToInt64((await QueryAsync(sql, r => r.GetValue(0), "steward.db", parameters)).Single(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Rows read directly from one of the stores: <paramref name="file"/> is the SQLite file (steward.db, keys.db,
    /// ledger.db); on PostgreSQL every store is a schema of the one database, named in the SQL.
    /// </summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, string file = "steward.db", params (string Name, object Value)[] parameters)
    {
        await using var connection = Connection(file, "ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    /// <summary>A direct write to the data database, as an operator's SQL would make it (the server may be running).</summary>
    public async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = Connection("steward.db", "ReadWrite");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = (Engine == Engine.Sqlite ? "PRAGMA busy_timeout=30000; " : "") + sql;
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Holds the write lock of one store until disposed, as a long transaction of an operator would: the server's
    /// writes to it wait (reads go on). <paramref name="file"/> is the SQLite file; on PostgreSQL, the table named.
    /// A test stops the server at a chosen step this way, not by racing it.
    /// </summary>
    public async Task<IAsyncDisposable> HoldWritesAsync(string file, string pgTable)
    {
        var connection = Connection(file, "ReadWrite");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = Engine == Engine.Sqlite ? "PRAGMA busy_timeout=30000; BEGIN IMMEDIATE" : $"BEGIN; LOCK TABLE {pgTable} IN EXCLUSIVE MODE";
        await command.ExecuteNonQueryAsync();
        return connection; // closing it rolls the transaction back and releases the lock
    }

    /// <summary>A data-table id as the engine stores it: EF Core keeps a Guid as upper-case text on SQLite.</summary>
    public object Id(Guid id) => Engine == Engine.Sqlite ? id.ToString().ToUpperInvariant() : id;

    private DbConnection Connection(string file, string mode) => Engine == Engine.Postgres ? new NpgsqlConnection(Postgres)
        : new SqliteConnection($"Data Source={Path.Combine(DataDirectory, file)};Mode={mode};Pooling=False");

    /// <summary>The real CLI against this deployment's stores.</summary>
    public async Task<(int Exit, string Output)> CliAsync(params string[] command)
    {
        var args = new List<string> { Path.Combine(AppContext.BaseDirectory, "Steward.Cli.dll") };
        args.AddRange(command);
        args.AddRange(["--data-dir", DataDirectory]);
        if (Postgres is not null) args.AddRange(["--provider", "Postgres", "--connection", Postgres]);
        var start = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Steward__Keys__KeyEncryptionKey"] = Kek;
        start.Environment.Remove("Steward__Database__Provider");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output + await errors).Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) Kill();
        _process?.Dispose();
        Canaries.KeepLog("server", [Output]);
        if (_sharesStores) return;
        if (Postgres is not null) await Engines.DropDatabaseAsync(_database);
        SqliteConnection.ClearAllPools();
        if (Canaries.KeepData) return; // the run's scan reads it; test.sh removes the run directory after
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
