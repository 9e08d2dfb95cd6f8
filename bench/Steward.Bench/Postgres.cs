using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Steward.Bench;

/// <summary>
/// The PostgreSQL server the bench runs on: the one in STEWARD_BENCH_POSTGRES, or a throwaway PostgreSQL 15 that
/// it starts on a free loopback port and always stops. Durability is left at the server's defaults (fsync,
/// synchronous commit): the limits in PERFORMANCE.md are measured that way.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "STEWARD_BENCH_POSTGRES";
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string? _directory;

    private PostgresServer(string connectionString, string? directory)
    {
        ConnectionString = connectionString;
        _directory = directory;
    }

    /// <summary>A connection string to the server's maintenance database (to create and drop bench databases).</summary>
    public string ConnectionString { get; }

    public string Description => _directory is null ? "from " + EnvironmentVariable : "throwaway PostgreSQL 15";

    /// <summary>The server, or null with the reason it could not be had.</summary>
    public static async Task<(PostgresServer? Server, string? Problem)> TryStartAsync(CancellationToken ct)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var given = new PostgresServer(configured, null);
            return await given.ProbeAsync(ct) is { } unreachable ? (null, $"{EnvironmentVariable}: {unreachable}") : (given, null);
        }
        if (OperatingSystem.IsWindows()) return (null, "a throwaway server is started on Linux only");
        if (!File.Exists(Path.Combine(Bin, "initdb"))) return (null, $"no PostgreSQL 15 in {Bin}");

        var directory = Directory.CreateTempSubdirectory("steward-bench-pg-").FullName;
        var server = new PostgresServer("", directory);
        try
        {
            // initdb refuses root: the cluster then belongs to the postgres system user
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            if (Environment.IsPrivilegedProcess) await RunAsync("chown", ["postgres", directory], ct);
            var data = Path.Combine(directory, "data");
            await RunAsPostgresAsync(ct, Path.Combine(Bin, "initdb"), "-D", data, "--auth=trust", "-E", "UTF8", "-U", "postgres");
            string? lastError = null;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var port = FreeLoopbackPort();
                try
                {
                    await RunAsPostgresAsync(ct, Path.Combine(Bin, "pg_ctl"), "-D", data, "-w", "-l", Path.Combine(directory, "server.log"),
                        "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=400", "start");
                    var started = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", directory);
                    if (await started.ProbeAsync(ct) is not { } unreachable) return (started, null);
                    await started.DisposeAsync();
                    return (null, unreachable);
                }
                catch (InvalidOperationException e)
                {
                    lastError = e.Message; // most likely the port was taken in between: try another
                }
            }
            await server.DisposeAsync();
            return (null, lastError);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            await server.DisposeAsync();
            return (null, e.Message);
        }
    }

    /// <summary>Null when the server answers, else why not.</summary>
    private async Task<string?> ProbeAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(ct);
            return null;
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException or TimeoutException)
        {
            return e.Message;
        }
    }

    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct)
    {
        await using (var admin = new NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(ct);
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is null) return;
        NpgsqlConnection.ClearAllPools();
        var data = Path.Combine(_directory, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                // not cancellable: the server must go even when the run was interrupted
                await RunAsPostgresAsync(CancellationToken.None, Path.Combine(Bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "stop");
            }
            catch (InvalidOperationException e)
            {
                Log.Progress($"postgres: could not stop the server in {data}: {e.Message}");
                return; // keep the directory: the server may still be using it
            }
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException e)
        {
            Log.Progress($"postgres: could not remove {_directory}: {e.Message}");
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsPostgresAsync(CancellationToken ct, params string[] command) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", string.Join(' ', command.Select(Quote))], ct)
            : RunAsync(command[0], command[1..], ct);

    private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''") + "'";

    private static async Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {process.ExitCode}: " +
                (await error + await output).Trim());
    }
}
