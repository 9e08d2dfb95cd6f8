using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Consents;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Instructions;
using Steward.Notifications;
using Steward.Requests;

namespace Steward.Retention;

/// <summary>
/// Returns all of a client's data in its original structure (P-10, P-47, G-21, Art. 28(3)(g)): contacts with their
/// custom fields, consents with their proof, subject requests; as one JSON document or as a zip of CSV files. Each
/// return is counted: beyond the client's free ones it is billable. Like every export it alerts the CEO and the DPO.
/// </summary>
public sealed class ReturnExport(StewardDb db, KeyVault vault, ConsentHistory consents, Terms terms, ExportAlert alert, AuditLog audit,
    IOptions<RequestOptions> requests, TimeProvider clock)
{
    public sealed record Field(string Name, string Type, bool Required);
    public sealed record ContactData(ContactFields.View Contact, List<ConsentHistory.Proof> Consents);
    public sealed record Document(Guid ClientId, string ClientName, DateTimeOffset ExportedAt, int Number, bool Billable,
        List<Field> CustomFields, List<ContactData> Contacts, List<ReadRequests.View> Requests);
    public sealed record File(string Name, string ContentType, byte[] Content, int Number, bool Billable);

    public async Task<Result<File>> HandleAsync(Guid clientId, string? format, CancellationToken ct)
    {
        format ??= "json";
        if (format is not ("json" or "csv")) return Errors.Invalid("format", "json or csv.");
        var document = await BuildAsync(clientId, format, ct);
        var name = $"steward-return-{clientId}-{document.Number}";
        return format == "json"
            ? new File(name + ".json", "application/json", JsonSerializer.SerializeToUtf8Bytes(document, Json.Strict), document.Number, document.Billable)
            : new File(name + ".zip", "application/zip", Zip(document), document.Number, document.Billable);
    }

    private async Task<Document> BuildAsync(Guid clientId, string format, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId, ct);
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name).Select(f => new Field(f.Name, f.Type, f.Required)).ToListAsync(ct);
        var contacts = new List<ContactData>();
        var rows = await db.Contacts.AsNoTracking().OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(ct);
        foreach (var chunk in rows.Chunk(500))
        {
            var keys = await vault.OpenManyAsync(clientId, chunk.Select(c => c.Id).ToList(), ct);
            foreach (var contact in chunk)
            {
                if (!keys.TryGetValue(contact.Id, out var key)) continue; // erased meanwhile
                using (key) contacts.Add(new ContactData(ContactFields.Open(contact, key), (await consents.HandleAsync(clientId, contact.Id, ct)).Value ?? []));
            }
        }
        var now = clock.GetUtcNow();
        var subjectRequests = new List<ReadRequests.View>();
        foreach (var request in await db.SubjectRequests.AsNoTracking().OrderBy(r => r.ReceivedAt).ToListAsync(ct))
            subjectRequests.Add(await ReadRequests.ViewAsync(db, vault, request, requests.Value, now, ct));

        var free = (await terms.ForAsync(db, clientId, ct)).ExportFreeCount;
        await using var write = await db.BeginWriteAsync(ct);
        // numbered per client: two exports at once on PostgreSQL would both count n and collide on (ClientId, Number),
        // so the client's row is locked first (SQLite's writes are serialised already)
        await db.LockClientAsync(clientId, ct);
        var number = await db.ReturnExports.CountAsync(ct) + 1;
        var record = new ReturnExportRecord
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Number = number,
            Format = format,
            Contacts = contacts.Count,
            Billable = number > free,
            At = now,
        };
        db.ReturnExports.Add(record);
        await alert.RaiseAsync(db, clientId, "return export", contacts.Count, ct);
        await audit.RecordAsync(db, "ExportClientData", "client", clientId.ToString(), ct, clientId);
        await write.CommitAsync(ct);
        return new Document(clientId, client.Name, now, number, record.Billable, fields, contacts, subjectRequests);
    }

    private static byte[] Zip(Document d)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Entry(zip, "custom-fields.csv", ["name", "type", "required"], d.CustomFields.Select(f => (string?[])[f.Name, f.Type, Text(f.Required)]));
            var custom = d.CustomFields.Select(f => f.Name).ToList();
            Entry(zip, "contacts.csv",
                ["id", "email", "firstName", "lastName", "company", "title", "phone", "address", "bio", "ipAddress", "country", "city",
                 "source", "createdAt", "updatedAt", "restrictedAt", .. custom.Select(n => "custom:" + n)],
                d.Contacts.Select(x => x.Contact).Select(c => (string?[])
                [
                    c.Id.ToString(), c.Email, c.FirstName, c.LastName, c.Company, c.Title, c.Phone, c.Address, c.Bio, c.IpAddress, c.Country, c.City,
                    c.Source, Text(c.CreatedAt), Text(c.UpdatedAt), Text(c.RestrictedAt),
                    .. custom.Select(n => c.Custom.TryGetValue(n, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null),
                ]));
            Entry(zip, "consents.csv",
                ["contactId", "id", "purpose", "kind", "method", "at", "widgetId", "widgetVersion", "text", "textSha256", "ipAddress", "userAgent", "evidence"],
                d.Contacts.SelectMany(x => x.Consents.Select(p => (string?[])
                [
                    x.Contact.Id.ToString(), p.Id.ToString(), p.Purpose, p.Kind, p.Method, Text(p.At), p.WidgetId?.ToString(),
                    p.WidgetVersion?.ToString(CultureInfo.InvariantCulture), p.Text, p.TextSha256, p.IpAddress, p.UserAgent, p.Evidence,
                ])));
            Entry(zip, "requests.csv", ["id", "type", "status", "source", "emails", "phone", "contactId", "receivedAt", "dueOn", "closedAt"],
                d.Requests.Select(r => (string?[])
                [
                    r.Id.ToString(), r.Type, r.Status, r.Source, string.Join(';', r.Emails), r.Phone, r.ContactId?.ToString(), Text(r.ReceivedAt),
                    r.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Text(r.ClosedAt),
                ]));
        }
        return buffer.ToArray();
    }

    private static void Entry(ZipArchive zip, string name, string[] header, IEnumerable<string?[]> rows)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(Csv.Line(header));
        foreach (var row in rows) writer.Write(Csv.Line(row));
    }

    private static string Text(bool value) => value ? "true" : "false";
    private static string? Text(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>CSV as spreadsheets read it (RFC 4180), with formula injection neutralised (OWASP: CSV injection).</summary>
public static class Csv
{
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        // a leading =, +, -, @, tab or CR makes a spreadsheet run the cell as a formula: a quote makes it text
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
