using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Steward.Data;

/// <summary>
/// A small store reached with plain ADO.NET: the key vault and the forget ledger. They live apart from the
/// EF Core data database on purpose (DESIGN §5), and they are hot paths with two tables each.
/// </summary>
public sealed class SqlStore : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqlStore(DatabaseProvider provider, string connectionString, bool durableCommits = false)
    {
        Provider = provider;
        _connectionString = connectionString;
        // WAL with NORMAL survives a crash of the process; FULL also survives power loss, for stores whose
        // every commit is an erasure that must never come undone.
        _pragmas = $"PRAGMA busy_timeout=30000; PRAGMA synchronous={(durableCommits ? "FULL" : "NORMAL")};";
        // the same few statements run on every call: prepared once per physical connection, not parsed each time
        if (provider == DatabaseProvider.Postgres)
            _postgres = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 32 }.ConnectionString);
    }

    public DatabaseProvider Provider { get; }

    public bool IsSqlite => Provider == DatabaseProvider.Sqlite;

    /// <summary>SQLite has one writer per file: queue writers in process instead of spinning on SQLITE_BUSY.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        SqlitePragmas.ApplyOnce(connection, _pragmas);
        return connection;
    }

    /// <summary>For readiness: the store answers and holds its table. Throws when not.</summary>
    public async Task PingAsync(string table, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, $"SELECT 1 FROM {table} LIMIT 1");
        await command.ExecuteScalarAsync(ct);
    }

    public async Task InitializeAsync(string sqliteSchema, string postgresSchema, CancellationToken ct)
    {
        if (IsSqlite)
        {
            var file = new SqliteConnectionStringBuilder(_connectionString).DataSource;
            var directory = Path.GetDirectoryName(Path.GetFullPath(file));
            if (directory is not null) Directory.CreateDirectory(directory);
        }
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = IsSqlite ? "PRAGMA journal_mode=WAL;\n" + sqliteSchema : postgresSchema;
        await command.ExecuteNonQueryAsync(ct);
    }

    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// Ids as one parameter for SQLite's json_each: a JSON array of the text Microsoft.Data.Sqlite and EF Core store a
    /// Guid as (upper case, dashed). One string a batch instead of a parameter, a boxed Guid and two strings an id.
    /// </summary>
    public static string SqliteIdArray(IReadOnlyCollection<Guid> ids) => ids.Count == 0 ? "[]"
        : string.Create(ids.Count * 39 + 1, ids, static (text, ids) =>
        {
            text[0] = '[';
            var at = 1;
            foreach (var id in ids)
            {
                var cell = text.Slice(at, 39);
                cell[0] = '"';
                id.TryFormat(cell.Slice(1, 36), out _);
                System.Text.Ascii.ToUpperInPlace(cell.Slice(1, 36), out _);
                cell[37] = '"';
                cell[38] = ','; // the last one's becomes the closing bracket
                at += 39;
            }
            text[^1] = ']';
        });

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        WriteGate.Dispose();
    }
}
