using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;

namespace Steward.Cli;

public static class AuditCommand
{
    public static Command Build(Cli cli)
    {
        var verify = new Command("verify", "Re-hash the audit chain; exit 1 and name the first bad event if anything was changed, removed or reordered");
        verify.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await using var scope = services.CreateAsyncScope();
            var report = await scope.ServiceProvider.GetRequiredService<VerifyAuditChain>()
                .HandleAsync(ct, new Progress<long>(n => Console.Error.Write($"\rverified {n:N0} events")));
            Console.Error.WriteLine();
            if (report.Intact)
            {
                Console.WriteLine($"The audit chain is intact: {report.Events:N0} events.");
                return Exit.Ok;
            }
            Console.WriteLine($"The audit chain is BROKEN at event {report.FirstBadSeq}: {report.Problem}.");
            return Exit.Found;
        });
        return new Command("audit", "The audit trail") { verify };
    }
}
