using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;
using Steward.Backups;
using Steward.Clients;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Retention;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Backups;

/// <summary>
/// Issue 10, "Restores": random (seeded, printed) sequences of client sign-ups, contact creations, erasures, purges
/// and backups; after each sequence a random backup taken so far is restored, and the data must be exactly what the
/// backup held minus everyone erased and every client purged since — none of them back, everything else back.
/// Set STEWARD_RESTORE_SEED to replay a run.
/// </summary>
public sealed class RestorePropertyTests
{
    private const int Sequences = 10;

    private sealed record Snapshot(Guid BackupId, Dictionary<Guid, Guid> Contacts, HashSet<Guid> Clients);

    [Theory, ClassData(typeof(Engines))]
    public async Task G29_restoring_any_backup_never_brings_back_an_erased_contact_or_a_purged_client(Engine engine)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("STEWARD_RESTORE_SEED"), out var s) ? s : Random.Shared.Next();
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        await using var app = await StewardApp.StartAsync(engine);

        var tenants = new Dictionary<Guid, StewardApp.Tenant>();   // clients that exist and are active
        var contacts = new Dictionary<Guid, Guid>();                // live contact -> its client
        var erased = new HashSet<Guid>();
        var purged = new HashSet<Guid>();
        var snapshots = new List<Snapshot>();
        var (operations, restores, failures) = (0, 0, new List<string>());
        var restoreTime = TimeSpan.Zero;

        for (var sequence = 0; sequence < Sequences; sequence++)
        {
            var steps = random.Next(5, 12);
            for (var step = 0; step < steps; step++, operations++)
            {
                app.Clock.Advance(TimeSpan.FromMinutes(random.Next(1, 90)));
                var roll = random.Next(100);
                if (tenants.Count == 0 || roll < 8)
                {
                    var tenant = await app.SignUpAsync();
                    tenants[tenant.ClientId] = tenant;
                }
                else if (roll < 50)
                {
                    var tenant = tenants.Values.ElementAt(random.Next(tenants.Count));
                    var id = await app.WithDbAsync(async (_, sp) => (await sp.GetRequiredService<CreateContact>().HandleAsync(tenant.ClientId,
                        System.Text.Json.JsonSerializer.SerializeToElement(new { email = $"p{Guid.NewGuid():N}@restore.example", firstName = "Prop" }), default)).Value!.Id,
                        tenant.ClientId);
                    contacts[id] = tenant.ClientId;
                }
                else if (roll < 70 && contacts.Count > 0)
                {
                    var (id, client) = contacts.ElementAt(random.Next(contacts.Count));
                    await app.WithDbAsync((_, sp) => sp.GetRequiredService<EraseContact>().HandleAsync(client, id, default), client);
                    contacts.Remove(id);
                    erased.Add(id);
                }
                else if (roll < 80)
                {
                    var client = tenants.Keys.ElementAt(random.Next(tenants.Count));
                    await app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().HandleAsync(client, default));
                    tenants.Remove(client);
                    purged.Add(client);
                    foreach (var id in contacts.Where(c => c.Value == client).Select(c => c.Key).ToList()) contacts.Remove(id);
                }
                else
                {
                    var backup = await app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));
                    snapshots.Add(new Snapshot(backup.Id, new(contacts), [.. tenants.Keys]));
                }
            }
            if (snapshots.Count == 0) continue;

            var chosen = snapshots[random.Next(snapshots.Count)];
            var restoreStarted = watch.Elapsed;
            var outcome = await app.WithDbAsync((_, sp) => sp.GetRequiredService<RestoreBackup>().HandleAsync(chosen.BackupId, default));
            restoreTime += watch.Elapsed - restoreStarted;
            restores++;
            if (outcome.Status != RestoreBackup.Status.Restored)
            {
                failures.Add($"seq {sequence}: restore of {chosen.BackupId} answered {outcome.Status}: {outcome.Message}");
                continue;
            }
            // the model after the restore: the backup's world, less everyone erased and every client purged since
            foreach (var client in tenants.Keys.Where(c => !chosen.Clients.Contains(c)).ToList()) tenants.Remove(client);
            contacts = chosen.Contacts.Where(c => !erased.Contains(c.Key) && !purged.Contains(c.Value)).ToDictionary();
            failures.AddRange((await CheckAsync(app, contacts, erased, purged)).Select(f => $"seq {sequence} (restored {chosen.BackupId}): {f}"));
        }

        var chain = await app.WithDbAsync((_, sp) => sp.GetRequiredService<VerifyAuditChain>().HandleAsync(default));
        if (!chain.Intact) failures.Add($"audit chain broken at {chain.FirstBadSeq}: {chain.Problem}");
        TestContext.Current.SendDiagnosticMessage($"restores ({engine}): seed {seed}, {Sequences} sequences, {operations} operations, " +
            $"{snapshots.Count} backups, {restores} restores checked, {erased.Count} erased contacts and {purged.Count} purged clients watched, " +
            $"{failures.Count} failures, {watch.Elapsed.TotalSeconds:0.0} s ({restoreTime.TotalSeconds:0.0} s restoring)");
        Assert.True(failures.Count == 0, $"seed {seed}:\n" + string.Join('\n', failures.Take(20)));
    }

    private static async Task<List<string>> CheckAsync(StewardApp app, Dictionary<Guid, Guid> expected, HashSet<Guid> erased, HashSet<Guid> purged)
    {
        var failures = new List<string>();
        var present = await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().Select(c => c.Id).ToListAsync());
        failures.AddRange(present.Where(erased.Contains).Select(id => $"erased contact {id} is back"));
        failures.AddRange(expected.Keys.Except(present).Select(id => $"contact {id} of the backup did not come back"));
        var stray = present.Except(expected.Keys).Except(erased).ToList();
        failures.AddRange(stray.Select(id => $"contact {id} is there but neither in the backup nor expected"));
        var purgedBack = await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().Where(c => purged.Contains(c.ClientId)).Select(c => c.ClientId).Distinct().ToListAsync());
        failures.AddRange(purgedBack.Select(c => $"purged client {c} has contacts again"));
        var notPurged = await app.WithDbAsync((db, _) => db.Clients.Where(c => purged.Contains(c.Id) && c.Status != ClientLifecycle.Purged).Select(c => c.Id).ToListAsync());
        failures.AddRange(notPurged.Select(c => $"purged client {c} is back as not purged"));
        var vault = app.Services.GetRequiredService<KeyVault>();
        foreach (var client in purged)
            if (await vault.CountAsync(client, default) > 0) failures.Add($"purged client {client} has keys again");
        foreach (var group in expected.GroupBy(c => c.Value))
        {
            var keys = await vault.OpenManyAsync(group.Key, group.Select(c => c.Key).ToList(), default);
            failures.AddRange(group.Where(c => !keys.ContainsKey(c.Key)).Select(c => $"contact {c.Key} came back without its key"));
            foreach (var key in keys.Values) key.Dispose();
        }
        return failures;
    }
}
