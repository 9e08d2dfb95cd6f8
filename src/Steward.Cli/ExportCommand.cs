using System.CommandLine;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;
using Steward.Requests;

namespace Steward.Cli;

public static class ExportCommand
{
    private static readonly string[] Columns = ["id", .. ContactFields.Standard.Select(f => f.Name), "source", "createdAt", "updatedAt", "restrictedAt"];

    public static Command Build(Cli cli)
    {
        var clientOption = new Option<Guid>("--client") { Description = "The client whose contacts to export", Required = true };
        var format = new Option<string>("--format") { Description = "json (an array) or csv", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "csv");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "The file to write; default standard output" };
        var export = new Command("export", "Write a client's contacts, read page by page as the API reads them (restricted ones withheld); CSV cells are safe to open in a spreadsheet")
        {
            clientOption, format, output,
        };
        export.SetAction(async (parse, ct) =>
        {
            var clientId = parse.GetValue(clientOption);
            await using var services = cli.Services(parse);
            await services.InitializeStewardAsync(ct);
            await using var scope = Cli.Scope(services, clientId);
            var db = scope.ServiceProvider.GetRequiredService<StewardDb>();
            if (!await db.Clients.AnyAsync(c => c.Id == clientId, ct)) return Cli.Refuse($"No client {clientId}.");
            var custom = await db.CustomFields.Where(f => f.ClientId == clientId).Select(f => f.Name).OrderBy(n => n).ToListAsync(ct);
            var file = parse.GetValue(output);
            await using var writer = file is null ? Console.Out : new StreamWriter(file.FullName);
            var csv = parse.GetValue(format) == "csv";
            await writer.WriteAsync(csv ? string.Join(',', [.. Columns, .. custom.Select(n => "custom." + n)]) + "\r\n" : "[");

            var read = scope.ServiceProvider.GetRequiredService<ReadContacts>();
            var (count, cursor) = (0L, (string?)null);
            do
            {
                var page = (await read.FindAsync(clientId, null, null, cursor, ReadContacts.MaxPageSize, ct)).Value!;
                foreach (var contact in page.Items)
                    await writer.WriteAsync(csv ? CsvLine(contact, custom) : (count++ == 0 ? "\n" : ",\n") + JsonSerializer.Serialize(contact, Json.Strict));
                if (csv) count += page.Items.Count;
                cursor = page.NextCursor;
                if (file is not null) Console.Error.Write($"\rexported {count:N0} contacts");
            }
            while (cursor is not null);
            if (!csv) await writer.WriteAsync("\n]\n");
            // like every export, it alerts the CEO and the DPO (P-25), in the same unit of work as its audit event
            await using (var write = await db.BeginWriteAsync(ct))
            {
                await scope.ServiceProvider.GetRequiredService<ExportAlert>().RaiseAsync(db, clientId, "cli", count, ct);
                await scope.ServiceProvider.GetRequiredService<AuditLog>().RecordAsync(db, "ExportContacts", "contacts", null, ct);
                await write.CommitAsync(ct);
            }
            Console.Error.WriteLine(file is null ? "" : $"\rexported {count:N0} contacts to {file.FullName}");
            return Exit.Ok;
        });
        return export;
    }

    private static string CsvLine(ContactFields.View c, List<string> custom)
    {
        string?[] values = [c.Id.ToString(), c.Email, c.FirstName, c.LastName, c.Company, c.Title, c.Phone, c.Address, c.Bio, c.IpAddress,
            c.Country, c.City, c.Source, c.CreatedAt.ToString("O"), c.UpdatedAt.ToString("O"), c.RestrictedAt?.ToString("O")];
        var cells = values.Concat(custom.Select(n => c.Custom.TryGetValue(n, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null));
        return string.Join(',', cells.Select(v => AccessPackage.Cell(v ?? ""))) + "\r\n";
    }
}
