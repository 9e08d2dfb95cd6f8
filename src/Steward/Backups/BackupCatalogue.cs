using System.Data.Common;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Backups;

/// <summary>
/// The list of backups, kept beside the forget ledger (its own SQLite file, its own PostgreSQL schema) and never in
/// the data database, so that restoring a backup does not roll the catalogue back with it.
/// </summary>
public sealed class BackupCatalogue(IOptions<StorageOptions> storage) : IAsyncDisposable
{
    private const string SqliteSchema = """
        CREATE TABLE IF NOT EXISTS backup_catalogue (
            id BLOB PRIMARY KEY, taken_at INTEGER NOT NULL, size INTEGER NOT NULL, location TEXT NOT NULL,
            region TEXT NOT NULL, sha256 TEXT, migration TEXT, status TEXT NOT NULL) WITHOUT ROWID;
        """;

    private const string PostgresSchema = """
        CREATE SCHEMA IF NOT EXISTS steward_ledger;
        CREATE TABLE IF NOT EXISTS steward_ledger.backup_catalogue (
            id uuid PRIMARY KEY, taken_at bigint NOT NULL, size bigint NOT NULL, location text NOT NULL,
            region text NOT NULL, sha256 text, migration text, status text NOT NULL);
        """;

    public const string Creating = "creating";
    public const string Available = "available";
    public const string Failed = "failed";
    /// <summary>Past retention: the file deleted, the key destroyed; the row stays as the record of it.</summary>
    public const string Expired = "expired";

    private readonly SqlStore _store = new(storage.Value.Database.Provider, storage.Value.LedgerConnection, durableCommits: true);

    public sealed record Entry(Guid Id, DateTimeOffset TakenAt, long Size, string Location, string Region, string? Sha256, string? Migration, string Status);

    public Task InitializeAsync(CancellationToken ct) => _store.InitializeAsync(SqliteSchema, PostgresSchema, ct);

    public Task AddAsync(Entry entry, CancellationToken ct) => WriteAsync(
        "INSERT INTO backup_catalogue (id, taken_at, size, location, region, sha256, migration, status) VALUES (@i, @t, @s, @l, @r, @h, @m, @st)",
        ct, ("@i", entry.Id), ("@t", entry.TakenAt.ToUnixTimeMilliseconds()), ("@s", entry.Size), ("@l", entry.Location),
        ("@r", entry.Region), ("@h", entry.Sha256), ("@m", entry.Migration), ("@st", entry.Status));

    public Task CompleteAsync(Guid id, long size, string sha256, CancellationToken ct) => WriteAsync(
        "UPDATE backup_catalogue SET size = @s, sha256 = @h, status = @st WHERE id = @i",
        ct, ("@i", id), ("@s", size), ("@h", sha256), ("@st", Available));

    public Task SetStatusAsync(Guid id, string status, CancellationToken ct) =>
        WriteAsync("UPDATE backup_catalogue SET status = @st WHERE id = @i", ct, ("@i", id), ("@st", status));

    public async Task<Entry?> FindAsync(Guid id, CancellationToken ct) =>
        (await QueryAsync("WHERE id = @i", ct, ("@i", id))).SingleOrDefault();

    /// <summary>Every backup, newest first.</summary>
    public Task<List<Entry>> ListAsync(CancellationToken ct) => QueryAsync("", ct);

    /// <summary>Backups taken before <paramref name="before"/> whose file or key may still exist.</summary>
    public Task<List<Entry>> OlderThanAsync(DateTimeOffset before, CancellationToken ct) =>
        QueryAsync("WHERE taken_at < @t AND status <> @st", ct, ("@t", before.ToUnixTimeMilliseconds()), ("@st", Expired));

    private async Task<List<Entry>> QueryAsync(string where, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var connection = await _store.OpenAsync(ct);
        await using var select = SqlStore.Command(connection,
            $"SELECT id, taken_at, size, location, region, sha256, migration, status FROM backup_catalogue {where} ORDER BY taken_at DESC, id DESC",
            null, parameters);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var entries = new List<Entry>();
        while (await reader.ReadAsync(ct)) entries.Add(Read(reader));
        return entries;
    }

    private static Entry Read(DbDataReader r) => new(r.GetGuid(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2),
        r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7));

    private async Task WriteAsync(string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        if (_store.IsSqlite) await _store.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await _store.OpenAsync(ct);
            await using var command = SqlStore.Command(connection, sql, null, parameters);
            await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            if (_store.IsSqlite) _store.WriteGate.Release();
        }
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
