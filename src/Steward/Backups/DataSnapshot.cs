using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Steward.Data;

namespace Steward.Backups;

/// <summary>
/// A consistent, online copy of the data database and its way back, per engine. The key store and the forget
/// ledger are never part of it, even when configured into the data database's file or schema.
/// </summary>
public static class DataSnapshot
{
    /// <summary>Tables that belong to the key store, the ledger or the catalogue: never copied, never dropped.</summary>
    private static readonly HashSet<string> NotData = new(StringComparer.Ordinal) { "subject_keys", "vault_secrets", "forget_ledger", "backup_catalogue" };

    private const string History = "__EFMigrationsHistory";

    /// <summary>SQLite: the online backup API into a scratch file beside the database, streamed out, then deleted.</summary>
    public static async Task WriteSqliteAsync(StorageOptions storage, Guid backupId, Stream output, CancellationToken ct)
    {
        var scratch = ScratchPath(storage, backupId);
        try
        {
            await using (var source = new SqliteConnection(storage.DataConnectionString))
            await using (var target = new SqliteConnection($"Data Source={scratch};Pooling=False"))
            {
                await source.OpenAsync(ct);
                await target.OpenAsync(ct);
                source.BackupDatabase(target);
                await using var drop = target.CreateCommand();
                drop.CommandText = string.Join(';', NotData.Select(t => $"DROP TABLE IF EXISTS \"{t}\""));
                await drop.ExecuteNonQueryAsync(ct);
            }
            await using var file = new FileStream(scratch, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 16, FileOptions.SequentialScan);
            await file.CopyToAsync(output, BackupFile.ChunkSize, ct);
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    /// <summary>The SQLite copy a backup is made from, named after it so that a backup cut short can be cleared with it.</summary>
    public static string ScratchPath(StorageOptions storage, Guid backupId) => Path.Combine(storage.FullDataDirectory, $"backup-{backupId:N}.tmp");

    /// <summary>
    /// PostgreSQL, in process: one REPEATABLE READ READ ONLY transaction (one snapshot for every table, writers not
    /// blocked) copying each table of the data schema with binary COPY, parents before children.
    /// Layout: table count, then per table its name, columns and COPY data in length-prefixed pieces ending with 0.
    /// </summary>
    public static async Task WritePostgresAsync(StorageOptions storage, Stream output, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(storage.DataConnectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, tx))
            await readOnly.ExecuteNonQueryAsync(ct);
        var tables = await TablesInDependencyOrderAsync(connection, ct);
        using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        writer.Write(tables.Count);
        var buffer = new byte[1 << 16];
        foreach (var table in tables)
        {
            var columns = await ColumnsAsync(connection, table, ct);
            writer.Write(table);
            writer.Write(columns.Count);
            foreach (var column in columns) writer.Write(column);
            await using (var copy = await connection.BeginRawBinaryCopyAsync(
                $"COPY {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) TO STDOUT (FORMAT BINARY)", ct))
            {
                int read;
                while ((read = await copy.ReadAsync(buffer, ct)) > 0)
                {
                    writer.Write(read);
                    writer.Write(buffer, 0, read);
                }
            }
            writer.Write(0);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>SQLite, server stopped: the snapshot written beside the database, checked, then renamed over it.</summary>
    public static async Task RestoreSqliteAsync(StorageOptions storage, Stream input, CancellationToken ct)
    {
        var database = Path.GetFullPath(new SqliteConnectionStringBuilder(storage.DataConnectionString).DataSource);
        var incoming = database + ".restoring";
        try
        {
            await using (var file = new FileStream(incoming, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await input.CopyToAsync(file, BackupFile.ChunkSize, ct);
                file.Flush(flushToDisk: true);
            }
            await using (var check = new SqliteConnection($"Data Source={incoming};Pooling=False;Mode=ReadOnly"))
            {
                await check.OpenAsync(ct);
                await using var command = check.CreateCommand();
                command.CommandText = "PRAGMA quick_check";
                if (await command.ExecuteScalarAsync(ct) is not "ok") throw new InvalidDataException("The restored database fails SQLite's check.");
            }
            SqliteConnection.ClearAllPools();
            if (File.Exists(database))
            {
                // fold the old WAL in first: a WAL left beside the new file would be replayed onto it
                await using var old = new SqliteConnection($"Data Source={database};Pooling=False");
                await old.OpenAsync(ct);
                await using var checkpoint = old.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await checkpoint.ExecuteNonQueryAsync(ct);
            }
            File.Delete(database + "-wal");
            File.Delete(database + "-shm");
            File.Move(incoming, database, overwrite: true);
        }
        finally
        {
            File.Delete(incoming);
        }
    }

    /// <summary>
    /// PostgreSQL, server stopped, in one transaction: every data table dropped, the schema rebuilt at the backup's
    /// migration from the migrations themselves, every table copied back, identity sequences moved past the rows.
    /// Anything failing rolls the whole of it back and leaves the database as it was.
    /// </summary>
    public static async Task RestorePostgresAsync(StewardDb db, StorageOptions storage, string migration, Stream input, CancellationToken ct)
    {
        var script = db.GetService<IMigrator>().GenerateScript(null, migration, MigrationsSqlGenerationOptions.NoTransactions);
        await using var connection = new NpgsqlConnection(storage.DataConnectionString);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var existing = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", connection, tx))
        await using (var reader = await list.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) existing.Add(reader.GetString(0));
        var drop = string.Concat(existing.Where(t => !NotData.Contains(t)).Select(t => $"DROP TABLE IF EXISTS {Quote(t)} CASCADE;\n"));
        await using (var rebuild = new NpgsqlCommand(drop + script, connection, tx))
            await rebuild.ExecuteNonQueryAsync(ct);

        using var reader2 = new BinaryReader(input, Encoding.UTF8, leaveOpen: true);
        var tables = reader2.ReadInt32();
        var buffer = new byte[1 << 16];
        for (var t = 0; t < tables; t++)
        {
            var table = reader2.ReadString();
            var columns = Enumerable.Range(0, reader2.ReadInt32()).Select(_ => reader2.ReadString()).ToList();
            // the history the script just wrote is the one the backup holds
            var copy = table == History || NotData.Contains(table) ? null : await connection.BeginRawBinaryCopyAsync(
                $"COPY {Quote(table)} ({string.Join(", ", columns.Select(Quote))}) FROM STDIN (FORMAT BINARY)", ct);
            await using (copy)
            {
                int length;
                while ((length = reader2.ReadInt32()) > 0)
                {
                    if (length > buffer.Length) buffer = new byte[length];
                    input.ReadExactly(buffer, 0, length);
                    if (copy is not null) await copy.WriteAsync(buffer.AsMemory(0, length), ct);
                }
            }
        }
        await using (var sequences = new NpgsqlCommand("""
            DO $$ DECLARE r record; BEGIN
              FOR r IN SELECT table_name, column_name FROM information_schema.columns
                       WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%') LOOP
                EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE((SELECT max(%I) FROM %I), 0) + 1, false)',
                  quote_ident(r.table_name), r.column_name, r.column_name, r.table_name);
              END LOOP;
            END $$;
            """, connection, tx))
            await sequences.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<List<string>> TablesInDependencyOrderAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                if (!NotData.Contains(reader.GetString(0))) tables.Add(reader.GetString(0));
        var parents = tables.ToDictionary(t => t, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        await using (var keys = new NpgsqlCommand("""
            SELECT child.relname, parent.relname FROM pg_constraint c
            JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace
            WHERE c.contype = 'f' AND n.nspname = current_schema() AND child.oid <> parent.oid
            """, connection))
        await using (var reader = await keys.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                if (parents.TryGetValue(reader.GetString(0), out var set) && parents.ContainsKey(reader.GetString(1))) set.Add(reader.GetString(1));
        var ordered = new List<string>(tables.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < tables.Count)
        {
            var ready = tables.Where(t => !placed.Contains(t) && parents[t].All(placed.Contains)).ToList();
            if (ready.Count == 0) throw new InvalidOperationException("The data tables' foreign keys form a cycle; they cannot be copied in order.");
            ordered.AddRange(ready);
            placed.UnionWith(ready);
        }
        return ordered;
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        var columns = new List<string>();
        await using var select = new NpgsqlCommand("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @t AND is_generated = 'NEVER' ORDER BY ordinal_position
            """, connection);
        select.Parameters.AddWithValue("t", table);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        return columns;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
