using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// The server process is killed with SIGKILL in the middle of a bulk import, of erasures and of outbox delivery,
/// and started again on the same stores. No acknowledged write is lost, no contact is half erased (each is whole
/// or gone, and every acknowledged erasure holds), the import resumes without duplicates, the outbox delivers
/// every message, and `steward audit verify` finds the chain intact.
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

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure, TimeSpan? limit = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(60))) Assert.Fail(failure);
            await Task.Delay(20);
        }
    }

    /// <summary>A call cut off by the kill fails; that is expected. True when it had finished.</summary>
    private static async Task<bool> Swallow(Task task)
    {
        try { await task; return true; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException) { return false; }
    }
}
