using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Audit;

/// <summary>
/// Appends the event of a request that wrote nothing else (a read, a refusal, a failure: <see cref="AuditMiddleware"/>)
/// as a unit of work of its own, on held connections with its statements prepared: through EF Core each such event cost
/// a context, a transaction and the save pipeline, more than the read it records. The chain's rule stays
/// <see cref="AuditChain"/>'s. PostgreSQL runs the chain's append statement in autocommit, so the head's row lock is held
/// for that one statement and its commit; SQLite chains the event under the data's write gate, as a unit of work does.
/// A restore replaces the data under the held connections: they follow <see cref="HeldReader.DropAll"/>.
/// </summary>
public sealed class AuditAppender(EmailLookup connections, IOptions<StorageOptions> storage) : IAsyncDisposable
{
    private readonly bool _sqlite = storage.Value.Database.Provider == DatabaseProvider.Sqlite;
    private readonly string _connectionString = storage.Value.DataConnectionString;
    private HeldReader? _postgres;
    // used by the holder of the write gate alone
    private HeldChain? _held;

    private HeldReader Postgres => LazyInitializer.EnsureInitialized(ref _postgres, () =>
        new HeldReader(connections.OpenAsync, AuditChain.AppendSql, [.. AuditChain.AppendTypes.Select(type => ("", (DbType?)type))]));

    /// <summary>Chains <paramref name="e"/> after the head and commits it durably; it then holds its place in the chain.</summary>
    public async Task AppendAsync(AuditEvent e, CancellationToken ct)
    {
        if (!_sqlite)
        {
            if (await Postgres.ReadAsync(AuditChain.AppendValues(e), r => AuditChain.Appended(r, e), ct) is not null) return;
            // a database whose chain never started: its genesis head, then the append again
            await using (var connection = await connections.OpenAsync(ct))
            await using (var genesis = SqlStore.Command(connection, AuditChain.GenesisSql, null, ("", AuditChain.Genesis)))
                await genesis.ExecuteNonQueryAsync(ct);
            if (await Postgres.ReadAsync(AuditChain.AppendValues(e), r => AuditChain.Appended(r, e), ct) is null)
                throw new InvalidOperationException("The audit chain has no head.");
            return;
        }

        var gate = StewardDb.SqliteWriteGate(_connectionString);
        await gate.WaitAsync(ct);
        try
        {
            // a connection opened before a restore would write into the replaced database
            if (_held is not null && _held.Generation != HeldReader.Generation) Drop();
            var generation = HeldReader.Generation;
            _held ??= new HeldChain((SqliteConnection)await connections.OpenAsync(ct), generation);
            try
            {
                _held.Append(e);
            }
            catch
            {
                // a failed write may leave the connection in any state: the next one starts afresh
                Drop();
                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private void Drop()
    {
        _held?.Dispose();
        _held = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        Drop();
    }

    /// <summary>SQLite: one connection and the chain's statements, prepared once.</summary>
    private sealed class HeldChain(SqliteConnection connection, int generation) : IDisposable
    {
        private readonly SqliteChain _chain = new(connection, prepare: true);

        public int Generation => generation;

        /// <summary>One transaction, taken at once for writing (BEGIN IMMEDIATE).</summary>
        public void Append(AuditEvent e)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            _chain.Append([e], transaction);
            transaction.Commit();
        }

        public void Dispose()
        {
            _chain.Dispose();
            connection.Dispose();
        }
    }
}
