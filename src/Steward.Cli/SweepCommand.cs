using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Steward.Server.Jobs;

namespace Steward.Cli;

public static class SweepCommand
{
    public static Command Build(Cli cli)
    {
        var sweep = new Command("sweep", "Run every periodic job once now (deliveries, reminders, retention, sub-processor work) and print what each removed, for deployments driven by cron");
        sweep.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            var failed = 0;
            // each job claims its work under leases, so a sweep beside running servers never does anything twice
            foreach (var job in services.GetServices<PeriodicJob>())
            {
                try
                {
                    var done = await job.RunOnceAsync(ct);
                    Console.WriteLine($"{job.Name}: done.");
                    foreach (var line in done) Console.WriteLine($"  {line}");
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed++;
                    Console.WriteLine($"{job.Name}: FAILED ({e.GetType().Name}: {e.Message})");
                }
            }
            return failed == 0 ? Exit.Ok : Exit.Failed;
        });
        return sweep;
    }
}
