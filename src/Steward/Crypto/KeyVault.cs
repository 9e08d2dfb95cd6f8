using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Steward.Data;

namespace Steward.Crypto;

/// <summary>
/// The key store: one wrapped AES-256 key per data subject, kept apart from the data so that no data backup
/// holds a key that opens it. Destroying a subject's key here is what erases it everywhere (crypto-shredding).
/// </summary>
public sealed class KeyVault(IOptions<StorageOptions> storage, KeyEncryptionKey kek) : IAsyncDisposable
{
    private const string SqliteSchema = """
        CREATE TABLE IF NOT EXISTS subject_keys (
            subject_id BLOB PRIMARY KEY, client_id BLOB NOT NULL, kek_id TEXT NOT NULL,
            wrapped BLOB NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_subject_keys_client ON subject_keys (client_id);
        CREATE TABLE IF NOT EXISTS vault_secrets (
            name TEXT PRIMARY KEY, kek_id TEXT NOT NULL, wrapped BLOB NOT NULL, created_at INTEGER NOT NULL);
        """;

    private const string PostgresSchema = """
        CREATE SCHEMA IF NOT EXISTS steward_keys;
        CREATE TABLE IF NOT EXISTS steward_keys.subject_keys (
            subject_id uuid PRIMARY KEY, client_id uuid NOT NULL, kek_id text NOT NULL,
            wrapped bytea NOT NULL, created_at bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_subject_keys_client ON steward_keys.subject_keys (client_id);
        CREATE TABLE IF NOT EXISTS steward_keys.vault_secrets (
            name text PRIMARY KEY, kek_id text NOT NULL, wrapped bytea NOT NULL, created_at bigint NOT NULL);
        """;

    private readonly SqlStore _store = new(storage.Value.Database.Provider, storage.Value.KeysConnection);
    private readonly ConcurrentDictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);

    public string KekId => kek.Id;

    public Task InitializeAsync(CancellationToken ct) => _store.InitializeAsync(SqliteSchema, PostgresSchema, ct);

    public Task PingAsync(CancellationToken ct) => _store.PingAsync("subject_keys", ct);

    /// <summary>Creates and stores a new key for a subject. Stored before any data it seals is written.</summary>
    public async Task<DataKey> CreateAsync(Guid clientId, Guid subjectId, CancellationToken ct) =>
        (await CreateManyAsync(clientId, [subjectId], ct))[0];

    /// <summary>New keys for many subjects in one commit (bulk import), in the order of the ids.</summary>
    public Task<DataKey[]> CreateManyAsync(Guid clientId, IReadOnlyList<Guid> subjectIds, CancellationToken ct) =>
        CreateManyAsync([.. subjectIds.Select(id => (clientId, id))], ct);

    /// <summary>
    /// New keys for subjects of different owners (a contact and the mail that tells it) in one commit, in the order
    /// given: one durable write where a key each would make one per key.
    /// </summary>
    public async Task<DataKey[]> CreateManyAsync(IReadOnlyList<(Guid ClientId, Guid SubjectId)> subjects, CancellationToken ct)
    {
        if (subjects.Count == 0) return [];
        var made = MakeKeys(subjects.Count, i => subjects[i]);
        await WriteAsync((connection, tx) => InsertKeysAsync(connection, tx, made, ct), ct);
        return made.Keys;
    }

    /// <summary>New keys, made and wrapped before the write (on SQLite the key store's writers take turns).</summary>
    private sealed record MadeKeys(DataKey[] Keys, byte[][] Wrapped, string KekId, long CreatedAt);

    /// <summary>
    /// The one way keys are made: one CSPRNG fill for all of them, one AesGcm, each wrap its own nonce. The KEK id
    /// stored beside each key is the one that wrapped it, read once with the wrapping key: an id read apart from the
    /// wrap could name the next KEK during a rotation, and the rotation would then skip (and lose) that key.
    /// </summary>
    private MadeKeys MakeKeys(int count, Func<int, (Guid ClientId, Guid SubjectId)> subjectAt)
    {
        var keys = new DataKey[count];
        var wrapped = new byte[count][];
        var random = new byte[32 * count];
        RandomNumberGenerator.Fill(random);
        using var wrapper = kek.Wrapper();
        for (var i = 0; i < count; i++)
        {
            var (clientId, subjectId) = subjectAt(i);
            var material = random.AsSpan(32 * i, 32).ToArray();
            wrapped[i] = wrapper.Wrap(material, WrapContext(clientId, subjectId));
            keys[i] = new DataKey(clientId, subjectId, material);
        }
        CryptographicOperations.ZeroMemory(random);
        return new MadeKeys(keys, wrapped, wrapper.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>A prepared statement run once per key, in the caller's transaction.</summary>
    private static async Task InsertKeysAsync(DbConnection connection, DbTransaction tx, MadeKeys made, CancellationToken ct, string conflict = "")
    {
        await using var insert = SqlStore.Command(connection,
            "INSERT INTO subject_keys (subject_id, client_id, kek_id, wrapped, created_at) VALUES (@s, @c, @k, @w, @t)" + conflict, tx,
            ("@s", Guid.Empty), ("@c", Guid.Empty), ("@k", made.KekId), ("@w", Array.Empty<byte>()), ("@t", made.CreatedAt));
        for (var i = 0; i < made.Keys.Length; i++)
        {
            insert.Parameters[0].Value = made.Keys[i].SubjectId;
            insert.Parameters[1].Value = made.Keys[i].ClientId;
            insert.Parameters[3].Value = made.Wrapped[i];
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>A key shared by several writers (an audit month): whoever comes first creates it.</summary>
    public async Task<DataKey> OpenOrCreateAsync(Guid clientId, Guid subjectId, CancellationToken ct)
    {
        if (await OpenAsync(clientId, subjectId, ct) is { } existing) return existing;
        var made = MakeKeys(1, _ => (clientId, subjectId));
        using var mine = made.Keys[0]; // whoever comes first wins: the key to use is the stored one
        await WriteAsync((connection, tx) => InsertKeysAsync(connection, tx, made, ct, " ON CONFLICT (subject_id) DO NOTHING"), ct);
        return await OpenAsync(clientId, subjectId, ct) ?? throw new InvalidOperationException("The key vanished as it was made.");
    }

    /// <summary>The subject's key, or null once it has been destroyed.</summary>
    public async Task<DataKey?> OpenAsync(Guid clientId, Guid subjectId, CancellationToken ct)
    {
        // the hot single read (a lookup): on a held connection with its statement prepared
        var wrapped = await KeyReader.ReadAsync([clientId, subjectId], r => (byte[])r.GetValue(0), ct);
        return wrapped is null ? null : new DataKey(clientId, subjectId, kek.Unwrap(wrapped, WrapContext(clientId, subjectId)));
    }

    private HeldReader? _keyReader;

    private HeldReader KeyReader => LazyInitializer.EnsureInitialized(ref _keyReader,
        () => new HeldReader(_store.OpenAsync, "SELECT wrapped FROM subject_keys WHERE client_id = @c AND subject_id = @s", "@c", "@s"));

    public async Task<Dictionary<Guid, DataKey>> OpenManyAsync(Guid clientId, IReadOnlyCollection<Guid> subjectIds, CancellationToken ct)
    {
        var result = new Dictionary<Guid, DataKey>(subjectIds.Count);
        if (subjectIds.Count == 0) return result;
        await using var connection = await _store.OpenAsync(ct);
        // one AesGcm per KEK for the whole call, not one per key
        using var unwrap = kek.Unwrapper();
        // the ids as one parameter (an export opens a page of 1,000 keys at a time): one parameter an id cost a
        // parameter object, a boxed Guid and its text twice, an id
        await using var select = SqlStore.Command(connection, _store.IsSqlite
            ? "SELECT subject_id, wrapped FROM subject_keys WHERE client_id = @c AND subject_id IN (SELECT value FROM json_each(@ids))"
            : "SELECT subject_id, wrapped FROM subject_keys WHERE client_id = @c AND subject_id = ANY(@ids)");
        AddParameter(select, "@c", clientId);
        AddParameter(select, "@ids", _store.IsSqlite ? SqlStore.SqliteIdArray(subjectIds) : subjectIds as Guid[] ?? [.. subjectIds]);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var context = new byte[WrapContextLength]; // one for the call, not one a key
        while (await reader.ReadAsync(ct))
        {
            var subjectId = reader.GetGuid(0);
            var material = unwrap.Unwrap((byte[])reader.GetValue(1), WriteWrapContext(clientId, subjectId, context));
            result[subjectId] = new DataKey(clientId, subjectId, material);
        }
        return result;
    }

    /// <summary>Destroys subjects' keys. Afterwards nothing sealed under them can be read, in any copy.</summary>
    public async Task DestroyAsync(Guid clientId, IReadOnlyCollection<Guid> subjectIds, CancellationToken ct)
    {
        const int PerStatement = 500;
        if (subjectIds.Count == 0) return;
        if (subjectIds.Count > PerStatement)
        {
            await WriteAsync(async (connection, tx) =>
            {
                foreach (var chunk in subjectIds.Chunk(PerStatement)) await DeleteKeysAsync(connection, tx, clientId, chunk, ct);
            }, ct);
            return;
        }
        // one statement is atomic on its own: no transaction around it (on PostgreSQL, one round trip less)
        if (_store.IsSqlite) await _store.WriteGate.WaitAsync(ct);
        try
        {
            // one key (an erasure): on SQLite on the held connection, its statement prepared once
            if (_store.IsSqlite && subjectIds.Count == 1)
            {
                await (_held ??= new HeldSqliteWriter(_store)).ExecuteAsync(DeleteOneKey, ct, ("@c", clientId), ("@s", subjectIds.First()));
                return;
            }
            await using var connection = await _store.OpenAsync(ct);
            await DeleteKeysAsync(connection, null, clientId, [.. subjectIds], ct);
        }
        finally
        {
            if (_store.IsSqlite) _store.WriteGate.Release();
        }
    }

    private const string DeleteOneKey = "DELETE FROM subject_keys WHERE client_id = @c AND subject_id = @s";

    /// <summary>The SQLite connection of <see cref="DestroyAsync"/>'s single keys; made under the write gate.</summary>
    private HeldSqliteWriter? _held;

    /// <summary>One statement for many keys, not one per key.</summary>
    private async Task DeleteKeysAsync(DbConnection connection, DbTransaction? tx, Guid clientId, Guid[] ids, CancellationToken ct)
    {
        await using var delete = SqlStore.Command(connection, _store.IsSqlite
            ? $"DELETE FROM subject_keys WHERE client_id = @c AND subject_id IN ({string.Join(',', ids.Select((_, i) => "@p" + i))})"
            : "DELETE FROM subject_keys WHERE client_id = @c AND subject_id = ANY(@ids)", tx);
        AddParameter(delete, "@c", clientId);
        if (_store.IsSqlite) for (var i = 0; i < ids.Length; i++) AddParameter(delete, "@p" + i, ids[i]);
        else AddParameter(delete, "@ids", ids);
        await delete.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Destroys every key of a client (its contacts, users, requests, packages): the client's purge. Answers how many.
    /// <paramref name="except"/> spares keys that must outlive it (a sub-processor erasure request still to be sent).
    /// </summary>
    public async Task<long> DestroyClientAsync(Guid clientId, CancellationToken ct, IAsyncEnumerable<Guid>? except = null)
    {
        long destroyed = 0;
        await WriteAsync(async (connection, tx) =>
        {
            // the spared ids go to a temporary table, never into the statement: they may outnumber the engine's
            // parameter limit (a client of millions of contacts with vendors still to be told)
            var spared = except is not null && await SpareAsync(connection, tx, except, ct);
            await using (var delete = SqlStore.Command(connection, spared
                ? "DELETE FROM subject_keys WHERE client_id = @c AND NOT EXISTS (SELECT 1 FROM spared_keys s WHERE s.id = subject_keys.subject_id)"
                : "DELETE FROM subject_keys WHERE client_id = @c", tx, ("@c", clientId)))
                destroyed = await delete.ExecuteNonQueryAsync(ct);
            if (spared)
            {
                await using var drop = SqlStore.Command(connection, "DROP TABLE spared_keys", tx);
                await drop.ExecuteNonQueryAsync(ct);
            }
        }, ct);
        return destroyed;
    }

    /// <summary>Fills a temporary table of the ids to spare, made on the first id; false when there is none.</summary>
    private async Task<bool> SpareAsync(DbConnection connection, DbTransaction tx, IAsyncEnumerable<Guid> ids, CancellationToken ct)
    {
        DbCommand? insert = null;
        var page = new List<Guid>(1_000);
        try
        {
            await foreach (var id in ids.WithCancellation(ct))
            {
                if (insert is null)
                {
                    await using (var create = SqlStore.Command(connection, _store.IsSqlite
                        ? "CREATE TEMP TABLE spared_keys (id BLOB PRIMARY KEY) WITHOUT ROWID"
                        : "CREATE TEMP TABLE spared_keys (id uuid PRIMARY KEY) ON COMMIT DROP", tx))
                        await create.ExecuteNonQueryAsync(ct);
                    insert = _store.IsSqlite
                        ? SqlStore.Command(connection, "INSERT OR IGNORE INTO spared_keys (id) VALUES (@s)", tx, ("@s", Guid.Empty))
                        : SqlStore.Command(connection, "INSERT INTO spared_keys (id) SELECT unnest(@s) ON CONFLICT DO NOTHING", tx, ("@s", Array.Empty<Guid>()));
                }
                if (_store.IsSqlite)
                {
                    insert.Parameters[0].Value = id;
                    await insert.ExecuteNonQueryAsync(ct);
                    continue;
                }
                page.Add(id);
                if (page.Count < page.Capacity) continue;
                insert.Parameters[0].Value = page.ToArray();
                await insert.ExecuteNonQueryAsync(ct);
                page.Clear();
            }
            if (insert is null) return false;
            if (page.Count > 0)
            {
                insert.Parameters[0].Value = page.ToArray();
                await insert.ExecuteNonQueryAsync(ct);
            }
            return true;
        }
        finally
        {
            if (insert is not null) await insert.DisposeAsync();
        }
    }

    /// <summary>A deployment-wide secret (blind-index root, link-signing key): random, wrapped by the KEK, made once.</summary>
    public Task<byte[]> SecretAsync(string name, CancellationToken ct) => SecretAsync(name, () => RandomNumberGenerator.GetBytes(32), ct);

    /// <summary>A deployment-wide secret of any shape (a private key): made by <paramref name="create"/> the first time, by whoever comes first.</summary>
    public async Task<byte[]> SecretAsync(string name, Func<byte[]> create, CancellationToken ct)
    {
        if (_secrets.TryGetValue(name, out var cached)) return cached;
        var context = SecretContext(name);
        var candidate = create();
        byte[] wrapped;
        string kekId;
        using (var wrapper = kek.Wrapper()) (wrapped, kekId) = (wrapper.Wrap(candidate, context), wrapper.Id);
        byte[]? stored = null;
        await WriteAsync(async (connection, tx) =>
        {
            await using var insert = SqlStore.Command(connection,
                "INSERT INTO vault_secrets (name, kek_id, wrapped, created_at) VALUES (@n, @k, @w, @t) ON CONFLICT (name) DO NOTHING", tx,
                ("@n", name), ("@k", kekId), ("@w", wrapped), ("@t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            await insert.ExecuteNonQueryAsync(ct);
            await using var select = SqlStore.Command(connection, "SELECT wrapped FROM vault_secrets WHERE name = @n", tx, ("@n", name));
            stored = (byte[])(await select.ExecuteScalarAsync(ct))!;
        }, ct);
        var secret = kek.Unwrap(stored, context);
        return _secrets.GetOrAdd(name, secret);
    }

    public async Task<long> CountAsync(Guid clientId, CancellationToken ct)
    {
        await using var connection = await _store.OpenAsync(ct);
        await using var count = SqlStore.Command(connection, "SELECT COUNT(*) FROM subject_keys WHERE client_id = @c", null, ("@c", clientId));
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many keys (subject keys and secrets) each KEK id wraps.</summary>
    public async Task<Dictionary<string, long>> CountByKekAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await _store.OpenAsync(ct);
        await using var select = SqlStore.Command(connection, """
            SELECT kek_id, COUNT(*) FROM subject_keys GROUP BY kek_id
            UNION ALL SELECT kek_id, COUNT(*) FROM vault_secrets GROUP BY kek_id
            """, null);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            counts[reader.GetString(0)] = counts.GetValueOrDefault(reader.GetString(0)) + reader.GetInt64(1);
        return counts;
    }

    /// <summary>
    /// Re-wraps up to <paramref name="batch"/> keys that another KEK wrapped under the current one; answers how many.
    /// The data they seal is untouched. Each update matches the old wrapped bytes, so a key erased or re-wrapped
    /// meanwhile by another node stays as that node left it: a rotation never brings back an erased key.
    /// </summary>
    public async Task<int> RewrapAsync(int batch, CancellationToken ct)
    {
        var done = 0;
        await WriteAsync(async (connection, tx) =>
        {
            // the id stored is the one that wraps, even if another rotation lands meanwhile
            using var wrapper = kek.Wrapper();
            var current = wrapper.Id;
            var found = new List<(object Id, Guid ClientId, byte[] Wrapped, byte[] Context)>();
            await using (var select = SqlStore.Command(connection, $"""
                SELECT subject_id, client_id, wrapped FROM subject_keys WHERE kek_id <> @k LIMIT {batch}
                """, tx, ("@k", current)))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var (subject, client) = (reader.GetGuid(0), reader.GetGuid(1));
                    found.Add((subject, client, (byte[])reader.GetValue(2), WrapContext(client, subject)));
                }
            }
            await using (var select = SqlStore.Command(connection, $"""
                SELECT name, wrapped FROM vault_secrets WHERE kek_id <> @k LIMIT {batch}
                """, tx, ("@k", current)))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    found.Add((reader.GetString(0), Guid.Empty, (byte[])reader.GetValue(1), SecretContext(reader.GetString(0))));
            }
            foreach (var (id, _, wrapped, context) in found)
            {
                var material = kek.Unwrap(wrapped, context);
                var rewrapped = wrapper.Wrap(material, context);
                CryptographicOperations.ZeroMemory(material);
                await using var update = SqlStore.Command(connection, id is Guid
                    ? "UPDATE subject_keys SET kek_id = @k, wrapped = @w WHERE subject_id = @id AND wrapped = @old"
                    : "UPDATE vault_secrets SET kek_id = @k, wrapped = @w WHERE name = @id AND wrapped = @old",
                    tx, ("@k", current), ("@w", rewrapped), ("@id", id), ("@old", wrapped));
                done += await update.ExecuteNonQueryAsync(ct);
            }
        }, ct);
        return done;
    }

    private async Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct)
    {
        if (_store.IsSqlite) await _store.WriteGate.WaitAsync(ct);
        try
        {
            await using var connection = await _store.OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await work(connection, tx);
            await tx.CommitAsync(ct);
        }
        finally
        {
            if (_store.IsSqlite) _store.WriteGate.Release();
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static byte[] SecretContext(string name) => System.Text.Encoding.UTF8.GetBytes("steward/secret/" + name);

    private static byte[] WrapContext(Guid clientId, Guid subjectId)
    {
        var context = new byte[WrapContextLength];
        WriteWrapContext(clientId, subjectId, context);
        return context;
    }

    private const int WrapContextLength = 14 + 16 + 16;

    /// <summary><see cref="WrapContext"/> written into <paramref name="buffer"/>, for a loop over many keys.</summary>
    private static Span<byte> WriteWrapContext(Guid clientId, Guid subjectId, Span<byte> buffer)
    {
        "steward/dek/v1"u8.CopyTo(buffer);
        clientId.TryWriteBytes(buffer.Slice(14, 16));
        subjectId.TryWriteBytes(buffer.Slice(30, 16));
        return buffer[..WrapContextLength];
    }

    public async ValueTask DisposeAsync()
    {
        if (_keyReader is not null) await _keyReader.DisposeAsync();
        if (_held is not null) await _held.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>
    /// New keys for a batch of subjects (bulk import), as <see cref="CreateManyAsync"/> but on PostgreSQL one binary
    /// COPY for every key (a statement per key made the key store the import's bound). SQLite runs in process: one
    /// prepared statement per key costs what a batch would.
    /// </summary>
    public async Task<DataKey[]> CreateBatchAsync(Guid clientId, IReadOnlyList<Guid> subjectIds, CancellationToken ct)
    {
        if (subjectIds.Count == 0) return [];
        var made = MakeKeys(subjectIds.Count, i => (clientId, subjectIds[i]));
        await WriteAsync(async (connection, tx) =>
        {
            if (connection is NpgsqlConnection postgres)
            {
                await using var copy = await postgres.BeginBinaryImportAsync(
                    "COPY subject_keys (subject_id, client_id, kek_id, wrapped, created_at) FROM STDIN (FORMAT BINARY)", ct);
                for (var i = 0; i < subjectIds.Count; i++)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(subjectIds[i], NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(clientId, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(made.KekId, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(made.Wrapped[i], NpgsqlDbType.Bytea, ct);
                    await copy.WriteAsync(made.CreatedAt, NpgsqlDbType.Bigint, ct);
                }
                await copy.CompleteAsync(ct);
                return;
            }
            await InsertKeysAsync(connection, tx, made, ct);
        }, ct);
        return made.Keys;
    }
}
