using Microsoft.EntityFrameworkCore;

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
