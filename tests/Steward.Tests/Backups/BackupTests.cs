using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Access;
using Steward.Backups;
using Steward.Clients;
using Steward.Crypto;
using Steward.Retention;
using Steward.Server.Jobs;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Backups;

public sealed class BackupTests
{
    private static Dictionary<string, object?> Person(string marker) => new()
    {
        ["email"] = $"{marker}@backup-test.example",
        ["firstName"] = "Firstname" + marker,
        ["lastName"] = "Lastname" + marker,
        ["phone"] = "+45 99 88 77 66",
        ["bio"] = "Plainbio" + marker,
    };

    private static async Task<Guid> CreateAsync(StewardApp.Tenant tenant, string marker) =>
        (await tenant.CreateContactAsync(Person(marker))).GetProperty("id").GetGuid();

    private static Task<BackupCatalogue.Entry> BackupNowAsync(StewardApp app) =>
        app.WithDbAsync((_, sp) => sp.GetRequiredService<CreateBackup>().HandleAsync(default));

    [Theory, ClassData(typeof(Engines))]
    public async Task P19_G29_a_restore_brings_back_everything_but_the_erased_contacts_and_the_purged_client(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        var leaving = await app.SignUpAsync();
        var kept = await CreateAsync(tenant, "kept" + Guid.NewGuid().ToString("N")[..6]);
        var erased = new[] { await CreateAsync(tenant, "erasedone"), await CreateAsync(tenant, "erasedtwo") };
        var purgedContact = await CreateAsync(leaving, "purgedone");

        var (exit, output, errors) = await app.RunCliAsync("backup", "create");
        Assert.True(exit == 0, errors);
        var backupId = Guid.Parse(output.Split(' ')[0]);

        foreach (var id in erased) Assert.Equal(HttpStatusCode.OK, (await tenant.Http.PostAsync($"{tenant.Base}/contacts/{id}/erase", null)).StatusCode);
        await app.WithDbAsync((_, sp) => sp.GetRequiredService<PurgeClient>().HandleAsync(leaving.ClientId, default));
        var afterBackup = await CreateAsync(tenant, "afterbackup");

        // the list names the backup first on its line, and as the first field in JSON
        var list = await app.RunCliAsync("backup", "list");
        Assert.Equal(0, list.Exit);
        Assert.StartsWith(backupId.ToString(), list.Output, StringComparison.Ordinal);
        var json = await app.RunCliAsync("backup", "list", "--json");
        var entry = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single();
        Assert.Equal("id", entry.EnumerateObject().First().Name);
        Assert.Equal("available", entry.GetProperty("status").GetString());
        Assert.Equal("DE", entry.GetProperty("region").GetString());
        Assert.Equal(64, entry.GetProperty("sha256").GetString()!.Length);

        // restored with the server idle (as if stopped): this process's pooled connections must not outlive the swap
        var restored = await app.RunCliAsync("backup", "restore", backupId.ToString());
        Assert.True(restored.Exit == 0, restored.Errors);
        SqliteConnection.ClearAllPools();

        // the restore happened: what was made after the backup is gone, what the backup held is back
        await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{afterBackup}")).AssertProblemAsync(404);
        var back = await tenant.Http.GetFromJsonAsync<JsonElement>($"{tenant.Base}/contacts/{kept}");
        Assert.StartsWith("kept", back.GetProperty("email").GetString(), StringComparison.Ordinal);
        // and none of the erased came back
        var vault = app.Services.GetRequiredService<KeyVault>();
        foreach (var id in erased)
        {
            await (await tenant.Http.GetAsync($"{tenant.Base}/contacts/{id}")).AssertProblemAsync(404);
            Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)));
            Assert.Null(await vault.OpenAsync(tenant.ClientId, id, default));
        }
        Assert.False(await app.WithDbAsync((db, _) => db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.ClientId == leaving.ClientId || c.Id == purgedContact)));
        Assert.False(await app.WithDbAsync((db, _) => db.ClientUsers.IgnoreQueryFilters().AnyAsync(c => c.ClientId == leaving.ClientId)));
        Assert.Equal(ClientLifecycle.Purged, await app.WithDbAsync((db, _) => db.Clients.Where(c => c.Id == leaving.ClientId).Select(c => c.Status).SingleAsync()));
        Assert.Equal(0, await vault.CountAsync(leaving.ClientId, default));

        // the restore is in the audit trail, and the chain verifies
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "RestoreBackup" && e.ResourceId == backupId.ToString())));
        var verify = await app.RunCliAsync("audit", "verify");
        Assert.True(verify.Exit == 0, verify.Output);

        // the catalogue was not rolled back by the restore
        Assert.Equal(BackupCatalogue.Available, (await app.Services.GetRequiredService<BackupCatalogue>().FindAsync(backupId, default))!.Status);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P19_a_backup_half_written_when_its_process_died_does_not_count_as_the_days_backup(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await CreateAsync(tenant, "crashed");
        var job = app.Services.GetRequiredService<BackupJob>();
        var catalogue = app.Services.GetRequiredService<BackupCatalogue>();
        var vault = app.Services.GetRequiredService<KeyVault>();
        await job.RunOnceAsync(default);
        var yesterday = Assert.Single(await catalogue.ListAsync(default));

        // a day later the backup starts and its process is killed: the catalogue row says "creating", a partial
        // file and a key are left, and nothing runs the cleanup
        app.Clock.Advance(TimeSpan.FromHours(25));
        var id = Guid.CreateVersion7(app.Clock.GetUtcNow());
        var location = Path.Combine(Path.GetDirectoryName(yesterday.Location)!, $"crashed-{id:N}.backup");
        await catalogue.AddAsync(yesterday with { Id = id, TakenAt = app.Clock.GetUtcNow(), Location = location, Sha256 = null, Status = BackupCatalogue.Creating }, default);
        await File.WriteAllBytesAsync(location + ".partial", new byte[100]);
        (await vault.CreateAsync(CreateBackup.KeyNamespace, id, default)).Dispose();

        // the next run takes the day's backup all the same
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await job.RunOnceAsync(default);
        var today = (await catalogue.ListAsync(default))[0];
        Assert.Equal(BackupCatalogue.Available, today.Status);
        Assert.NotEqual(yesterday.Id, today.Id);
        Assert.NotEqual(id, today.Id);
        await job.RunOnceAsync(default);
        Assert.Equal(3, (await catalogue.ListAsync(default)).Count); // and only one

        // once an interval old, the abandoned one is marked failed; its partial file and key are gone
        app.Clock.Advance(TimeSpan.FromHours(24));
        await job.RunOnceAsync(default);
        Assert.Equal(BackupCatalogue.Failed, (await catalogue.FindAsync(id, default))!.Status);
        Assert.False(File.Exists(location + ".partial"));
        Assert.Null(await vault.OpenAsync(CreateBackup.KeyNamespace, id, default));
        Assert.Equal(3, (await catalogue.ListAsync(default)).Count(e => e.Status == BackupCatalogue.Available)); // and the next day's
        Assert.Equal(2, (await app.RunCliAsync("backup", "restore", id.ToString())).Exit); // never restorable
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P19_expired_backups_are_deleted_and_their_keys_destroyed(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var tenant = await app.SignUpAsync();
        await CreateAsync(tenant, "retention");
        var job = app.Services.GetRequiredService<BackupJob>();
        var catalogue = app.Services.GetRequiredService<BackupCatalogue>();
        var vault = app.Services.GetRequiredService<KeyVault>();

        await job.RunOnceAsync(default); // the daily backup: none yet, so one now
        var old = Assert.Single(await catalogue.ListAsync(default));
        await job.RunOnceAsync(default); // not a day old: no second one
        Assert.Single(await catalogue.ListAsync(default));

        app.Clock.Advance(TimeSpan.FromDays(13));
        await job.RunOnceAsync(default);
        var recent = (await catalogue.ListAsync(default))[0];
        Assert.NotEqual(old.Id, recent.Id);
        Assert.NotNull(await vault.OpenAsync(CreateBackup.KeyNamespace, old.Id, default));

        app.Clock.Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1))); // the first is now past 14 days
        Assert.Equal(1, await app.WithDbAsync((_, sp) => sp.GetRequiredService<PruneBackups>().HandleAsync(default)));
        Assert.False(File.Exists(old.Location));
        Assert.Null(await vault.OpenAsync(CreateBackup.KeyNamespace, old.Id, default));
        Assert.Equal(BackupCatalogue.Expired, (await catalogue.FindAsync(old.Id, default))!.Status);
        Assert.True(File.Exists(recent.Location));
        Assert.NotNull(await vault.OpenAsync(CreateBackup.KeyNamespace, recent.Id, default));
        Assert.True(await app.WithDbAsync((db, _) => db.AuditEvents.AnyAsync(e => e.Action == "ExpireBackup" && e.ResourceId == old.Id.ToString())));

        // an expired backup cannot be restored (exit 2), nor can one that is not in the catalogue
        Assert.Equal(2, (await app.RunCliAsync("backup", "restore", old.Id.ToString())).Exit);
        Assert.Equal(2, (await app.RunCliAsync("backup", "restore", Guid.NewGuid().ToString())).Exit);
        Assert.Equal(2, (await app.RunCliAsync("backup", "restore", "not-an-id")).Exit);
        // retention is also the job's: a sweep (or the timer) after another 14 days leaves no key and no file
        app.Clock.Advance(TimeSpan.FromDays(14));
        await job.RunOnceAsync(default);
        Assert.Null(await vault.OpenAsync(CreateBackup.KeyNamespace, recent.Id, default));
        Assert.False(File.Exists(recent.Location));
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P19_a_backup_file_holds_no_plain_value_and_a_damaged_one_is_refused(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var clientName = "Plainname" + Guid.NewGuid().ToString("N")[..8];
        var tenant = await app.SignUpAsync(clientName);
        var marker = "marker" + Guid.NewGuid().ToString("N")[..8];
        await CreateAsync(tenant, marker);
        var backup = await BackupNowAsync(app);

        var bytes = await File.ReadAllBytesAsync(backup.Location);
        string[] plain = [clientName, marker, "Firstname" + marker, "Plainbio" + marker, "+45 99 88 77 66", "SQLite format 3", tenant.ClientId.ToString()];
        foreach (var value in plain)
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(value)));
        }
        // the check can fail: decrypted, the snapshot does hold the client's name, which the database keeps in clear
        var key = await app.Services.GetRequiredService<KeyVault>().OpenAsync(CreateBackup.KeyNamespace, backup.Id, default);
        using var decrypted = new MemoryStream();
        await using (var file = File.OpenRead(backup.Location))
        await using (var plainStream = BackupFile.OpenRead(file, backup.Id, key!))
            await plainStream.CopyToAsync(decrypted);
        Assert.NotEqual(-1, decrypted.ToArray().AsSpan().IndexOf(Encoding.UTF8.GetBytes(clientName)));

        // one flipped byte: the digest no longer matches, exit 1, nothing restored
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(backup.Location, bytes);
        var damaged = await app.RunCliAsync("backup", "restore", backup.Id.ToString());
        Assert.Equal(1, damaged.Exit);
        Assert.Contains("SHA-256", damaged.Errors, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Http.GetAsync(tenant.Base)).StatusCode);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P19_a_backup_location_outside_the_allowed_regions_is_refused_at_start(Engine engine)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => StewardApp.StartAsync(engine, s => s["Steward:Backups:Region"] = "US"));
        Assert.Contains("region 'US'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Steward:Backups:AllowedRegions", refused.Message, StringComparison.Ordinal);

        // a narrower list is honoured both ways
        await Assert.ThrowsAsync<OptionsValidationException>(() => StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Backups:AllowedRegions:0"] = "FI";
            s["Steward:Backups:Region"] = "DE";
        }));
        var location = Canaries.NewDataDirectory("steward-backups-");
        await using var app = await StewardApp.StartAsync(engine, s =>
        {
            s["Steward:Backups:AllowedRegions:0"] = "FI";
            s["Steward:Backups:Region"] = "FI";
            s["Steward:Backups:Location"] = location;
        });
        var backup = await BackupNowAsync(app);
        Assert.Equal(("FI", location), (backup.Region, Path.GetDirectoryName(backup.Location)));

        // the CLI refuses too, before any work (exit 2)
        var start = app.CliStart("backup", "create");
        start.Environment["Steward__Backups__Region"] = "US";
        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("region 'US'", errors, StringComparison.Ordinal);
        if (!Canaries.KeepData) Directory.Delete(location, recursive: true);
    }

    [Theory, ClassData(typeof(Engines))]
    public async Task P19_the_catalogue_is_shown_to_system_administration_the_dpo_and_the_ceo_only(Engine engine)
    {
        await using var app = await StewardApp.StartAsync(engine);
        var (ceo, dpo) = await app.SetUpGovernanceAsync();
        var sysadmin = await app.AddStaffAsync(ceo, Roles.SystemAdministration);
        var developer = await app.AddStaffAsync(ceo, Roles.Development);
        var tenant = await app.SignUpAsync();
        var backup = await BackupNowAsync(app);

        foreach (var staff in new[] { ceo, dpo, sysadmin })
        {
            var listed = await staff.Http.GetFromJsonAsync<JsonElement>("/v1/backups");
            var entry = Assert.Single(listed.EnumerateArray());
            Assert.Equal(backup.Id, entry.GetProperty("id").GetGuid());
            Assert.Equal(backup.Sha256, entry.GetProperty("sha256").GetString());
        }
        await (await developer.Http.GetAsync("/v1/backups")).AssertProblemAsync(403);
        Assert.True((await tenant.Http.GetAsync("/v1/backups")).StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/v1/backups")).StatusCode);
    }
}
