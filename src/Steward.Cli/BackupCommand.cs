using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Backups;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Cli;

public static class BackupCommand
{
    public static Command Build(Cli cli)
    {
        var create = new Command("create", "Take an encrypted, online backup of the data database now (never the key store or the ledger)");
        create.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            if (Misconfigured(services) is { } refused) return refused;
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services);
            var backup = await scope.ServiceProvider.GetRequiredService<CreateBackup>().HandleAsync(ct);
            Console.WriteLine($"{backup.Id} {backup.Size.ToString(CultureInfo.InvariantCulture)} bytes {backup.Location}");
            return Exit.Ok;
        });

        var json = new Option<bool>("--json") { Description = "Print the catalogue as JSON" };
        var list = new Command("list", "The backup catalogue, newest first: id, taken at, status, size, region, location, SHA-256, migration") { json };
        list.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            if (Misconfigured(services) is { } refused) return refused;
            var catalogue = services.GetRequiredService<BackupCatalogue>();
            await catalogue.InitializeAsync(ct);
            var entries = await catalogue.ListAsync(ct);
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(entries, JsonSerializerOptions.Web));
            else
                foreach (var e in entries)
                    Console.WriteLine(string.Join('\t', e.Id, e.TakenAt.ToString("u", CultureInfo.InvariantCulture), e.Status,
                        e.Size.ToString(CultureInfo.InvariantCulture), e.Region, e.Location, e.Sha256 ?? "-", e.Migration ?? "-"));
            return Exit.Ok;
        });

        var id = new Argument<Guid>("id") { Description = "The backup's id (steward backup list)" };
        var restore = new Command("restore", "With every server stopped: put a backup back, migrate it forward, replay the forget ledger") { id };
        restore.SetAction(async (parse, ct) =>
        {
            await using var services = cli.Services(parse);
            if (Misconfigured(services) is { } refused) return refused;
            // only the stores kept apart: the data database may be the very thing being replaced
            await services.GetRequiredService<KeyVault>().InitializeAsync(ct);
            await services.GetRequiredService<ForgetLedger>().InitializeAsync(ct);
            await services.GetRequiredService<BackupCatalogue>().InitializeAsync(ct);
            await using var scope = Cli.Scope(services);
            var outcome = await scope.ServiceProvider.GetRequiredService<RestoreBackup>().HandleAsync(parse.GetValue(id), ct);
            if (outcome.Status == RestoreBackup.Status.Restored)
            {
                Console.WriteLine(outcome.Message);
                return Exit.Ok;
            }
            Console.Error.WriteLine(outcome.Message);
            return outcome.Status == RestoreBackup.Status.Damaged ? Exit.Found : Exit.Refused;
        });

        return new Command("backup", "Backups of the data database: create, list, restore") { create, list, restore };
    }

    /// <summary>A location outside the allowed regions (or any bad setting) refuses the command before any work.</summary>
    private static int? Misconfigured(IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<IOptions<BackupOptions>>().Value;
            _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException e)
        {
            return Cli.Refuse(e.Message);
        }
    }
}
