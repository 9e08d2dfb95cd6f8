using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Audit;

public sealed class AuditTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task G47_every_request_refused_ones_included_is_an_audit_event_with_ip_and_no_personal_value(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        await tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}");
        await app.Anonymous("192.0.2.50").GetAsync($"{tenant.Base}/contacts/{id}");               // no credentials
        var other = await app.SignUpAsync();
        await other.Http.GetAsync($"{tenant.Base}/contacts/{id}");                                   // another client's key
        await tenant.Http.PostRawAsync($"{tenant.Base}/contacts", "{not json");                     // malformed
        await tenant.Http.GetAsync("/v2/requests/" + Uri.EscapeDataString((string)ContactTests.Jane["email"]!)); // an email typed as an id

        var events = await app.WithDbAsync((db, _) => db.AuditEvents.OrderBy(e => e.Seq).ToListAsync());
        Assert.Contains(events, e => e is { Action: "CreateContact", Outcome: "success", ResourceType: "contact" } && e.ResourceId == id.ToString() && e.ClientId == tenant.ClientId);
        Assert.Contains(events, e => e is { Action: "GetContact", Outcome: "success", Status: 200 } && e.ResourceId == id.ToString());
        var anonymous = Assert.Single(events, e => e is { ActorType: "anonymous", Status: 401 });
        Assert.Equal("refused", anonymous.Outcome);
        using (var key = await app.Services.GetRequiredService<AuditKeys>().ForMonthAsync(anonymous.At, default))
            Assert.Equal("192.0.2.50", key.OpenString("ip", anonymous.IpAddressSealed));
        Assert.Contains(events, e => e is { ActorType: "api-key", Status: 404, Outcome: "refused" } && e.ClientId == other.ClientId);
        Assert.Contains(events, e => e is { Status: 400, Outcome: "invalid" } && e.ClientId == tenant.ClientId);

        Assert.Contains(events, e => e.ResourceType == "subjectRequest" && e.ResourceId!.StartsWith("sha256:", StringComparison.Ordinal)); // kept as a digest
        var text = string.Join('\n', events.Select(e => $"{e.ActorId} {e.Action} {e.ResourceType} {e.ResourceId} {e.CorrelationId}"));
        foreach (var value in ContactTests.Jane.Values) Assert.DoesNotContain((string)value!, text, StringComparison.OrdinalIgnoreCase);
    }

    public enum Tampering { Changed, Deleted, Swapped, Truncated }

    [Theory]
    [InlineData(Engine.Sqlite, Tampering.Changed)]
    [InlineData(Engine.Sqlite, Tampering.Deleted)]
    [InlineData(Engine.Sqlite, Tampering.Swapped)]
    [InlineData(Engine.Sqlite, Tampering.Truncated)]
    [InlineData(Engine.Postgres, Tampering.Changed)]
    [InlineData(Engine.Postgres, Tampering.Deleted)]
    [InlineData(Engine.Postgres, Tampering.Swapped)]
    [InlineData(Engine.Postgres, Tampering.Truncated)]
    public async Task G47_audit_verify_detects_a_changed_a_deleted_and_a_swapped_event(Engine engine, Tampering tampering)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        for (var i = 0; i < 4; i++) await tenant.CreateContactAsync(new { email = $"a{i}@example.com" });
        // the first start's setup-link offer, the sign-up, and the four contacts
        Assert.Equal((0, "The audit chain is intact: 7 events."), await CliVerifyAsync(app));

        // the database refuses to change an event: an attacker must first drop the guard
        var refused = await Record.ExceptionAsync(() => app.WithDbAsync((db, _) =>
            db.Database.ExecuteSqlRawAsync("""UPDATE "AuditEvents" SET "Action" = 'x' WHERE "Seq" = 3""")));
        Assert.NotNull(refused);

        var drop = engine == Engine.Sqlite
            ? "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
            : """DROP TRIGGER audit_events_append_only ON "AuditEvents";""";
        var tamper = tampering switch
        {
            Tampering.Changed => """UPDATE "AuditEvents" SET "Action" = 'GetClient' WHERE "Seq" = 3""",
            Tampering.Deleted => """DELETE FROM "AuditEvents" WHERE "Seq" = 3""",
            // swap two events' contents and hashes, keeping the sequence numbers
            Tampering.Swapped => """
                UPDATE "AuditEvents" SET "Seq" = -3 WHERE "Seq" = 3;
                UPDATE "AuditEvents" SET "Seq" = 3 WHERE "Seq" = 4;
                UPDATE "AuditEvents" SET "Seq" = 4 WHERE "Seq" = -3;
                """,
            _ => """DELETE FROM "AuditEvents" WHERE "Seq" = 7""",
        };
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(drop + tamper));

        var (exit, output) = await CliVerifyAsync(app);
        Assert.Equal(1, exit);
        Assert.Contains(tampering == Tampering.Truncated ? "BROKEN at event 7" : "BROKEN at event 3", output, StringComparison.Ordinal);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_a_unit_of_work_that_committed_before_chains_its_next_event_after_another_writers(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        await using var a = app.Services.CreateAsyncScope();
        await using var b = app.Services.CreateAsyncScope();
        async Task RecordAsync(AsyncServiceScope scope, params string[] actions)
        {
            var db = scope.ServiceProvider.GetRequiredService<Steward.Data.StewardDb>();
            await using var write = await db.BeginWriteAsync(default);
            foreach (var action in actions)
                await scope.ServiceProvider.GetRequiredService<AuditLog>().RecordAsync(db, action, "test", null, default);
            await write.CommitAsync(default);
        }
        // a job's loop commits one event per item in one context while a request commits in between: the context's
        // chain head is stale by then, and its next event must not take the sequence number the request took
        await RecordAsync(a, "TestFirstOfA");
        await RecordAsync(b, "TestOfB");
        // several events of one unit of work keep the order they were recorded in
        string[] many = [.. Enumerable.Range(0, 12).Select(i => $"TestSecondOfA{i}")];
        await RecordAsync(a, many);
        var report = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
        var order = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action.StartsWith("Test")).OrderBy(e => e.Seq).Select(e => e.Action).ToListAsync());
        Assert.Equal(["TestFirstOfA", "TestOfB", .. many], order);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_concurrent_api_reads_each_leave_one_chained_event_and_the_chain_verifies(Engine engine)
    {
        // on SQLite the request events of concurrent reads are committed together (AuditMiddleware's group commit):
        // each request must still have exactly its own event, in an exact chain
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(new { email = "conc@example.com" })).GetProperty("id").GetGuid();
        const int reads = 40;
        var responses = await Task.WhenAll(Enumerable.Range(0, reads).Select(_ => Task.Run(() => tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}"))));
        Assert.All(responses, r => Assert.Equal(System.Net.HttpStatusCode.OK, r.StatusCode));
        var events = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "GetContact").ToListAsync());
        Assert.Equal(reads, events.Count);
        Assert.Equal(reads, events.Select(e => e.CorrelationId).Distinct().Count());
        var report = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_concurrent_writes_and_reads_are_each_in_the_chain_when_answered_and_the_chain_verifies(Engine engine)
    {
        // on PostgreSQL concurrent units of work commit their events as pending and share chaining rounds
        // (PostgresChain): each answered request's event must already be chained, exactly once, in an exact chain
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(new { email = "mixed@example.com" })).GetProperty("id").GetGuid();
        const int each = 30;
        var creates = Enumerable.Range(0, each).Select(i => Task.Run(() =>
            tenant.Http.PostAsJsonAsync($"{tenant.Base}/contacts", new { email = $"mixed{i}@example.com" })));
        var reads = Enumerable.Range(0, each).Select(_ => Task.Run(() => tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}")));
        var responses = await Task.WhenAll(creates.Concat(reads));
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, r.StatusCode.ToString()));

        var events = await app.WithDbAsync((db, _) => db.AuditEvents.Where(e => e.Action == "CreateContact" || e.Action == "GetContact").ToListAsync());
        Assert.Equal(1 + each, events.Count(e => e.Action == "CreateContact"));
        Assert.Equal(each, events.Count(e => e.Action == "GetContact"));
        Assert.Equal(events.Count, events.Select(e => e.Seq).Distinct().Count());
        var report = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
        if (engine == Engine.Postgres)
            Assert.Equal(0, await app.WithDbAsync((db, _) => db.Database.SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM "AuditPending" """).SingleAsync()));
    }

    [Fact]
    public async Task G47_on_postgres_an_event_committed_by_a_process_that_died_before_chaining_it_is_chained_and_verified()
    {
        await using var app = await StewardApp.StartAsync(Engine.Postgres);
        var tenant = await app.SignUpAsync();
        var before = await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync());
        // what a unit of work leaves when its process is killed between its commit and its chaining round
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "AuditPending" ("Unit", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId", "Outcome", "Status")
            VALUES (gen_random_uuid(), now(), 'api-key', 'k1', {0}, 'TestOrphaned', 'contact', 'c1', 'success', 201)
            """, tenant.ClientId));

        // another process (the CLI) verifies: it chains the event first, then finds the chain intact with it
        var (exit, output) = await CliVerifyAsync(app);
        Assert.Equal((0, $"The audit chain is intact: {before + 1} events."), (exit, output.Trim()));
        var orphan = await app.WithDbAsync((db, _) => db.AuditEvents.SingleAsync(e => e.Action == "TestOrphaned"));
        Assert.Equal(("api-key", "k1", tenant.ClientId, "c1", 201), (orphan.ActorType, orphan.ActorId, orphan.ClientId, orphan.ResourceId, orphan.Status));
        Assert.Equal(before + 1, orphan.Seq);
        Assert.Equal(0, await app.WithDbAsync((db, _) => db.Database.SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM "AuditPending" """).SingleAsync()));

        // and this process's next event follows it
        Assert.Equal(System.Net.HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts")).StatusCode);
        var report = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(before + 2, report.Events);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_reads_after_a_restore_chain_their_events_onto_the_restored_chain(Engine engine)
    {
        // a read's event is appended on held connections (AuditAppender): a restore must not leave them on the old data
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var id = (await tenant.CreateContactAsync(new { email = "reads@restore-audit.example" })).GetProperty("id").GetGuid();
        async Task ReadAsync(int times)
        {
            for (var i = 0; i < times; i++)
                Assert.Equal(System.Net.HttpStatusCode.OK, (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}")).StatusCode);
        }
        await ReadAsync(2);
        var backup = await app.WithDbAsync((_, sp) => sp.GetRequiredService<Steward.Backups.CreateBackup>().HandleAsync(default));
        // events after the backup: the restore takes them back
        await ReadAsync(3);
        var outcome = await app.WithDbAsync((_, sp) => sp.GetRequiredService<Steward.Backups.RestoreBackup>().HandleAsync(backup.Id, default));
        Assert.True(outcome.Status == Steward.Backups.RestoreBackup.Status.Restored, outcome.Message);

        await ReadAsync(4);
        var reads = await app.WithDbAsync((db, _) => db.AuditEvents.CountAsync(e => e.Action == "GetContact"));
        Assert.Equal(2 + 4, reads);
        var report = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task G47_a_read_as_the_first_event_of_a_database_starts_the_chain_at_its_genesis(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        // the first start already wrote events: an empty chain needs the append-only guard dropped first
        var drop = engine == Engine.Sqlite
            ? "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;"
            : """DROP TRIGGER audit_events_append_only ON "AuditEvents";""";
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(drop + """DELETE FROM "AuditEvents"; DELETE FROM "AuditChainHeads";"""));
        // refused (no credentials), so this request writes nothing but its event
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await app.Anonymous("192.0.2.60").GetAsync($"/v1/clients/{Guid.NewGuid()}/contacts")).StatusCode);
        var first = await app.WithDbAsync((db, _) => db.AuditEvents.SingleAsync());
        Assert.Equal(1, first.Seq);
        Assert.Equal(AuditChain.Genesis, first.PrevHash);
        var report = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(1, report.Events);
    }

    /// <summary>Runs the real CLI, `steward audit verify`, against the app's database.</summary>
    private static async Task<(int, string)> CliVerifyAsync(StewardApp app)
    {
        var (exit, output, errors) = await app.RunCliAsync("audit", "verify");
        Assert.True(exit is 0 or 1, $"exit {exit.ToString(CultureInfo.InvariantCulture)}: {output} {errors}");
        return (exit, output);
    }
}
