using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Contacts;
using Steward.Data;
using Steward.Http;

namespace Steward.Cli;

public static class ImportCommand
{
    public static Command Build(Cli cli)
    {
        var clientOption = new Option<Guid>("--client") { Description = "The client whose contacts these are", Required = true };
        var file = new Argument<FileInfo>("file") { Description = "A CSV file with a header row (see docs/operations.md)" };
        var contacts = new Command("contacts", "Import contacts from CSV with their consent evidence; send the same file again to resume")
        {
            clientOption, file,
        };
        contacts.SetAction(async (parse, ct) =>
        {
            var (clientId, path) = (parse.GetValue(clientOption), parse.GetRequiredValue(file));
            if (!path.Exists) return Cli.Refuse($"No such file: {path.FullName}");
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services, clientId);
            if (!await scope.ServiceProvider.GetRequiredService<StewardDb>().Clients.AnyAsync(c => c.Id == clientId, ct))
                return Cli.Refuse($"No client {clientId}.");
            using var reader = path.OpenText();
            var result = await scope.ServiceProvider.GetRequiredService<ImportContacts>().HandleAsync(clientId, reader,
                new Progress<ImportContacts.Progress>(p => Console.Error.Write(
                    $"\r{p.Rows:N0} rows: {p.Imported:N0} imported, {p.Skipped:N0} skipped, {p.Failed:N0} failed")), ct);
            Console.Error.WriteLine();
            if (result.Error is InvalidError invalid)
            {
                foreach (var (field, messages) in invalid.Fields) Console.WriteLine($"{field}: {string.Join(" ", messages)}");
                return Exit.Refused;
            }
            var report = result.Value!;
            Console.WriteLine($"Import {report.ImportId}: {report.Rows:N0} rows, {report.Imported:N0} imported, " +
                $"{report.Skipped:N0} skipped (already there), {report.Failed:N0} failed.");
            foreach (var error in report.Errors) Console.WriteLine($"line {error.Line}, {error.Field}: {error.Message}");
            return report.Failed == 0 ? Exit.Ok : Exit.Found;
        });
        return new Command("import", "Bulk import") { contacts };
    }
}
