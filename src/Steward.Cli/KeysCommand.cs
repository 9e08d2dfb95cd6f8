using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Cli;

public static class KeysCommand
{
    public static Command Build(Cli cli)
    {
        var rotate = new Command("rotate", "Introduce a new key-encryption key and re-wrap every data key under it, online and resumable");
        rotate.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            var report = await services.GetRequiredService<RotateKeys>()
                .HandleAsync(new Progress<long>(n => Console.Error.Write($"\rre-wrapped {n:N0} keys")), ct);
            Console.Error.WriteLine();
            Console.WriteLine(report.PreviousId is null
                ? $"Current key-encryption key: {report.CurrentId}."
                : $"New key-encryption key {report.CurrentId} replaces {report.PreviousId}.");
            Console.WriteLine($"Re-wrapped {report.Rewrapped:N0} keys.");
            foreach (var id in report.Destroyed) Console.WriteLine($"Destroyed retired key-encryption key {id}: nothing uses it.");
            foreach (var id in report.Unused) Console.WriteLine($"Retired key-encryption key {id} wraps nothing now: remove it from Steward:Keys:Retired and destroy it.");
            foreach (var (id, count) in report.StillInUse) Console.WriteLine($"Key-encryption key {id} still wraps {count:N0} keys: run again.");
            return report.StillInUse.Count == 0 ? Exit.Ok : Exit.Found;
        });
        return new Command("keys", "The key-encryption keys") { rotate };
    }
}
