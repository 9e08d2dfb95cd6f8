using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// Two server processes on one PostgreSQL (issue 9, several nodes): a scheduled job runs once per schedule across
/// them, not once per node; the outbox delivers each message once although both nodes deliver; and when one node
/// is killed with SIGKILL mid-work, the other delivers what it left and keeps the schedule.
/// </summary>
public sealed partial class NodesTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);
    private const string Pending = "SELECT COUNT(*) FROM \"OutboxMessages\" WHERE \"Status\" <> 'delivered'";

    [Fact]
    public async Task Nodes_two_servers_on_one_postgres_run_each_job_once_and_deliver_each_message_once()
    {
        await using var a = await Deployment.CreateAsync(Engine.Postgres);
        await using var b = a.AnotherNode();
        foreach (var (node, name) in new[] { (a, "node-a"), (b, "node-b") })
        {
            node.Settings["Steward__Jobs__NodeName"] = name;
            node.Settings["Steward__Jobs__Every__MaintenanceJob"] = Every.ToString();
            node.Settings["Steward__Jobs__Poll"] = "00:00:00.250";
            node.Settings["Steward__Mail__LeaseSeconds"] = "10"; // longer than a batch takes on a busy machine; a dead node's claims still run out
            node.Settings["Logging__LogLevel__Steward.Server.Jobs"] = "Debug"; // each run is logged at Debug
        }
        await a.StartAsync();
        await b.StartAsync();
        var (clientId, _) = await a.SignUpAsync();

        // 1. the scheduled job: over a window of about 20 s, one run per interval across both nodes (a timer per node would double it)
        var window = Stopwatch.StartNew();
        var runsBefore = Runs(a) + Runs(b);
        // 2. meanwhile, verification mails queued through both nodes, delivered by both
        await RequestAsync(a, b, clientId, "first", 60);
        await WaitUntilAsync(async () => await a.ScalarAsync(Pending) == 0, "the two nodes did not deliver the outbox");
        if (window.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(TimeSpan.FromSeconds(20) - window.Elapsed);
        var runs = Runs(a) + Runs(b) - runsBefore;
        var most = (int)(window.Elapsed / Every) + 1;
        Assert.True(runs <= most, $"{runs} runs of a job due every {Every.TotalSeconds} s in {window.Elapsed.TotalSeconds:0.0} s: it ran on both nodes");
        Assert.True(runs >= 3, $"only {runs} runs in {window.Elapsed.TotalSeconds:0.0} s: the job hardly ran");
        var messages = await a.ScalarAsync("SELECT COUNT(*) FROM \"OutboxMessages\"");
        Assert.Equal(messages, Directory.EnumerateFiles(a.MailDrop).Count());
        await AssertDeliveredOnceAsync(a, messages);
        var split = $"runs: {a.Output.Split("runs on node").Length - 1} on a, {b.Output.Split("runs on node").Length - 1} on b";

        // 3. kill -9 of one node mid-delivery: the other delivers the rest and keeps running the job
        var deliveredBefore = Directory.EnumerateFiles(a.MailDrop).Count();
        await RequestAsync(b, b, clientId, "second", 60);
        await WaitUntilAsync(() => Task.FromResult(Directory.EnumerateFiles(a.MailDrop).Count() > deliveredBefore), "nothing was delivered");
        a.Kill();
        var pendingAtKill = await b.ScalarAsync(Pending);
        var runsAtKill = Runs(b);
        await WaitUntilAsync(async () => await b.ScalarAsync(Pending) == 0, "the surviving node did not deliver what the killed one left", TimeSpan.FromSeconds(90));
        var mailed = Directory.EnumerateFiles(b.MailDrop).Select(File.ReadAllText).ToList();
        for (var i = 0; i < 60; i++)
            Assert.Contains(mailed, m => m.Contains($"second{i}@nodes.example", StringComparison.Ordinal));
        await AssertDeliveredOnceAsync(b, await b.ScalarAsync("SELECT COUNT(*) FROM \"OutboxMessages\""));
        await WaitUntilAsync(() => Task.FromResult(Runs(b) >= runsAtKill + 2), "the job stopped with the node that held it");
        TestContext.Current.SendDiagnosticMessage($"two nodes: {runs} runs of a {Every.TotalSeconds} s job in {window.Elapsed.TotalSeconds:0.0} s ({split}); "
            + $"{messages} messages delivered once each; after kill -9 of a: {pendingAtKill} pending, all delivered by b, the job ran on");
    }

    private static async Task RequestAsync(Deployment first, Deployment second, Guid clientId, string prefix, int count)
    {
        using var one = first.Client();
        using var other = second.Client();
        var requests = Enumerable.Range(0, count).Select(i => (i % 2 == 0 ? one : other).PostAsJsonAsync("/v1/public/requests",
            new { clientId, type = "access", emails = new[] { $"{prefix}{i}@nodes.example" } })).ToList();
        foreach (var r in requests) Assert.Equal(HttpStatusCode.Accepted, (await r).StatusCode);
    }

    /// <summary>A node that sent a message another had claimed would record a second successful delivery of it.</summary>
    private static async Task AssertDeliveredOnceAsync(Deployment node, long messages)
    {
        const string deliveries = "FROM \"AuditEvents\" WHERE \"Action\" = 'DeliverNotification' AND \"Outcome\" = 'success'";
        Assert.Equal(0, await node.ScalarAsync($"SELECT COUNT(*) FROM (SELECT \"ResourceId\" {deliveries} GROUP BY \"ResourceId\" HAVING COUNT(*) > 1) twice"));
        Assert.Equal(messages, await node.ScalarAsync($"SELECT COUNT(*) {deliveries}"));
    }

    private static int Runs(Deployment node) => MaintenanceRun().Count(node.Output);

    [GeneratedRegex(@"Maintenance \(.*\) runs on node")]
    private static partial Regex MaintenanceRun();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure, TimeSpan? limit = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(60))) Assert.Fail(failure);
            await Task.Delay(50);
        }
    }
}
