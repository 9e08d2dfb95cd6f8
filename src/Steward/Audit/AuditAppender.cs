using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Steward.Contacts;
using Steward.Data;

namespace Steward.Audit;

/// <summary>
/// Appends the event of a request that wrote nothing else (a read, a refusal, a failure: <see cref="AuditMiddleware"/>)
/// as a unit of work of its own, on held connections with its statements prepared: through EF Core each such event cost
/// a context, a transaction and the save pipeline, more than the read it records. The chain's rule stays
/// <see cref="AuditChain"/>'s. PostgreSQL hands the event to <see cref="PostgresChain"/>'s next round, which commits it with
/// the events of concurrent requests; SQLite chains the event under the data's write gate.
/// A restore replaces the data under the held connections: they follow <see cref="HeldReader.DropAll"/>.
/// </summary>
public sealed class AuditAppender(EmailLookup connections, IOptions<StorageOptions> storage) : IAsyncDisposable
{
    private readonly bool _sqlite = storage.Value.Database.Provider == DatabaseProvider.Sqlite;
    private readonly string _connectionString = storage.Value.DataConnectionString;
    // used by the holder of the write gate alone
    private HeldChain? _held;

    /// <summary>Commits <paramref name="e"/> durably in the chain.</summary>
    public async Task AppendAsync(AuditEvent e, CancellationToken ct)
    {
        if (!_sqlite)
        {
            await PostgresChain.For(_connectionString).ChainAsync(e, ct);
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

    public ValueTask DisposeAsync()
    {
        Drop();
        return ValueTask.CompletedTask;
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
