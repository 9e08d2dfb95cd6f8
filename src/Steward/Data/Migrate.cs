using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Steward.Data;

/// <summary>
/// Applies the provider's migrations, then the guards EF cannot express: the audit log is append-only, except that
/// retention may delete the events at or before the checkpoint (<see cref="Audit.PruneAuditLog"/>).
/// </summary>
public static class Migrate
{
    public static async Task HandleAsync(StewardDb db, CancellationToken ct)
    {
        if (db.IsSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        await db.Database.MigrateAsync(ct);
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? SqliteGuards : PostgresGuards, ct);
    }

    /// <summary>
    /// Holds a start's schema and seed steps to one process at a time per deployment, until disposed. Nodes started
    /// at once on one database raced in them: concurrent CREATE … IF NOT EXISTS collide in PostgreSQL's catalogue,
    /// and a seed reads, then inserts. PostgreSQL: a session advisory lock on the data database (released with the
    /// session, should the process die); SQLite: an exclusive lock on a file beside the data database, waited for at
    /// most <paramref name="patience"/> (<see cref="StartLockPatience"/>); a lock file that cannot be opened fails at once.
    /// </summary>
    public static async Task<IAsyncDisposable> ExclusivelyAsync(StorageOptions storage, CancellationToken ct, TimeSpan? patience = null)
    {
        if (storage.Database.Provider == DatabaseProvider.Postgres)
        {
            // its own unpooled session: the lock lives and ends with it, and no pooled connection carries it on
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(storage.DataConnectionString) { Pooling = false }.ConnectionString);
            try
            {
                await connection.OpenAsync(ct);
                // no command timeout: the wait lasts as long as the other node's migrations
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryKey})", connection) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync(ct);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        var path = new SqliteConnectionStringBuilder(storage.DataConnectionString).DataSource + ".start-lock";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // FileShare.None is an flock on Unix and a share lock on Windows: one holder across processes. The file
                // stays: deleting it on close would let a waiter lock the unlinked file while a third locks a new one.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException e) when (HeldElsewhere(e))
            {
                // another process is starting on this database: wait for it, but not for ever (a hung start holds it)
                if (waited.Elapsed >= (patience ?? StartLockPatience))
                    throw new TimeoutException($"Another process has held the start lock {path} for {waited.Elapsed.TotalSeconds:0} s: "
                        + "stop it, or wait until its start ends, then start again.", e);
                await Task.Delay(100, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // any other failure (a missing or read-only directory, a directory in its place) will not pass by waiting
                throw new IOException($"The start lock {path} cannot be opened: {e.Message}", e);
            }
        }
    }

    /// <summary>How long a SQLite start waits for another process's start before it gives up.</summary>
    public static readonly TimeSpan StartLockPatience = TimeSpan.FromMinutes(5);

    /// <summary>The lock is held by another holder, and only that: the one failure that waiting cures.</summary>
    private static bool HeldElsewhere(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 32 or 33 // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
        : e.HResult == (OperatingSystem.IsLinux() ? 11 : 35); // flock's EWOULDBLOCK (.NET keeps the errno as HResult)

    /// <summary>"Steward1" in ASCII: the advisory lock key of a start.</summary>
    private const long AdvisoryKey = 0x5374657761726431;

    private const string SqliteGuards = """
        CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON "AuditEvents"
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        DROP TRIGGER IF EXISTS audit_events_no_delete;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON "AuditEvents"
            WHEN OLD."Seq" > COALESCE((SELECT "Seq" FROM "AuditCheckpoints" WHERE "Id" = 1), 0)
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        """;

    private const string PostgresGuards = """
        CREATE OR REPLACE FUNCTION steward_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN
                IF TG_OP = 'DELETE' AND OLD."Seq" <= COALESCE((SELECT "Seq" FROM "AuditCheckpoints" WHERE "Id" = 1), 0) THEN RETURN OLD; END IF;
                RAISE EXCEPTION 'audit events are append-only';
            END $$;
        DROP TRIGGER IF EXISTS audit_events_append_only ON "AuditEvents";
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "AuditEvents"
            FOR EACH ROW EXECUTE FUNCTION steward_audit_append_only();
        """;
}
