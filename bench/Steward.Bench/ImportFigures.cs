using System.Data.Common;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Bench;

/// <summary>
/// import: a CSV of new contacts, each with a consent and its evidence (where and when), imported one file after
/// another. Steward through ImportContacts (what POST /contacts/import runs); the raw limit reads the same CSV and
/// ingests it by plain ADO.NET, 1,000 contacts per transaction: new keys wrapped and committed to the key store, then
/// the sealed contacts with their blind index, their consent events and one chained audit event per batch (SQLite:
/// statements prepared once, in one transaction; PostgreSQL: keys, contacts and consents by binary COPY, as Steward). Throughput is in contacts per second.
/// </summary>
internal static class ImportFigures
{
    private const string Header = "email,firstName,consent.newsletter,consentSource,consentDate";

    public static async Task<Figure> RunAsync(BenchEngine engine, Settings settings, CancellationToken ct)
    {
        await engine.Data.EnsureChainHeadAsync(ct);
        var rows = settings.ImportRows;
        var steward = new StewardImport(engine.Services, await engine.AddClientAsync("Bench Steward imports", ct), rows);
        var raw = new RawImport(engine, await engine.AddClientAsync("Bench raw imports", ct), rows);
        var measured = await Harness.CompareAsync($"{engine.Name} import of {rows:N0}",
            [new("steward", _ => Task.FromResult<IWorker>(new CallWorker(steward.ImportOneAsync))), new("raw", raw.OpenWorkerAsync)],
            1, settings.Brief, ct);
        return new Figure("import", engine.Name, PerContact(measured[0], rows), PerContact(measured[1], rows), 0.6,
            Harness.PeakWorkingSet());
    }

    private static Measured PerContact(Measured m, int rows) => m with { PerSecond = m.PerSecond * rows };

    /// <summary>A file of <paramref name="rows"/> new contacts, the emails numbered from <paramref name="first"/>.</summary>
    private static string Csv(string side, long first, int rows)
    {
        var csv = new StringBuilder(rows * 80).AppendLine(Header);
        for (var n = first; n < first + rows; n++)
            csv.Append(side).Append(n).Append("@import.example,Ada ").Append(n).AppendLine(",true,bench sign-up form,2026-01-15T10:00:00Z");
        return csv.ToString();
    }

    /// <summary>Steward through its use case, one DI scope per file as one request would have.</summary>
    private sealed class StewardImport(IServiceProvider services, Guid client, int rows)
    {
        private readonly string _apiKeyId = Guid.CreateVersion7().ToString();
        private long _next;

        public async Task ImportOneAsync(CancellationToken ct)
        {
            var csv = Csv("s", Interlocked.Add(ref _next, rows) - rows, rows);
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<StewardDb>().TenantId = client;
            var actor = scope.ServiceProvider.GetRequiredService<AuditContext>();
            actor.ActorType = "api-key";
            actor.ActorId = _apiKeyId;
            actor.ClientId = client;
            var result = await scope.ServiceProvider.GetRequiredService<ImportContacts>().HandleAsync(client, new StringReader(csv), null, ct);
            if (!result.IsSuccess || result.Value!.Imported != rows)
                throw new InvalidOperationException($"ImportContacts: {result.Error?.Detail ?? $"{result.Value!.Imported} imported, {result.Value.Failed} failed"}");
        }
    }

    /// <summary>The raw limit: each file read line by line and ingested in batches of 1,000.</summary>
    private sealed class RawImport(BenchEngine engine, Guid client, int rows)
    {
        private const int Batch = 1_000;
        private const string InsertKey =
            "INSERT INTO subject_keys (subject_id, client_id, kek_id, wrapped, created_at) VALUES (@s, @c, @k, @w, @t)";
        private const string InsertContact = """
            INSERT INTO "Contacts" ("Id", "ClientId", "EmailIndex", "EmailSealed", "FirstNameSealed", "Source", "CreatedAt", "UpdatedAt")
                VALUES (@id, @client, @index, @email, @first, 'import', @now, @now)
            """;
        private const string InsertConsent = """
            INSERT INTO "ConsentEvents" ("Id", "ClientId", "ContactId", "Purpose", "Kind", "Method", "Evidence", "At")
                VALUES (@id, @client, @contact, @purpose, 'given', 'import', @evidence, @at)
            """;
        private const string InsertEvent = """
            INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                "Outcome", "Status", "PrevHash", "Hash")
                VALUES (@seq, @at, 'api-key', @actor, @client, 'ImportContacts', 'import', @resource, 'success', 200, @prev, @hash)
            """;
        // PostgreSQL: keys, contacts and consents by binary COPY, the engine's fastest ingest and what Steward uses
        private const string CopyKeys = "COPY subject_keys (subject_id, client_id, kek_id, wrapped, created_at) FROM STDIN (FORMAT BINARY)";
        private const string CopyContacts =
            """COPY "Contacts" ("Id", "ClientId", "EmailIndex", "EmailSealed", "FirstNameSealed", "Source", "CreatedAt", "UpdatedAt") FROM STDIN (FORMAT BINARY)""";
        private const string CopyConsents =
            """COPY "ConsentEvents" ("Id", "ClientId", "ContactId", "Purpose", "Kind", "Method", "Evidence", "At") FROM STDIN (FORMAT BINARY)""";
        private const string UpdateHead = """UPDATE "AuditChainHeads" SET "Seq" = @seq, "Hash" = @hash WHERE "Id" = 1""";

        private readonly byte[] _indexKey = engine.Crypto.IndexKey(client);
        private readonly string _actorId = Guid.CreateVersion7().ToString();
        private long _next;

        public async Task<IWorker> OpenWorkerAsync(CancellationToken ct) =>
            new Worker(this, await engine.Data.OpenAsync(ct), await engine.Keys.OpenAsync(ct));

        private sealed record Sealed(Guid Id, RawCrypto.SealedContact Contact, string Purpose, string Evidence, DateTimeOffset GivenAt);

        private sealed class Worker : RawWorker
        {
            private readonly RawImport _owner;
            private readonly DbCommand _key, _contact, _consent, _event, _head;

            public Worker(RawImport owner, DbConnection data, DbConnection keys) : base(data, keys)
            {
                _owner = owner;
                _key = OnKeys(InsertKey, "@s", "@c", "@k", "@w", "@t");
                _contact = OnData(InsertContact, "@id", "@client", "@index", "@email", "@first", "@now");
                _consent = OnData(InsertConsent, "@id", "@client", "@contact", "@purpose", "@evidence", "@at");
                _event = OnData(InsertEvent + ";\n" + UpdateHead, "@seq", "@at", "@actor", "@client", "@resource", "@prev", "@hash");
                _head = OnData("""SELECT "Seq", "Hash" FROM "AuditChainHeads" WHERE "Id" = 1""" + (owner.IsSqlite ? "" : " FOR UPDATE"));
            }

            public override async Task RunOnceAsync(CancellationToken ct)
            {
                var owner = _owner;
                var csv = Csv("r", Interlocked.Add(ref owner._next, owner.Rows) - owner.Rows, owner.Rows);
                using var reader = new StringReader(csv);
                if (reader.ReadLine() != Header) throw new InvalidOperationException("Not the import's header.");
                var batch = new List<Sealed>(Batch);
                var importId = Guid.CreateVersion7().ToString();
                while (reader.ReadLine() is { } line)
                {
                    var cells = line.Split(',');
                    var id = Guid.CreateVersion7();
                    batch.Add(new Sealed(id, owner.Crypto.Seal(owner.Client, id, owner._indexKey, cells[0], cells[1]),
                        cells[2] == "true" ? "newsletter" : throw new InvalidOperationException("No consent."), cells[3],
                        DateTimeOffset.Parse(cells[4], System.Globalization.CultureInfo.InvariantCulture)));
                    if (batch.Count == Batch) await StoreAsync(batch, importId, ct);
                }
                if (batch.Count > 0) await StoreAsync(batch, importId, ct);
            }

            private async Task StoreAsync(List<Sealed> batch, string importId, CancellationToken ct)
            {
                var owner = _owner;
                var (client, data, keyStore) = (owner.Client, owner.Engine.Data, owner.Engine.Keys);
                var now = DateTimeOffset.UtcNow;
                await keyStore.EnterWriteAsync(ct);
                try
                {
                    await using var tx = await Keys.BeginTransactionAsync(ct);
                    if (Keys is NpgsqlConnection keysPg)
                    {
                        await using var keys = await keysPg.BeginBinaryImportAsync(CopyKeys, ct);
                        foreach (var row in batch)
                        {
                            await keys.StartRowAsync(ct);
                            await keys.WriteAsync(row.Id, NpgsqlDbType.Uuid, ct);
                            await keys.WriteAsync(client, NpgsqlDbType.Uuid, ct);
                            await keys.WriteAsync(owner.Crypto.KekId, NpgsqlDbType.Text, ct);
                            await keys.WriteAsync(row.Contact.Wrapped, NpgsqlDbType.Bytea, ct);
                            await keys.WriteAsync(now.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct);
                        }
                        await keys.CompleteAsync(ct);
                    }
                    else
                    {
                        _key.Transaction = tx;
                        foreach (var row in batch)
                        {
                            RawStore.Set(_key, row.Id, client, owner.Crypto.KekId, row.Contact.Wrapped, now.ToUnixTimeMilliseconds());
                            await _key.ExecuteNonQueryAsync(ct);
                        }
                    }
                    await tx.CommitAsync(ct);
                }
                finally
                {
                    keyStore.ExitWrite();
                }

                await data.EnterWriteAsync(ct);
                try
                {
                    await using var tx = await Data.BeginTransactionAsync(ct);
                    _head.Transaction = tx;
                    long seq;
                    byte[] previous;
                    await using (var head = await _head.ExecuteReaderAsync(ct))
                    {
                        if (!await head.ReadAsync(ct)) throw new InvalidOperationException("No audit chain head.");
                        seq = head.GetInt64(0) + 1;
                        previous = (byte[])head.GetValue(1);
                    }
                    var at = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
                    var hash = RawCrypto.ChainHash(previous, seq, string.Join('\u001f', seq, at.ToUnixTimeMilliseconds(),
                        "api-key", owner._actorId, client, "ImportContacts", "import", importId, "success", 200, "", ""));
                    var stored = data.Time(now);
                    if (Data is NpgsqlConnection dataPg)
                    {
                        await using (var contacts = await dataPg.BeginBinaryImportAsync(CopyContacts, ct))
                        {
                            foreach (var row in batch)
                            {
                                await contacts.StartRowAsync(ct);
                                await contacts.WriteAsync(row.Id, NpgsqlDbType.Uuid, ct);
                                await contacts.WriteAsync(client, NpgsqlDbType.Uuid, ct);
                                await contacts.WriteAsync(row.Contact.EmailIndex, NpgsqlDbType.Bytea, ct);
                                await contacts.WriteAsync(row.Contact.EmailSealed, NpgsqlDbType.Bytea, ct);
                                await contacts.WriteAsync(row.Contact.FirstNameSealed, NpgsqlDbType.Bytea, ct);
                                await contacts.WriteAsync("import", NpgsqlDbType.Varchar, ct);
                                await contacts.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                                await contacts.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                            }
                            await contacts.CompleteAsync(ct);
                        }
                        await using (var consents = await dataPg.BeginBinaryImportAsync(CopyConsents, ct))
                        {
                            foreach (var row in batch)
                            {
                                await consents.StartRowAsync(ct);
                                await consents.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                                await consents.WriteAsync(client, NpgsqlDbType.Uuid, ct);
                                await consents.WriteAsync(row.Id, NpgsqlDbType.Uuid, ct);
                                await consents.WriteAsync(row.Purpose, NpgsqlDbType.Varchar, ct);
                                await consents.WriteAsync("given", NpgsqlDbType.Varchar, ct);
                                await consents.WriteAsync("import", NpgsqlDbType.Varchar, ct);
                                await consents.WriteAsync(row.Evidence, NpgsqlDbType.Varchar, ct);
                                await consents.WriteAsync(row.GivenAt, NpgsqlDbType.TimestampTz, ct);
                            }
                            await consents.CompleteAsync(ct);
                        }
                        await using var write = new NpgsqlBatch(dataPg, (NpgsqlTransaction)tx);
                        write.BatchCommands.Add(Command(InsertEvent, seq, data.Time(at), owner._actorId, client, importId, previous, hash));
                        write.BatchCommands.Add(Command(UpdateHead, seq, hash));
                        await write.ExecuteNonQueryAsync(ct);
                    }
                    else
                    {
                        _contact.Transaction = _consent.Transaction = _event.Transaction = tx;
                        foreach (var row in batch)
                        {
                            RawStore.Set(_contact, row.Id, client, row.Contact.EmailIndex, row.Contact.EmailSealed, row.Contact.FirstNameSealed, stored);
                            await _contact.ExecuteNonQueryAsync(ct);
                            RawStore.Set(_consent, Guid.CreateVersion7(), client, row.Id, row.Purpose, row.Evidence, data.Time(row.GivenAt));
                            await _consent.ExecuteNonQueryAsync(ct);
                        }
                        RawStore.Set(_event, seq, data.Time(at), owner._actorId, client, importId, previous, hash);
                        await _event.ExecuteNonQueryAsync(ct);
                    }
                    await tx.CommitAsync(ct);
                }
                finally
                {
                    data.ExitWrite();
                }
                batch.Clear();
            }

            private static readonly Dictionary<string, string> PositionalSql = new[]
            {
                InsertKey, InsertContact, InsertConsent, InsertEvent, UpdateHead,
            }.ToDictionary(sql => sql, Positional, StringComparer.Ordinal);

            /// <summary>A batch command with its parameters in order (the SQL rewritten once, not per row).</summary>
            private static NpgsqlBatchCommand Command(string sql, params object[] values)
            {
                var command = new NpgsqlBatchCommand(PositionalSql[sql]);
                foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
                return command;
            }

            /// <summary>The @names become Npgsql's positional $1, $2, … in the order they first appear.</summary>
            private static string Positional(string sql)
            {
                var names = System.Text.RegularExpressions.Regex.Matches(sql, "@[a-z]+").Select(m => m.Value).Distinct().ToList();
                foreach (var (name, i) in names.Select((n, i) => (n, i)).OrderByDescending(p => p.n.Length))
                    sql = sql.Replace(name, "$" + (i + 1), StringComparison.Ordinal);
                return sql;
            }
        }

        private bool IsSqlite => engine.Kind == EngineKind.Sqlite;
        private BenchEngine Engine => engine;
        private RawCrypto Crypto => engine.Crypto;
        private Guid Client => client;
        private int Rows => rows;
    }
}
