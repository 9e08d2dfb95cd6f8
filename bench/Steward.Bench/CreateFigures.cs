using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Bench;

/// <summary>
/// contact-create and price-of-privacy: one contact per call, each call its own transaction, from concurrent
/// callers. Steward, the raw limit and the plain EF Core insert run interleaved, and both figures share Steward's
/// runs. Each side writes for its own client, so the key check afterwards can tell whose keys broke.
/// </summary>
internal static class CreateFigures
{
    public static async Task<Figure[]> RunAsync(BenchEngine engine, Settings settings, List<string> notes, CancellationToken ct)
    {
        var steward = new StewardCreate(engine.Services, await engine.AddClientAsync("Bench Steward writes", ct));
        var raw = new RawCreate(engine, await engine.AddClientAsync("Bench raw writes", ct));
        await engine.Data.EnsureChainHeadAsync(ct);
        var plain = await PlainCreate.CreateAsync(engine, await engine.AddClientAsync("Bench plain writes", ct), ct);

        var measured = await Harness.CompareAsync($"{engine.Name} contact-create",
            [new("steward", steward.OpenWorkerAsync), new("raw", raw.OpenWorkerAsync), new("plain-ef", plain.OpenWorkerAsync)],
            settings.WriteConcurrency, settings, ct);
        var peak = Harness.PeakWorkingSet();

        await CheckKeysAsync(engine, "steward", steward.Client, notes, ct);
        await CheckKeysAsync(engine, "raw", raw.Client, notes, ct);
        await CheckChainAsync(engine, notes, ct);
        return
        [
            new("contact-create", engine.Name, measured[0], measured[1], 0.5, peak),
            new("price-of-privacy", engine.Name, measured[0], measured[2], 0.5, peak),
        ];
    }

    /// <summary>Every key a create run stored must still unwrap: a write path that loses keys loses the contacts.</summary>
    private static async Task CheckKeysAsync(BenchEngine engine, string side, Guid client, List<string> notes, CancellationToken ct)
    {
        await using var connection = await engine.Keys.OpenAsync(ct);
        await using var select = RawStore.Command(connection, "SELECT subject_id, wrapped FROM subject_keys WHERE client_id = @c", "@c");
        RawStore.Set(select, client);
        long total = 0, broken = 0;
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            total++;
            if (!engine.Crypto.CanUnwrap(client, reader.GetGuid(0), (byte[])reader.GetValue(1))) broken++;
        }
        Log.Progress($"{engine.Name}: {side} stored {total:N0} keys, {broken:N0} of them do not unwrap");
        if (broken > 0)
            notes.Add($"{engine.Name}: {broken:N0} of {total:N0} keys stored by {side}'s create runs do not unwrap " +
                "with the KEK: those contacts can never be read again.");
    }

    /// <summary>
    /// Steward's and the raw side's events share one chain, so Steward's verifier passing shows that the raw side
    /// chained its events by the same rule, that is, did the same audit work.
    /// </summary>
    private static async Task CheckChainAsync(BenchEngine engine, List<string> notes, CancellationToken ct)
    {
        await using var scope = engine.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<VerifyAuditChain>().HandleAsync(ct);
        Log.Progress($"{engine.Name}: audit chain of {report.Events:N0} events {(report.Intact ? "intact" : "BROKEN")}");
        if (!report.Intact) notes.Add($"{engine.Name}: the audit chain does not verify: {report.Problem}");
    }

    /// <summary>Steward through its use case, one DI scope per call as one request would have.</summary>
    private sealed class StewardCreate(IServiceProvider services, Guid client)
    {
        private readonly string _apiKeyId = Guid.CreateVersion7().ToString();
        private long _next;

        public Guid Client => client;

        public Task<IWorker> OpenWorkerAsync(CancellationToken ct) => Task.FromResult<IWorker>(new Worker(this));

        private async Task CreateOneAsync(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _next);
            using var body = JsonDocument.Parse($$"""{"email":"steward{{n}}@bench.example","firstName":"Ada {{n}}"}""");
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<StewardDb>().TenantId = client;
            // what API-key authentication sets on a real request
            var actor = scope.ServiceProvider.GetRequiredService<AuditContext>();
            actor.ActorType = "api-key";
            actor.ActorId = _apiKeyId;
            actor.ClientId = client;
            var result = await scope.ServiceProvider.GetRequiredService<CreateContact>().HandleAsync(client, body.RootElement, ct);
            if (!result.IsSuccess) throw new InvalidOperationException($"CreateContact: {result.Error!.Detail}");
        }

        private sealed class Worker(StewardCreate owner) : IWorker
        {
            public Task RunOnceAsync(CancellationToken ct) => owner.CreateOneAsync(ct);
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The raw limit: the same crypto and the same rows by plain ADO.NET. The key is committed in the key store
    /// first (it is a separate store, as in Steward), then the contact, its audit event chained under the locked
    /// chain head, and the new head, in one transaction.
    /// </summary>
    internal sealed class RawCreate
    {
        private const string InsertKey =
            "INSERT INTO subject_keys (subject_id, client_id, kek_id, wrapped, created_at) VALUES (@s, @c, @k, @w, @t)";

        private const string InsertContactAndEvent = """
            INSERT INTO "Contacts" ("Id", "ClientId", "EmailIndex", "EmailSealed", "FirstNameSealed", "Source", "CreatedAt", "UpdatedAt")
                VALUES (@id, @client, @index, @email, @first, 'api', @now, @now);
            INSERT INTO "AuditEvents" ("Seq", "At", "ActorType", "ActorId", "ClientId", "Action", "ResourceType", "ResourceId",
                "Outcome", "Status", "PrevHash", "Hash")
                VALUES (@seq, @at, 'api-key', @actor, @client, 'CreateContact', 'contact', @resource, 'success', 201, @prev, @hash);
            UPDATE "AuditChainHeads" SET "Seq" = @seq, "Hash" = @hash WHERE "Id" = 1
            """;

        private readonly byte[] _indexKey;
        private readonly string _actorId = Guid.CreateVersion7().ToString();
        private long _next;

        public RawCreate(BenchEngine engine, Guid client)
        {
            Engine = engine;
            Client = client;
            _indexKey = engine.Crypto.IndexKey(client);
        }

        public BenchEngine Engine { get; }
        public Guid Client { get; }

        public async Task<IWorker> OpenWorkerAsync(CancellationToken ct) =>
            new Worker(this, await Engine.Data.OpenAsync(ct), await Engine.Keys.OpenAsync(ct));

        private sealed class Worker : RawWorker
        {
            private readonly RawCreate _owner;
            private readonly DbCommand _insertKey;
            private readonly DbCommand _write;

            public Worker(RawCreate owner, DbConnection data, DbConnection keys) : base(data, keys)
            {
                _owner = owner;
                _insertKey = OnKeys(InsertKey, "@s", "@c", "@k", "@w", "@t");
                _write = OnData(InsertContactAndEvent,
                    "@id", "@client", "@index", "@email", "@first", "@now", "@seq", "@at", "@actor", "@resource", "@prev", "@hash");
            }

            public override async Task RunOnceAsync(CancellationToken ct)
            {
                var owner = _owner;
                var (client, store, keyStore, crypto) = (owner.Client, owner.Engine.Data, owner.Engine.Keys, owner.Engine.Crypto);
                var n = Interlocked.Increment(ref owner._next);
                var id = Guid.CreateVersion7();
                var now = DateTimeOffset.UtcNow;
                var contact = crypto.Seal(client, id, owner._indexKey, $"raw{n}@bench.example", $"Ada {n}");

                await keyStore.EnterWriteAsync(ct);
                try
                {
                    RawStore.Set(_insertKey, id, client, crypto.KekId, contact.Wrapped, now.ToUnixTimeMilliseconds());
                    await _insertKey.ExecuteNonQueryAsync(ct);
                }
                finally
                {
                    keyStore.ExitWrite();
                }

                var resource = id.ToString();
                await WriteChainedAsync(store, _write, now, (owner._actorId, client, "CreateContact", resource, 201),
                    (seq, at, previous, hash) => RawStore.Set(_write, id, client, contact.EmailIndex, contact.EmailSealed,
                        contact.FirstNameSealed, store.Time(now), seq, at, owner._actorId, resource, previous, hash), ct);
            }
        }
    }

    /// <summary>
    /// The price of privacy's baseline: a plain EF Core insert of the same fields in clear, one context and one
    /// SaveChanges per call. On SQLite it queues writers in process as Steward does: left to poll on SQLITE_BUSY,
    /// the baseline would measure the busy handler's sleeps, not the insert.
    /// </summary>
    private sealed class PlainCreate
    {
        private readonly DbContextOptions<ClearDb> _options;
        private readonly Guid _client;
        private readonly SemaphoreSlim? _sqliteGate;
        private long _next;

        private PlainCreate(DbContextOptions<ClearDb> options, Guid client, bool sqlite)
        {
            _options = options;
            _client = client;
            _sqliteGate = sqlite ? new SemaphoreSlim(1, 1) : null;
        }

        public static async Task<PlainCreate> CreateAsync(BenchEngine engine, Guid client, CancellationToken ct)
        {
            var connection = engine.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DataConnectionString;
            var builder = new DbContextOptionsBuilder<ClearDb>();
            if (engine.Kind == EngineKind.Sqlite) builder.UseSqlite(connection).AddInterceptors(new PlainSqliteSettings());
            else builder.UseNpgsql(connection);
            await using (var db = new ClearDb(builder.Options))
                await db.Database.ExecuteSqlRawAsync(db.Database.GenerateCreateScript(), ct);
            return new PlainCreate(builder.Options, client, engine.Kind == EngineKind.Sqlite);
        }

        public Task<IWorker> OpenWorkerAsync(CancellationToken ct) => Task.FromResult<IWorker>(new Worker(this));

        private async Task InsertOneAsync(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _next);
            var now = DateTimeOffset.UtcNow;
            await using var db = new ClearDb(_options);
            db.Contacts.Add(new ClearContact
            {
                Id = Guid.CreateVersion7(),
                ClientId = _client,
                Email = $"plain{n}@bench.example",
                FirstName = $"Ada {n}",
                Source = "api",
                CreatedAt = now,
                UpdatedAt = now,
            });
            if (_sqliteGate is not null) await _sqliteGate.WaitAsync(ct);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            finally
            {
                _sqliteGate?.Release();
            }
        }

        private sealed class Worker(PlainCreate owner) : IWorker
        {
            public Task RunOnceAsync(CancellationToken ct) => owner.InsertOneAsync(ct);
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>The plain insert gets the same SQLite settings as Steward: NORMAL sync under WAL, wait for the writer.</summary>
    private sealed class PlainSqliteSettings : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
            CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

/// <summary>A contact as an application without Steward would keep it: the same fields, in clear.</summary>
internal sealed class ClearContact
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public required string Email { get; set; }
    public string? FirstName { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The plain baseline's own tiny DbContext; its table sits in Steward's database, beside Steward's.</summary>
internal sealed class ClearDb(DbContextOptions<ClearDb> options) : DbContext(options)
{
    public DbSet<ClearContact> Contacts => Set<ClearContact>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<ClearContact>(e =>
    {
        e.ToTable("ClearContacts");
        // the unique email per client that any contact store has, as Steward's blind index has
        e.HasIndex(c => new { c.ClientId, c.Email }).IsUnique();
        e.Property(c => c.Email).HasMaxLength(254);
        e.Property(c => c.FirstName).HasMaxLength(200);
        e.Property(c => c.Source).HasMaxLength(20);
    });
}
