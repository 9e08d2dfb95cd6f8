using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Consents;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>
/// Bulk import of a client's contacts from CSV, streamed in batches: one vault commit and one data commit per
/// batch, with one audit event per batch. Columns: the contact fields (camelCase), <c>custom.NAME</c> for declared
/// fields, and for consent the client collected elsewhere <c>consent.PURPOSE</c> (true/yes/1) with
/// <c>consentSource</c> (where and how) and <c>consentDate</c> — recorded as an import, with the client's date.
/// The email is the idempotency key: a row whose email the client already holds is skipped, so an interrupted
/// import is resumed by sending the same file again. A bad row is reported by line and field and never stops the rest;
/// the report names fields, never values.
/// </summary>
public sealed partial class ImportContacts(StewardDb db, KeyVault vault, BlindIndex index, AuditLog audit, TimeProvider clock)
{
    // a commit per 1,000 rows: fewer durable commits and chain-head locks, while a batch holds the write turn ~50 ms
    public const int BatchSize = 1000;
    public const int MaxListedErrors = 1000;

    public sealed record RowError(long Line, string Field, string Message);
    public sealed record Progress(long Rows, long Imported, long Skipped, long Failed);
    public sealed record Report(Guid ImportId, long Rows, long Imported, long Skipped, long Failed, IReadOnlyList<RowError> Errors);

    private sealed record Row(long Line, byte[] EmailIndex, ContactFields.Values Values, Dictionary<string, JsonElement> Custom,
        List<string> Consents, string? ConsentSource, DateTimeOffset? ConsentDate);

    private sealed class Tally
    {
        public long Rows, Imported, Skipped, Failed;
        public List<RowError> Errors { get; } = [];

        public void Fail(long line, string field, string message)
        {
            if (Errors.Count < MaxListedErrors) Errors.Add(new RowError(line, field, message));
        }

        public Progress Now => new(Rows, Imported, Skipped, Failed);
    }

    public async Task<Result<Report>> HandleAsync(Guid clientId, TextReader csv, IProgress<Progress>? progress, CancellationToken ct)
    {
        var declared = await DeclareFields.DeclaredAsync(db, ct);
        using var reader = new CsvReader(csv, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = false, BadDataFound = null, MissingFieldFound = null });
        if (!await reader.ReadAsync() || !reader.ReadHeader() || reader.HeaderRecord is not { Length: > 0 } header)
            return Errors.Invalid("file", "A CSV file with a header row.");
        var problems = new Problems();
        CheckHeader(header, declared, problems);
        if (problems.Any) return Errors.Invalid(problems);

        var importId = Guid.CreateVersion7();
        var tally = new Tally();
        var batch = new List<Row>(BatchSize);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            ct.ThrowIfCancellationRequested();
            tally.Rows++;
            if (await ParseAsync(clientId, reader, header, declared, tally) is { } row)
            {
                if (seen.Add(Convert.ToBase64String(row.EmailIndex))) batch.Add(row);
                else tally.Skipped++; // the same email twice in one file: the first wins
            }
            if (batch.Count == BatchSize)
            {
                await StoreAsync(clientId, importId, batch, tally, ct);
                progress?.Report(tally.Now);
            }
        }
        if (batch.Count > 0) await StoreAsync(clientId, importId, batch, tally, ct);
        progress?.Report(tally.Now);
        return new Report(importId, tally.Rows, tally.Imported, tally.Skipped, tally.Failed, tally.Errors);
    }

    private static void CheckHeader(string[] header, Dictionary<string, CustomField> declared, Problems problems)
    {
        if (!header.Contains("email", StringComparer.Ordinal)) problems.Add("columns", "An email column: it identifies each contact.");
        foreach (var column in header)
        {
            var known = ContactFields.StandardNames.Contains(column) || column is "consentSource" or "consentDate"
                || (column.StartsWith("custom.", StringComparison.Ordinal) && declared.ContainsKey(column[7..]))
                || (column.StartsWith("consent.", StringComparison.Ordinal) && PurposePattern().IsMatch(column[8..]));
            if (!known) problems.Add("columns", $"Unknown column '{ContactFields.Safe(column)}': declare custom fields first.");
        }
        if (header.Distinct(StringComparer.Ordinal).Count() != header.Length) problems.Add("columns", "A column is named twice.");
        if (header.Any(c => c.StartsWith("consent.", StringComparison.Ordinal)) && !(header.Contains("consentSource") && header.Contains("consentDate")))
            problems.Add("columns", "Consent columns need consentSource and consentDate: the evidence of where and when it was given.");
    }

    /// <summary>One row into checked values, or null with its errors in the tally.</summary>
    private async Task<Row?> ParseAsync(Guid clientId, CsvReader reader, string[] header, Dictionary<string, CustomField> declared, Tally tally)
    {
        var line = reader.Parser.RawRow;
        var standard = new List<KeyValuePair<string, string>>(header.Length);
        Dictionary<string, object?>? custom = null;
        var consents = new List<string>();
        string? source = null, date = null;
        for (var i = 0; i < header.Length; i++)
        {
            var value = reader.GetField(i);
            if (string.IsNullOrEmpty(value)) continue;
            var column = header[i];
            if (column == "consentSource") source = value.Trim();
            else if (column == "consentDate") date = value.Trim();
            else if (column.StartsWith("consent.", StringComparison.Ordinal))
            {
                if (value.Trim().ToLowerInvariant() is "true" or "yes" or "1") consents.Add(column[8..]);
            }
            else if (column.StartsWith("custom.", StringComparison.Ordinal))
                (custom ??= new(StringComparer.Ordinal))[column[7..]] = Typed(value, declared[column[7..]].Type);
            else standard.Add(new(column, value));
        }

        var problems = new Problems();
        // the cells straight into the checks a JSON body gets (no JSON document a row: it cost more than the checks)
        var values = ContactFields.ParseText(standard, custom, declared, problems);
        var merged = ContactFields.Merge([], values);
        ContactFields.CheckRequired(merged, declared.Values, problems);
        DateTimeOffset? consentDate = null;
        if (consents.Count > 0)
        {
            if (string.IsNullOrWhiteSpace(source) || source.Length > 200) problems.Add("consentSource", "Where and how the consent was collected (1 to 200 characters).");
            if (!DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                problems.Add("consentDate", "The date the consent was given (ISO 8601).");
            else if (parsed > clock.GetUtcNow()) problems.Add("consentDate", "A consent cannot be given in the future.");
            else consentDate = parsed;
        }
        var email = values.Standard.GetValueOrDefault("email");
        if (email is null) problems.Add("email", "Required: it identifies the contact.");
        if (problems.Any)
        {
            tally.Failed++;
            foreach (var (field, messages) in problems.ToDictionary())
                foreach (var message in messages) tally.Fail(line, field, message);
            return null;
        }
        var emailIndex = await index.EmailAsync(clientId, email, CancellationToken.None);
        return new Row(line, emailIndex!, values, merged, consents, source, consentDate);
    }

    /// <summary>CSV has only text: give a declared field its JSON type, so the usual checks apply unchanged.</summary>
    private static object Typed(string value, string type) => type switch
    {
        "number" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
        "boolean" when bool.TryParse(value, out var b) => b,
        _ => value,
    };

    private async Task StoreAsync(Guid clientId, Guid importId, List<Row> batch, Tally tally, CancellationToken ct)
    {
        var indexes = batch.Select(r => r.EmailIndex).ToList();
        // PostgreSQL: one array parameter each (= ANY), not EF's default of one parameter a value, a 1,000-parameter
        // statement generated, planned and bound on every call. Not SQLite: its json_each over blobs missed the index
        // (import 15 times slower), while 1,000 parameters cost it no round trip. On PostgreSQL in SQL, one unique-index
        // probe per email (LATERAL … LIMIT 1), and the client as a sub-select: a client new since the last ANALYZE is
        // "1 row" to the planner, which then read the client's every contact through another of its indexes, filtering
        // them against the array (EF Core's Contains and a plain = ANY did: 30–40 ms a batch at 55 k contacts, growing),
        // or, per email, once for each (7 s a batch). The sub-select's value is unknown when the plan is made, so the
        // client counts as an average one, and the unique index's one-row probe wins: 5 ms a batch whatever its size
        // contacts in the trash included (G-44): their emails still hold the unique index, and one of them in a batch
        // would fail its insert and send the whole batch row by row
        var known = db.IsSqlite
            ? db.Contacts.IgnoreQueryFilters().Where(c => c.ClientId == clientId && indexes.Contains(c.EmailIndex!)).Select(c => c.EmailIndex!)
            : db.Database.SqlQuery<byte[]>($"""
                SELECT x."Value" FROM unnest({indexes}) AS i(v) CROSS JOIN LATERAL (SELECT c."EmailIndex" AS "Value" FROM "Contacts" c
                    WHERE c."ClientId" = (SELECT {clientId}::uuid) AND c."EmailIndex" = i.v LIMIT 1) x
                """);
        var existing = (await known.ToListAsync(ct)).Select(Convert.ToBase64String).ToHashSet(StringComparer.Ordinal);
        var rows = batch.Where(r => !existing.Contains(Convert.ToBase64String(r.EmailIndex))).ToList();
        tally.Skipped += batch.Count - rows.Count;
        batch.Clear();
        if (rows.Count == 0) return;

        // an objection outlives everything (Art. 21(3)): a suppressed address comes in without its consents
        var rowIndexes = rows.Select(r => r.EmailIndex).ToList();
        var suppressions = db.Suppressions.Where(s => s.Kind == Suppression.Email);
        suppressions = db.IsSqlite ? suppressions.Where(s => rowIndexes.Contains(s.Index)) : suppressions.Where(s => EF.Parameter(rowIndexes).Contains(s.Index));
        var suppressed = (await suppressions.Select(s => s.Index).ToListAsync(ct))
            .Select(Convert.ToBase64String).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var contacts = rows.Select(_ => new Contact { Id = Guid.CreateVersion7(), ClientId = clientId, Source = "import", CreatedAt = now, UpdatedAt = now }).ToList();
        var consents = new List<ConsentEvent>(rows.Count);
        var keys = await vault.CreateBatchAsync(clientId, contacts.Select(c => c.Id).ToList(), ct);
        try
        {
            for (var i = 0; i < rows.Count; i++)
            {
                await ContactFields.ApplyAsync(contacts[i], keys[i], rows[i].Values, rows[i].Custom, index, ct, rows[i].EmailIndex);
                if (rows[i].Consents.Count > 0 && suppressed.Contains(Convert.ToBase64String(rows[i].EmailIndex)))
                {
                    tally.Fail(rows[i].Line, "consents", "The subject objected to marketing (suppression list): its consents are not imported; it can give a fresh one itself.");
                    continue;
                }
                foreach (var purpose in rows[i].Consents)
                {
                    consents.Add(new ConsentEvent
                    {
                        Id = Guid.CreateVersion7(),
                        ClientId = clientId,
                        ContactId = contacts[i].Id,
                        Purpose = purpose,
                        Kind = ConsentEvent.Given,
                        Method = "import",
                        Evidence = rows[i].ConsentSource,
                        At = rows[i].ConsentDate!.Value,
                    });
                }
            }
            // the rows go in untracked (the change tracker cost several times the engine's work), the audit event
            // through the unit of work as always, all in one transaction
            await using var write = await db.BeginWriteAsync(ct);
            await BulkInsert.InsertAsync(db, contacts, ct);
            await BulkInsert.InsertAsync(db, consents, ct);
            await audit.RecordAsync(db, "ImportContacts", "import", importId.ToString(), ct, status: 200);
            await write.CommitAsync(ct);
            tally.Imported += rows.Count;
        }
        catch (DbException e) when (BulkInsert.IsUniqueViolation(e))
        {
            // another writer added one of these emails meanwhile: nothing of the batch was stored; take it row by row
            db.ChangeTracker.Clear();
            await vault.DestroyAsync(clientId, contacts.Select(c => c.Id).ToList(), CancellationToken.None);
            if (rows.Count == 1)
            {
                tally.Skipped++;
                return;
            }
            foreach (var row in rows) await StoreAsync(clientId, importId, [row], tally, ct);
        }
        finally
        {
            foreach (var key in keys) key.Dispose();
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex PurposePattern();
}
