using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Steward.Audit;
using Steward.Data;
using Steward.Retention;

namespace Steward.Bench;

/// <summary>
/// export-json and export-csv: a client's whole data returned, one export after another, throughput in contacts
/// per second. Steward through ReturnExport (JSON document, or a zip of CSV files); the raw limit scans the
/// contacts, fetches their keys 500 at a time, decrypts and serialises to the same format, streaming to nowhere.
/// Peak working set is the process's high-water mark since the figure began (reset through /proc where Linux allows).
/// </summary>
internal static class ExportFigures
{
    public static async Task<Figure[]> RunAsync(BenchEngine engine, Settings settings, CancellationToken ct)
    {
        var count = settings.ExportContacts;
        var client = await engine.AddClientAsync("Bench exports", ct);
        var clock = Stopwatch.StartNew();
        await LookupFigures.SeedAsync(engine, client, count, ct);
        Log.Progress($"{engine.Name}: export of {count:N0} contacts, seeded in {clock.Elapsed.TotalSeconds:F1} s");
        var figures = new List<Figure>();
        foreach (var format in new[] { "json", "csv" })
        {
            if (!settings.Includes("export-" + format)) continue;
            Harness.ResetPeakWorkingSet();
            var measured = await Harness.CompareAsync($"{engine.Name} export-{format}",
                [new("steward", _ => Task.FromResult<IWorker>(new CallWorker(c => ExportAsync(engine.Services, client, format, c)))),
                    new("raw", async c => new RawExport(engine, client, format, await engine.Data.OpenAsync(c), await engine.Keys.OpenAsync(c)))],
                1, settings.Brief, ct);
            figures.Add(new Figure("export-" + format, engine.Name, PerContact(measured[0], count), PerContact(measured[1], count), 0.5,
                Harness.PeakWorkingSet()));
        }
        return [.. figures];
    }

    private static Measured PerContact(Measured m, int contacts) => m with { PerSecond = m.PerSecond * contacts };

    /// <param name="written">Called once the export is written, its scope (and what its DbContext holds) still open.</param>
    internal static async Task ExportAsync(IServiceProvider services, Guid client, string format, CancellationToken ct, Action? written = null)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<StewardDb>().TenantId = client;
        var actor = scope.ServiceProvider.GetRequiredService<AuditContext>();
        actor.ActorType = "api-key";
        actor.ActorId = "bench";
        actor.ClientId = client;
        var result = await scope.ServiceProvider.GetRequiredService<ReturnExport>().HandleAsync(client, format, ct);
        if (!result.IsSuccess) throw new InvalidOperationException($"ReturnExport: {result.Error!.Detail}");
        await result.Value!.WriteToAsync(Stream.Null, ct);
        written?.Invoke();
    }

    /// <summary>The raw limit: one ordered scan of the contacts and of their consents, keys fetched per 500 on the key store.</summary>
    private sealed class RawExport : RawWorker
    {
        private readonly BenchEngine _engine;
        private readonly Guid _client;
        private readonly string _format;
        private readonly DbCommand _scan;
        private readonly DbCommand _consents;

        public RawExport(BenchEngine engine, Guid client, string format, DbConnection data, DbConnection keys) : base(data, keys)
        {
            (_engine, _client, _format) = (engine, client, format);
            _scan = OnData("""
                SELECT "Id", "EmailSealed", "FirstNameSealed", "Source", "CreatedAt", "UpdatedAt" FROM "Contacts"
                WHERE "ClientId" = @c AND "DeletedAt" IS NULL ORDER BY "CreatedAt", "Id"
                """, "@c");
            _consents = OnData("""SELECT COUNT(*) FROM "ConsentEvents" WHERE "ClientId" = @c""", "@c");
            RawStore.Set(_scan, client);
            RawStore.Set(_consents, client);
        }

        public override async Task RunOnceAsync(CancellationToken ct)
        {
            // the consents' scan: none are seeded, but the limit reads them as Steward does
            await _consents.ExecuteScalarAsync(ct);
            using var sink = new ZipOrPlain(_format);
            var rows = new List<(Guid Id, byte[] Email, byte[] First, string Source, long Created, long Updated)>(500);
            await using (var reader = await _scan.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    rows.Add((reader.GetGuid(0), (byte[])reader.GetValue(1), (byte[])reader.GetValue(2), reader.GetString(3),
                        _engine.Data.UnixMilliseconds(reader, 4), _engine.Data.UnixMilliseconds(reader, 5)));
                    if (rows.Count == 500) await FlushAsync(rows, sink, ct);
                }
            }
            await FlushAsync(rows, sink, ct);
            sink.Complete();
        }

        private async Task FlushAsync(List<(Guid Id, byte[] Email, byte[] First, string Source, long Created, long Updated)> rows,
            ZipOrPlain sink, CancellationToken ct)
        {
            if (rows.Count == 0) return;
            var keys = await KeysAsync(rows.Select(r => r.Id).ToArray(), ct);
            foreach (var row in rows)
            {
                if (!keys.TryGetValue(row.Id, out var wrapped)) continue;
                var (email, first) = _engine.Crypto.Open(_client, row.Id, wrapped, row.Email, row.First);
                sink.Write(row.Id, email, first, row.Source, DateTimeOffset.FromUnixTimeMilliseconds(row.Created),
                    DateTimeOffset.FromUnixTimeMilliseconds(row.Updated));
            }
            rows.Clear();
        }

        private async Task<Dictionary<Guid, byte[]>> KeysAsync(Guid[] ids, CancellationToken ct)
        {
            var sqlite = _engine.Keys.IsSqlite;
            string[] names = sqlite ? ["@c", .. ids.Select((_, i) => "@p" + i)] : ["@c", "@ids"];
            object?[] values = sqlite ? [_client, .. ids.Cast<object?>()] : [_client, ids];
            await using var select = RawStore.Command(Keys, sqlite
                ? $"SELECT subject_id, wrapped FROM subject_keys WHERE client_id = @c AND subject_id IN ({string.Join(',', names[1..])})"
                : "SELECT subject_id, wrapped FROM subject_keys WHERE client_id = @c AND subject_id = ANY(@ids)", names);
            RawStore.Set(select, values);
            var keys = new Dictionary<Guid, byte[]>(ids.Length);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) keys[reader.GetGuid(0)] = (byte[])reader.GetValue(1);
            return keys;
        }
    }

    /// <summary>The limit's output: a JSON document, or a zip holding contacts.csv, written to a sink that keeps nothing.</summary>
    private sealed class ZipOrPlain : IDisposable
    {
        private readonly ZipArchive? _zip;
        private readonly StreamWriter? _csv;
        private readonly Utf8JsonWriter? _json;

        public ZipOrPlain(string format)
        {
            if (format == "json")
            {
                _json = new Utf8JsonWriter(Stream.Null);
                _json.WriteStartObject();
                _json.WriteStartArray("contacts");
                return;
            }
            _zip = new ZipArchive(new NullSeekable(), ZipArchiveMode.Create);
            _csv = new StreamWriter(_zip.CreateEntry("contacts.csv").Open(), new UTF8Encoding(false));
            _csv.Write("id,email,firstName,source,createdAt,updatedAt\r\n");
        }

        public void Write(Guid id, string email, string firstName, string source, DateTimeOffset created, DateTimeOffset updated)
        {
            if (_json is { } json)
            {
                json.WriteStartObject();
                json.WriteString("id", id);
                json.WriteString("email", email);
                json.WriteString("firstName", firstName);
                json.WriteString("source", source);
                json.WriteString("createdAt", created);
                json.WriteString("updatedAt", updated);
                json.WriteStartArray("consents");
                json.WriteEndArray();
                json.WriteEndObject();
                if (json.BytesPending > 16_384) json.Flush();
                return;
            }
            _csv!.Write(Csv.Line([id.ToString(), email, firstName, source, created.ToString("O", CultureInfo.InvariantCulture),
                updated.ToString("O", CultureInfo.InvariantCulture)]));
        }

        public void Complete()
        {
            if (_json is { } json)
            {
                json.WriteEndArray();
                json.WriteEndObject();
                json.Flush();
            }
        }

        public void Dispose()
        {
            _json?.Dispose();
            _csv?.Dispose();
            _zip?.Dispose();
        }
    }

    /// <summary>A stream that only counts (ZipArchive wants to know where it is).</summary>
    private sealed class NullSeekable : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Position;
        public override long Position { get; set; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Position += count;
    }
}
