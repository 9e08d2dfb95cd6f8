using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
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
/// <remarks>
/// Streamed (PERFORMANCE.md: memory flat from 10 k to 1 M contacts): the contacts are read a page at a time in
/// (CreatedAt, Id) order, each page's keys and consent histories in one query each, and what a page produced is sent
/// before the next is read. The export is numbered and recorded before the first byte, as its name and its document
/// carry the number.
/// </remarks>
public sealed class ReturnExport(StewardDb db, KeyVault vault, ConsentHistory consents, Terms terms, ExportAlert alert, AuditLog audit,
    IOptions<RequestOptions> requests, TimeProvider clock)
{
    private const int PageSize = 1000;
    /// <summary>The history of the many contacts without a consent; only ever read.</summary>
    private static readonly List<ConsentHistory.Proof> NoConsents = [];

    public sealed record Field(string Name, string Type, bool Required);
    public sealed record ContactData(ContactFields.View Contact, List<ConsentHistory.Proof> Consents);
    /// <summary>The export once recorded: <see cref="WriteToAsync"/> streams its content.</summary>
    public sealed record File(string Name, string ContentType, int Number, bool Billable, Func<Stream, CancellationToken, Task> WriteToAsync);
    private sealed record Header(Guid ClientId, string ClientName, DateTimeOffset ExportedAt, int Number, bool Billable, List<Field> CustomFields);

    public async Task<Result<File>> HandleAsync(Guid clientId, string? format, CancellationToken ct)
    {
        format ??= "json";
        if (format is not ("json" or "csv")) return Errors.Invalid("format", "json or csv.");
        var header = await RecordAsync(clientId, format, ct);
        var name = $"steward-return-{clientId}-{header.Number}";
        return format == "json"
            ? new File(name + ".json", "application/json", header.Number, header.Billable, (output, c) => WriteJsonAsync(header, output, c))
            : new File(name + ".zip", "application/zip", header.Number, header.Billable, (output, c) => WriteZipAsync(header, output, c));
    }

    private async Task<Header> RecordAsync(Guid clientId, string format, CancellationToken ct)
    {
        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId, ct);
        var fields = await db.CustomFields.AsNoTracking().OrderBy(f => f.Name).Select(f => new Field(f.Name, f.Type, f.Required)).ToListAsync(ct);
        var contacts = await db.Contacts.CountAsync(ct);
        var now = clock.GetUtcNow();
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
            Contacts = contacts,
            Billable = number > free,
            At = now,
        };
        db.ReturnExports.Add(record);
        await alert.RaiseAsync(db, clientId, "return export", contacts, ct);
        await audit.RecordAsync(db, "ExportClientData", "client", clientId.ToString(), ct, clientId);
        await write.CommitAsync(ct);
        return new Header(clientId, client.Name, now, number, record.Billable, fields);
    }

    /// <summary>
    /// The client's contacts in export order, a page at a time, with their keys (a contact erased meanwhile has none
    /// and is left out); <paramref name="withConsents"/>: only contacts that have a consent event. Keys are disposed
    /// once the page is done.
    /// </summary>
    private async Task ForEachPageAsync(Guid clientId, bool withConsents, Func<List<Contact>, Dictionary<Guid, DataKey>, Task> page,
        CancellationToken ct)
    {
        (DateTimeOffset At, Guid Id)? after = null;
        while (true)
        {
            var query = db.Contacts.AsNoTracking();
            if (withConsents) query = query.Where(c => db.ConsentEvents.Any(e => e.ContactId == c.Id));
            // keyset on the (ClientId, CreatedAt, Id) index; the first term bounds the index range
            if (after is var (at, id)) query = query.Where(c => c.CreatedAt >= at && (c.CreatedAt > at || c.Id.CompareTo(id) > 0));
            // only what the export opens and writes: not the client's id (a Guid is read as text on SQLite), the blind
            // indexes nor the trash date
            var rows = await query.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Take(PageSize).Select(c => new Contact
            {
                Id = c.Id,
                EmailSealed = c.EmailSealed,
                FirstNameSealed = c.FirstNameSealed,
                LastNameSealed = c.LastNameSealed,
                CompanySealed = c.CompanySealed,
                TitleSealed = c.TitleSealed,
                PhoneSealed = c.PhoneSealed,
                AddressSealed = c.AddressSealed,
                BioSealed = c.BioSealed,
                IpAddressSealed = c.IpAddressSealed,
                CountrySealed = c.CountrySealed,
                CitySealed = c.CitySealed,
                CustomSealed = c.CustomSealed,
                Source = c.Source,
                CreatedAt = c.CreatedAt,
                UpdatedAt = c.UpdatedAt,
                RestrictedAt = c.RestrictedAt,
            }).ToListAsync(ct);
            if (rows.Count == 0) return;
            var keys = await vault.OpenManyAsync(clientId, rows.Select(c => c.Id).ToList(), ct);
            try
            {
                await page(rows, keys);
            }
            finally
            {
                foreach (var key in keys.Values) key.Dispose();
            }
            if (rows.Count < PageSize) return;
            after = (rows[^1].CreatedAt, rows[^1].Id);
        }
    }

    private async Task WriteJsonAsync(Header h, Stream output, CancellationToken ct)
    {
        var options = Json.Strict;
        using var pending = new Pending();
        // the serializer's own writer settings, so that the document is the one JsonSerializer would write whole
        await using var json = new Utf8JsonWriter(pending, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });
        json.WriteStartObject();
        json.WriteString("clientId", h.ClientId);
        json.WriteString("clientName", h.ClientName);
        json.WriteString("exportedAt", h.ExportedAt);
        json.WriteNumber("number", h.Number);
        json.WriteBoolean("billable", h.Billable);
        json.WritePropertyName("customFields");
        JsonSerializer.Serialize(json, h.CustomFields, options);
        json.WriteStartArray("contacts");
        await ForEachPageAsync(h.ClientId, false, async (rows, keys) =>
        {
            var histories = await consents.ManyAsync(h.ClientId, keys, ct);
            foreach (var contact in rows)
                if (keys.TryGetValue(contact.Id, out var key))
                    JsonSerializer.Serialize(json, new ContactData(ContactFields.Open(contact, key), histories.GetValueOrDefault(contact.Id) ?? NoConsents),
                        ReturnExportJson.Default.ContactData);
            json.Flush();
            await pending.SendAsync(output, ct);
        }, ct);
        json.WriteEndArray();
        json.WriteStartArray("requests");
        await ForEachRequestAsync(h, view =>
        {
            JsonSerializer.Serialize(json, view, options);
            json.Flush();
            return pending.SendAsync(output, ct);
        }, ct);
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await pending.SendAsync(output, ct);
    }

    private async Task ForEachRequestAsync(Header h, Func<ReadRequests.View, Task> each, CancellationToken ct)
    {
        // a client's requests are few next to its contacts: read whole, opened one by one
        foreach (var request in await db.SubjectRequests.AsNoTracking().OrderBy(r => r.ReceivedAt).ToListAsync(ct))
            await each(await ReadRequests.ViewAsync(db, vault, request, requests.Value, h.ExportedAt, ct));
    }

    private async Task WriteZipAsync(Header h, Stream output, CancellationToken ct)
    {
        using var pending = new Pending();
        using (var zip = new ZipArchive(pending, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = Entry(zip, "custom-fields.csv", ["name", "type", "required"]))
                foreach (var f in h.CustomFields) entry.Write(Csv.Line([f.Name, f.Type, Text(f.Required)]));

            var custom = h.CustomFields.Select(f => f.Name).ToList();
            using (var entry = Entry(zip, "contacts.csv",
                ["id", "email", "firstName", "lastName", "company", "title", "phone", "address", "bio", "ipAddress", "country", "city",
                 "source", "createdAt", "updatedAt", "restrictedAt", .. custom.Select(n => "custom:" + n)]))
            {
                await ForEachPageAsync(h.ClientId, false, (rows, keys) =>
                {
                    foreach (var contact in rows)
                    {
                        if (!keys.TryGetValue(contact.Id, out var key)) continue;
                        var c = ContactFields.Open(contact, key);
                        // written cell by cell into the entry: no line string, no array a row, no string for an id or a date
                        Csv.WriteValue(entry, c.Id);
                        entry.Write(',');
                        Csv.Write(entry, [c.Email, c.FirstName, c.LastName, c.Company, c.Title, c.Phone, c.Address, c.Bio, c.IpAddress, c.Country, c.City, c.Source]);
                        entry.Write(',');
                        Csv.WriteValue(entry, c.CreatedAt, "O");
                        entry.Write(',');
                        Csv.WriteValue(entry, c.UpdatedAt, "O");
                        entry.Write(',');
                        if (c.RestrictedAt is { } restricted) Csv.WriteValue(entry, restricted, "O");
                        foreach (var n in custom)
                        {
                            entry.Write(',');
                            Csv.WriteCell(entry, c.Custom.TryGetValue(n, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null);
                        }
                        entry.Write("\r\n");
                    }
                    return pending.SendAsync(output, ct);
                }, ct);
            }

            // a second pass, as a zip writes one entry at a time: only the contacts that have a consent, their keys again
            using (var entry = Entry(zip, "consents.csv",
                ["contactId", "id", "purpose", "kind", "method", "at", "widgetId", "widgetVersion", "text", "textSha256", "ipAddress", "userAgent", "evidence"]))
            {
                await ForEachPageAsync(h.ClientId, true, async (rows, keys) =>
                {
                    var histories = await consents.ManyAsync(h.ClientId, keys, ct);
                    foreach (var contact in rows)
                    {
                        if (!keys.ContainsKey(contact.Id)) continue;
                        foreach (var p in histories.GetValueOrDefault(contact.Id) ?? NoConsents)
                            entry.Write(Csv.Line(
                            [
                                contact.Id.ToString(), p.Id.ToString(), p.Purpose, p.Kind, p.Method, Text(p.At), p.WidgetId?.ToString(),
                                p.WidgetVersion?.ToString(CultureInfo.InvariantCulture), p.Text, p.TextSha256, p.IpAddress, p.UserAgent, p.Evidence,
                            ]));
                    }
                    await pending.SendAsync(output, ct);
                }, ct);
            }

            using (var entry = Entry(zip, "requests.csv", ["id", "type", "status", "source", "emails", "phone", "contactId", "receivedAt", "dueOn", "closedAt"]))
            {
                await ForEachRequestAsync(h, r =>
                {
                    entry.Write(Csv.Line(
                    [
                        r.Id.ToString(), r.Type, r.Status, r.Source, string.Join(';', r.Emails), r.Phone, r.ContactId?.ToString(), Text(r.ReceivedAt),
                        r.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Text(r.ClosedAt),
                    ]));
                    return pending.SendAsync(output, ct);
                }, ct);
            }
        }
        await pending.SendAsync(output, ct);
    }

    private static StreamWriter Entry(ZipArchive zip, string name, string[] header)
    {
        var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(Csv.Line(header));
        return writer;
    }

    private static string Text(bool value) => value ? "true" : "false";
    private static string? Text(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// What the writers produced since the last send, in memory: they write synchronously (a zip and a JSON writer
    /// do), which the response body refuses, and a page's worth is then sent with one asynchronous write. Not
    /// seekable, so the zip writes each entry's sizes after its data instead of going back for them.
    /// </summary>
    private sealed class Pending : Stream
    {
        private readonly MemoryStream _bytes = new();
        private long _sent;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _sent + _bytes.Length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _bytes.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => _bytes.Write(buffer);

        public async Task SendAsync(Stream output, CancellationToken ct)
        {
            if (_bytes.Length == 0) return;
            await output.WriteAsync(_bytes.GetBuffer().AsMemory(0, (int)_bytes.Length), ct);
            await output.FlushAsync(ct);
            _sent += _bytes.Length;
            _bytes.SetLength(0);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _bytes.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// The export's one contact record, serialised by generated code (PERFORMANCE.md: exports serialise a record a
/// contact): the options are <see cref="Json.Strict"/>'s for writing (web defaults: camelCase, nulls written).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReturnExport.ContactData))]
internal sealed partial class ReturnExportJson : JsonSerializerContext;

/// <summary>CSV as spreadsheets read it (RFC 4180), with formula injection neutralised (OWASP: CSV injection).</summary>
public static class Csv
{
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(",\"\r\n");

    /// <summary>Cells as <see cref="Line"/> writes them, straight to <paramref name="writer"/>, without the line's end.</summary>
    public static void Write(TextWriter writer, ReadOnlySpan<string?> cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) writer.Write(',');
            WriteCell(writer, cells[i]);
        }
    }

    /// <summary><see cref="Cell"/>, written to <paramref name="writer"/> without making the cell's string.</summary>
    public static void WriteCell(TextWriter writer, string? value) => WriteCell(writer, value.AsSpan());

    /// <summary>A value's cell as <see cref="Cell"/> makes it of its invariant text, written without that text's string.</summary>
    public static void WriteValue<T>(TextWriter writer, T value, string? format = null) where T : ISpanFormattable
    {
        Span<char> text = stackalloc char[64];
        if (value.TryFormat(text, out var length, format, CultureInfo.InvariantCulture)) WriteCell(writer, text[..length]);
        else WriteCell(writer, value.ToString(format, CultureInfo.InvariantCulture));
    }

    private static void WriteCell(TextWriter writer, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return;
        var formula = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
        if (value.IndexOfAny(Special) < 0)
        {
            if (formula) writer.Write('\'');
            writer.Write(value);
            return;
        }
        writer.Write('"');
        if (formula) writer.Write('\'');
        var rest = value;
        for (var quote = rest.IndexOf('"'); quote >= 0; quote = rest.IndexOf('"'))
        {
            writer.Write(rest[..(quote + 1)]);
            writer.Write('"');
            rest = rest[(quote + 1)..];
        }
        writer.Write(rest);
        writer.Write('"');
    }

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        // a leading =, +, -, @, tab or CR makes a spreadsheet run the cell as a formula: a quote makes it text
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
