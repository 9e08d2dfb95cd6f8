using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Crypto;
using Steward.Data;
using Steward.Retention;
using Steward.SubProcessors;
using Steward.Tests.Contacts;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Retention;

public sealed class PurgeAtScaleTests
{
    /// <summary>More than either engine lets a statement name (SQLite 32,766 parameters, PostgreSQL 65,535).</summary>
    private const int Pending = 70_000;

    [Theory, ClassData(typeof(Engines))]
    public async Task P09_P20_a_purge_and_its_replay_spare_the_keys_of_more_pending_vendor_requests_than_a_statement_can_name(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var other = await app.SignUpAsync();
        var jane = (await tenant.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var kept = (await other.CreateContactAsync(ContactTests.Jane)).GetProperty("id").GetGuid();
        var vault = app.Services.GetRequiredService<KeyVault>();
        var before = await vault.CountAsync(tenant.ClientId, default);
        await SeedPendingRequestsAsync(app, tenant.ClientId);
        Assert.Equal(before + Pending, await vault.CountAsync(tenant.ClientId, default));

        await tenant.Http.PostAsync(tenant.Base + "/cancel", null);
        app.Clock.Advance(TimeSpan.FromDays(90));
        Assert.Equal(1, await app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().DueAsync(default)));
        Assert.Null(await vault.OpenAsync(tenant.ClientId, jane, default));
        Assert.NotNull(await vault.OpenAsync(other.ClientId, kept, default));
        Assert.Equal(Pending, await vault.CountAsync(tenant.ClientId, default));
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.ClientId == tenant.ClientId)));
        var ledger = await app.Services.GetRequiredService<ForgetLedger>().ReadSinceAsync(DateTimeOffset.UnixEpoch, default).ToListAsync();
        Assert.Contains(ledger, e => e.SubjectId == jane && e.Kind == ForgetLedger.ContactKind);
        Assert.Contains(ledger, e => e.SubjectId == tenant.ClientId && e.Kind == ForgetLedger.ClientKind);

        // replaying the ledger (a restart, a restore) finishes the purge again, and spares them as the purge did
        await app.WithDbAsync((_, sp) => sp.GetRequiredService<ReplayForgetLedger>().HandleAsync(default));
        Assert.Equal(Pending, await vault.CountAsync(tenant.ClientId, default));
        Assert.NotNull(await vault.OpenAsync(other.ClientId, kept, default));
    }

    /// <summary>
    /// Pending sub-processor requests of the client, each with its own key, written in bulk by SQL: one request made
    /// through EF copied <see cref="Pending"/> times under new ids, then a key per request in the key store.
    /// </summary>
    private static async Task SeedPendingRequestsAsync(StewardApp app, Guid clientId)
    {
        var template = Guid.NewGuid();
        var now = app.Clock.GetUtcNow();
        await app.WithDbAsync(async (db, _) =>
        {
            db.ErasureRequests.Add(new ErasureRequest
            {
                Id = template,
                ClientId = clientId,
                ContactId = Guid.NewGuid(),
                SubProcessorId = Guid.NewGuid(),
                CreatedAt = now,
                NextAttemptAt = now.AddYears(1),
                DueAt = now.AddYears(1),
            });
            return await db.SaveChangesAsync();
        });
        const string Columns = "\"ClientId\", \"ContactId\", \"SubProcessorId\", \"Status\", \"Attempts\", \"CreatedAt\", \"NextAttemptAt\", \"DueAt\"";
        var sqlite = app.Engine == Engine.Sqlite;
        var newId = sqlite
            ? "upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))"
            : "gen_random_uuid()";
        var series = sqlite
            ? $"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Pending - 1}) SELECT i FROM n)"
            : $"generate_series(1, {Pending - 1})";
        var copy = $$"""
            INSERT INTO "ErasureRequests" ("Id", {{Columns}}) SELECT {{newId}}, {{Columns}} FROM "ErasureRequests" r, {{series}} AS s WHERE r."Id" = {0}
            """;
        await app.WithDbAsync((db, _) => db.Database.ExecuteSqlRawAsync(copy, template));
        var ids = await app.WithDbAsync((db, _) => db.ErasureRequests.IgnoreQueryFilters().Where(e => e.ClientId == clientId).Select(e => e.Id).ToListAsync());
        Assert.Equal(Pending, ids.Count);

        var storage = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await using var keys = new SqlStore(storage.Database.Provider, storage.KeysConnection);
        await using var connection = await keys.OpenAsync(default);
        await using var tx = await connection.BeginTransactionAsync();
        const string Insert = "INSERT INTO subject_keys (subject_id, client_id, kek_id, wrapped, created_at)";
        await using var insert = SqlStore.Command(connection, sqlite ? Insert + " VALUES (@s, @c, 'seed', x'00', 0)" : Insert + " SELECT unnest(@s), @c, 'seed', '\\x00', 0",
            tx, ("@s", sqlite ? Guid.Empty : ids.ToArray()), ("@c", clientId));
        if (sqlite)
            foreach (var id in ids)
            {
                insert.Parameters[0].Value = id;
                await insert.ExecuteNonQueryAsync();
            }
        else await insert.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}
