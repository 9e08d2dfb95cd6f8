using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// The server process is killed with SIGKILL in the middle of a bulk import, of erasures, of outbox delivery, of a
/// backup and of a client's purge, and started again on the same stores. No acknowledged write is lost, no contact is half erased (each is whole
/// or gone, and every acknowledged erasure holds), the import resumes without duplicates, the outbox delivers
/// every message, no half-written backup survives, the purge is finished, and `steward audit verify` finds the chain intact.
/// </summary>
public sealed class CrashTests
{
    [Theory, ClassData(typeof(Engines))]
    public async Task Crash_kill_9_mid_import_mid_erasure_and_mid_delivery_loses_no_acknowledged_write_and_the_audit_chain_verifies(Engine engine)
    {
        var watch = Stopwatch.StartNew();
        await using var deployment = await Deployment.CreateAsync(engine);
        await deployment.StartAsync();
        var (clientId, key) = await deployment.SignUpAsync();
        var basePath = $"/v1/clients/{clientId}";
        var acknowledged = new ConcurrentDictionary<Guid, string>(); // contact id → first name, every 201 the server gave

        // 1. a bulk import, with single creates acknowledged alongside it; killed once the import has stored a batch
        const int rows = 6000;
        var csv = new StringBuilder("email,firstName,lastName\r\n");
        for (var i = 0; i < rows; i++) csv.Append($"import{i}@crash.example,Imported{i},Row\r\n");
        var importHttp = deployment.Client(key);
        var import = importHttp.PostAsync(basePath + "/contacts/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        using var stop = new CancellationTokenSource();
        var attempted = new StrongBox<int>();
        var creating = CreateUntilStoppedAsync(deployment.Client(key), basePath, acknowledged, attempted, "during-import", stop.Token);
        await WaitUntilAsync(async () => await deployment.ScalarAsync("SELECT COUNT(*) FROM \"Contacts\"") > acknowledged.Count + 1, "the import stored nothing");
        deployment.Kill();
        stop.Cancel();
        await Swallow(creating);
        var importFinished = await Swallow(import);
        var storedAtKill = await deployment.ScalarAsync("SELECT COUNT(*) FROM \"Contacts\"");

        await deployment.StartAsync();
        var http = deployment.Client(key);
        await AssertAllReadableAsync(http, basePath, acknowledged);
        var resumed = await http.PostAsync(basePath + "/contacts/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        // every row once, every acknowledged create kept; a create the kill cut off after its commit may also be there
        Assert.InRange(await deployment.ScalarAsync("SELECT COUNT(*) FROM \"Contacts\""), (long)rows + acknowledged.Count, (long)rows + attempted.Value);

        // 2. erasures: 60 contacts, erased all at once; killed as soon as the first erasure is acknowledged
        var doomed = new ConcurrentDictionary<Guid, string>();
        for (var i = 0; i < 60; i++) await CreateAsync(http, basePath, doomed, $"erase{i}");
        var erased = new ConcurrentBag<Guid>();
        var erasing = doomed.Keys.Select(async id =>
        {
            var response = await deployment.Client(key).PostAsync($"{basePath}/contacts/{id}/erase", null);
            if (response.StatusCode == HttpStatusCode.OK) erased.Add(id);
        }).ToList();
        await WaitUntilAsync(() => Task.FromResult(!erased.IsEmpty), "no erasure was acknowledged");
        deployment.Kill();
        foreach (var e in erasing) await Swallow(e);

        await deployment.StartAsync();
        http = deployment.Client(key);
        int whole = 0, gone = 0;
        foreach (var (id, name) in doomed)
        {
            var response = await http.GetAsync($"{basePath}/contacts/{id}");
            if (response.StatusCode == HttpStatusCode.NotFound) { gone++; continue; }
            Assert.False(erased.Contains(id), $"the acknowledged erasure of {id} did not hold");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(name, (await response.JsonAsync()).GetProperty("firstName").GetString()); // whole: readable, not half erased
            whole++;
        }
        Assert.True(gone >= erased.Count);
        await AssertAllReadableAsync(http, basePath, acknowledged);

        // 3. outbox delivery: 120 verification mails; killed once the first are in the mail drop
        var requests = Enumerable.Range(0, 120).Select(i => http.PostAsJsonAsync("/v1/public/requests",
            new { clientId, type = "access", emails = new[] { $"subject{i}@crash.example" } })).ToList();
        foreach (var r in requests) Assert.Equal(HttpStatusCode.Accepted, (await r).StatusCode);
        const string pending = "SELECT COUNT(*) FROM \"OutboxMessages\" WHERE \"Status\" <> 'delivered'";
        await WaitUntilAsync(() => Task.FromResult(Directory.Exists(deployment.MailDrop) && Directory.EnumerateFiles(deployment.MailDrop).Any()), "nothing was delivered");
        deployment.Kill();
        var pendingAtKill = await deployment.ScalarAsync(pending);
        await deployment.StartAsync();
        await WaitUntilAsync(async () => await deployment.ScalarAsync(pending) == 0, "the outbox did not deliver everything after the restart", TimeSpan.FromSeconds(90));
        var mailed = Directory.EnumerateFiles(deployment.MailDrop).Select(File.ReadAllText).ToList();
        for (var i = 0; i < 120; i++)
            Assert.Contains(mailed, m => m.Contains($"subject{i}@crash.example", StringComparison.Ordinal));

        deployment.Kill();
        var (exit, output) = await deployment.CliAsync("audit", "verify");
        Assert.True(exit == 0, output);
        TestContext.Current.SendDiagnosticMessage($"crashes ({engine}): {deployment.Kills} kill -9 in {watch.Elapsed.TotalSeconds:0} s; "
            + $"import: {storedAtKill - acknowledged.Count} of {rows} rows stored at the kill (finished: {importFinished}), resumed to {rows} with no duplicate, "
            + $"{acknowledged.Count} acknowledged creates all readable; erasure: {erased.Count} acknowledged of {doomed.Count}, after restart {gone} gone and {whole} whole, none half erased; "
            + $"outbox: {pendingAtKill} undelivered at the kill, all 120 delivered after restart; audit verify: {output.Split('\n')[0]}");
    }

    /// <summary>
    /// The server is killed with SIGKILL in the middle of a scheduled backup of a database of 4,000 contacts, then in
    /// the middle of the purge of a client with 3,000 of them, after its forget ledger and before its keys. After the
    /// first restart the half-written backup is cleared (marked failed, its file, scratch copy and key gone, never
    /// listed as available) and the next backup is taken; after the second the purge is finished (no contact of the client readable or stored, no key of it
    /// left, the purge dated); that backup, taken before the purge, then restores without bringing the client back,
    /// and `steward audit verify` finds the chain intact.
    /// </summary>
    [Theory, ClassData(typeof(Engines))]
    public async Task Crash_kill_9_mid_backup_and_mid_purge_leaves_no_half_backup_and_the_purge_resumes_to_completion(Engine engine)
    {
        var watch = Stopwatch.StartNew();
        await using var deployment = await Deployment.CreateAsync(engine);
        deployment.Settings["Steward__Jobs__Enabled"] = "false"; // no job runs (and no schedule is set) while the data are loaded
        await deployment.StartAsync();
        var (doomedId, doomedKey) = await deployment.SignUpAsync();
        var (keptId, keptKey) = await deployment.SignUpAsync();
        await ImportAsync(deployment.Client(doomedKey), doomedId, 3000, "doomed");
        await ImportAsync(deployment.Client(keptKey), keptId, 1000, "kept");
        Assert.Equal(HttpStatusCode.OK, (await deployment.Client(doomedKey).PostAsync($"/v1/clients/{doomedId}/cancel", null)).StatusCode);
        var doomed = await ContactIdsAsync(deployment, doomedId);
        var kept = await ContactIdsAsync(deployment, keptId);
        deployment.Kill();

        // 1. the daily backup, due at once: killed while its file is being written
        var pg = engine == Engine.Postgres;
        string Catalogue(string where) => $"SELECT COUNT(*) FROM {(pg ? "steward_ledger." : "")}backup_catalogue WHERE {where}";
        deployment.Settings["Steward__Jobs__Enabled"] = "true";
        deployment.Settings["Steward__Jobs__Every__BackupJob"] = "00:00:01";
        deployment.Settings["Steward__Jobs__Every__RetentionJob"] = "00:00:01";
        deployment.Settings["Steward__Jobs__Poll"] = "00:00:01";
        var backups = Path.Combine(deployment.DataDirectory, "backups");
        await deployment.StartAsync(waitUntilReady: false);
        await WaitUntilAsync(() => Task.FromResult(Directory.Exists(backups) && Directory.EnumerateFiles(backups, "*.partial").Any()),
            () => $"no backup was started: {string.Join(", ", Directory.Exists(backups) ? Directory.EnumerateFiles(backups).Select(f => $"{f} {new FileInfo(f).Length}") : [])}\n{deployment.Output}", pollMs: 2);
        deployment.Kill();
        var crashes = 1;
        var partial = Directory.EnumerateFiles(backups, "*.partial").Single();
        var cutShort = Guid.ParseExact(Path.GetFileName(partial).Split('-', '.')[1], "N");
        var partialBytes = new FileInfo(partial).Length;
        var scratchAtKill = Directory.EnumerateFiles(deployment.DataDirectory, "backup-*.tmp").Count();
        Assert.Equal(1, await Count(Catalogue("status = 'creating'"), "ledger.db"));
        Assert.Equal(0, await Count(Catalogue("status = 'available'"), "ledger.db"));

        await deployment.StartAsync();
        await WaitUntilAsync(async () => await Count(Catalogue("status = 'available'"), "ledger.db") == 1, "no backup was taken after the restart");
        var (_, listed) = await deployment.CliAsync("backup", "list", "--json");
        var catalogue = JsonDocument.Parse(listed).RootElement.EnumerateArray().ToList();
        Assert.Equal("failed", catalogue.Single(b => b.GetProperty("id").GetGuid() == cutShort).GetProperty("status").GetString());
        var taken = catalogue.Single(b => b.GetProperty("status").GetString() == "available");
        Assert.Equal(2, catalogue.Count);
        Assert.False(File.Exists(partial), "the half-written backup file is still there");
        Assert.Empty(Directory.EnumerateFiles(deployment.DataDirectory, "backup-*.tmp"));
        Assert.Equal(0, await Count($"SELECT COUNT(*) FROM {(pg ? "steward_keys." : "")}subject_keys WHERE subject_id = @id", "keys.db", ("@id", cutShort)));

        // 2. the doomed client's grace window ends: killed while the retention job purges it
        var status = $"""SELECT COUNT(*) FROM "Clients" WHERE "Id" = @c AND "Status" = """;
        // killed once the purge has written its ledger entries, while it waits to destroy the keys. The ledger's write
        // lock is held until the purge has started (its mail to the owners takes a key), then the key store's until the
        // kill: it lands between the two steps however fast the machine is (a kill timed by polling alone came after the
        // end of the purge under CI's load)
        var ledgerOf = $"SELECT COUNT(*) FROM {(pg ? "steward_ledger." : "")}forget_ledger WHERE client_id = @c";
        IAsyncDisposable keysHeld;
        await using (await deployment.HoldWritesAsync("ledger.db", "steward_ledger.forget_ledger"))
        {
            await deployment.ExecuteAsync("""UPDATE "Clients" SET "PurgeDueAt" = "CancelledAt" WHERE "Status" = 'cancelled'""");
            await WaitUntilAsync(async () => await deployment.ScalarAsync(status + "'purging'", ("@c", deployment.Id(doomedId))) == 1, () => $"the purge did not start\n{deployment.Output}");
            keysHeld = await deployment.HoldWritesAsync("keys.db", "steward_keys.subject_keys");
        }
        await using (keysHeld)
        {
            await WaitUntilAsync(async () => await Count(ledgerOf, "ledger.db", ("@c", doomedId)) > 0, "the purge wrote no ledger entry");
            deployment.Kill();
        }
        crashes++;
        Assert.True(await deployment.ScalarAsync(status + "'purging'", ("@c", deployment.Id(doomedId))) == 1, "the purge was over before the kill");
        var keysOf = $"SELECT COUNT(*) FROM {(pg ? "steward_keys." : "")}subject_keys WHERE client_id = @c";
        var contactsOf = """SELECT COUNT(*) FROM "Contacts" WHERE "ClientId" = @c""";
        // cut short after the ledger, before the keys: every key and every row still there, for the restart to finish
        var keysAtKill = (await deployment.QueryAsync($"SELECT subject_id FROM {(pg ? "steward_keys." : "")}subject_keys WHERE client_id = @c",
            r => r.GetGuid(0), "keys.db", ("@c", doomedId))).ToHashSet();
        Assert.DoesNotContain(doomed, c => !keysAtKill.Contains(c));
        Assert.Equal(doomed.Count, await deployment.ScalarAsync(contactsOf, ("@c", deployment.Id(doomedId))));
        var stateAtKill = $"status purging, {doomed.Count} contacts stored and {doomed.Count} keys left, "
            + $"{await Count(ledgerOf, "ledger.db", ("@c", doomedId))} ledger entries";

        await deployment.StartAsync();
        await WaitUntilAsync(async () => await deployment.ScalarAsync(status + "'purged'", ("@c", deployment.Id(doomedId))) == 1, "the purge did not resume");
        Assert.Equal(1, await deployment.ScalarAsync("""SELECT COUNT(*) FROM "Clients" WHERE "Id" = @c AND "PurgedAt" IS NOT NULL""", ("@c", deployment.Id(doomedId))));
        var readable = await AssertPurgedAsync(deployment, doomedId, doomedKey, doomed, kept, keptId, keptKey, keysOf, contactsOf);

        // 3. the backup taken after the first crash (the doomed client still in it) restores; the client stays purged
        deployment.Kill();
        var (restored, restoreOutput) = await deployment.CliAsync("backup", "restore", taken.GetProperty("id").GetString()!);
        Assert.True(restored == 0, restoreOutput);
        await deployment.StartAsync();
        await AssertPurgedAsync(deployment, doomedId, doomedKey, doomed, kept, keptId, keptKey, keysOf, contactsOf);

        deployment.Kill();
        var (exit, output) = await deployment.CliAsync("audit", "verify");
        Assert.True(exit == 0, output);
        TestContext.Current.SendDiagnosticMessage($"crashes mid-backup and mid-purge ({engine}): {crashes} kill -9 in {watch.Elapsed.TotalSeconds:0} s; "
            + $"backup: killed with {partialBytes:N0} bytes of the file written ({scratchAtKill} scratch copy), after restart marked failed, file, scratch and key gone, "
            + $"never listed available; the next backup ({taken.GetProperty("size").GetInt64():N0} bytes) taken and restored; "
            + $"purge of {doomed.Count} contacts: at the kill {stateAtKill}; after restart purged, 0 contacts stored or readable, 0 keys, "
            + $"{readable} of the other client's {kept.Count} contacts readable, also after the restore; audit verify: {output.Split('\n')[0]}");

        Task<long> Count(string sql, string file, params (string, object)[] parameters) =>
            deployment.QueryAsync(sql, r => Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), file, parameters).ContinueWith(t => t.Result.Single());
    }

    private static async Task ImportAsync(HttpClient http, Guid clientId, int rows, string prefix)
    {
        var csv = new StringBuilder("email,firstName,lastName\r\n");
        for (var i = 0; i < rows; i++) csv.Append($"{prefix}{i}@crash.example,{prefix}{i},Row\r\n");
        var response = await http.PostAsync($"/v1/clients/{clientId}/contacts/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<List<Guid>> ContactIdsAsync(Deployment deployment, Guid clientId) =>
        await deployment.QueryAsync("""SELECT "Id" FROM "Contacts" WHERE "ClientId" = @c""", r => r.GetGuid(0), "steward.db", ("@c", deployment.Id(clientId)));

    /// <summary>None of the purged client's contacts stored, readable or openable; every one of the other client's readable. Answers how many.</summary>
    private static async Task<int> AssertPurgedAsync(Deployment deployment, Guid doomedId, string doomedKey, List<Guid> doomed, List<Guid> kept,
        Guid keptId, string keptKey, string keysOf, string contactsOf)
    {
        Assert.Equal(0, await deployment.ScalarAsync(contactsOf, ("@c", deployment.Id(doomedId))));
        Assert.Empty(await deployment.QueryAsync(keysOf, r => r.GetInt64(0), "keys.db", ("@c", doomedId)).ContinueWith(t => t.Result.Where(n => n > 0).ToList()));
        var http = deployment.Client(doomedKey);
        foreach (var id in doomed)
            Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync($"/v1/clients/{doomedId}/contacts/{id}")).StatusCode);
        http = deployment.Client(keptKey);
        var readable = 0;
        foreach (var id in kept)
        {
            var response = await http.GetAsync($"/v1/clients/{keptId}/contacts/{id}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"the kept client's contact {id} is not readable: {(int)response.StatusCode}");
            Assert.StartsWith("kept", (await response.JsonAsync()).GetProperty("firstName").GetString(), StringComparison.Ordinal);
            readable++;
        }
        return readable;
    }

    /// <summary>One create at a time, so at most one is in flight (sent, maybe committed, not acknowledged) at the kill.</summary>
    private static async Task CreateUntilStoppedAsync(HttpClient http, string basePath, ConcurrentDictionary<Guid, string> acknowledged, StrongBox<int> attempted, string prefix, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            attempted.Value++;
            await CreateAsync(http, basePath, acknowledged, $"{prefix}{i}", stop);
        }
    }

    private static async Task CreateAsync(HttpClient http, string basePath, ConcurrentDictionary<Guid, string> acknowledged, string name, CancellationToken ct = default)
    {
        var response = await http.PostAsJsonAsync(basePath + "/contacts", new { email = $"{name}@crash.example", firstName = name }, ct);
        if (response.StatusCode != HttpStatusCode.Created) return; // not acknowledged: the server may have died
        acknowledged[(await response.JsonAsync()).GetProperty("id").GetGuid()] = name;
    }

    private static async Task AssertAllReadableAsync(HttpClient http, string basePath, ConcurrentDictionary<Guid, string> acknowledged)
    {
        foreach (var (id, name) in acknowledged)
        {
            var response = await http.GetAsync($"{basePath}/contacts/{id}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"the acknowledged contact {id} is lost: {(int)response.StatusCode}");
            Assert.Equal(name, (await response.JsonAsync()).GetProperty("firstName").GetString());
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string failure, TimeSpan? limit = null, int pollMs = 20) =>
        WaitUntilAsync(condition, () => failure, limit, pollMs);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? limit = null, int pollMs = 20)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(60))) Assert.Fail(failure());
            await Task.Delay(pollMs);
        }
    }

    /// <summary>A call cut off by the kill fails; that is expected. True when it had finished.</summary>
    private static async Task<bool> Swallow(Task task)
    {
        try { await task; return true; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException) { return false; }
    }
}
