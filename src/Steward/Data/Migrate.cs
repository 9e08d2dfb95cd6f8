using Microsoft.EntityFrameworkCore;

namespace Steward.Data;

/// <summary>Applies the provider's migrations, then the guards EF cannot express: the audit log is append-only.</summary>
public static class Migrate
{
    public static async Task HandleAsync(StewardDb db, CancellationToken ct)
    {
        if (db.IsSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        await db.Database.MigrateAsync(ct);
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? SqliteGuards : PostgresGuards, ct);
    }

    private const string SqliteGuards = """
        CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON "AuditEvents"
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON "AuditEvents"
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
        """;

    private const string PostgresGuards = """
        CREATE OR REPLACE FUNCTION steward_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$;
        DROP TRIGGER IF EXISTS audit_events_append_only ON "AuditEvents";
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "AuditEvents"
            FOR EACH ROW EXECUTE FUNCTION steward_audit_append_only();
        """;
}
