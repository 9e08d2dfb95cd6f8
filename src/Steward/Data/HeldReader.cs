using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;

namespace Steward.Data;

/// <summary>
/// One hot read kept ready (a lookup by email, a key): a few open connections, each holding the read's command
/// prepared, rented for one execution and given back. A connection opened per call costs more than the indexed read
/// itself: Microsoft.Data.Sqlite prepares every new command anew and Npgsql parses it unless prepared.
/// Each execution is its own statement outside any transaction, so it sees every commit made before it, as a
/// fresh connection would (an erasure's destroyed key included). A restore replaces the data under the held
/// connections: <see cref="DropAll"/> closes them.
/// </summary>
public sealed class HeldReader : IAsyncDisposable
{
    // as many as the reads that run at once (the API under load); more are opened on demand and closed after
    private const int MaxIdle = 16;

    private static readonly ConcurrentDictionary<HeldReader, byte> Live = new();
    private static int _generation;

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly string _sql;
    private readonly (string Name, DbType? Type)[] _parameters;
    private readonly ConcurrentQueue<Held> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public HeldReader(Func<CancellationToken, Task<DbConnection>> open, string sql, params string[] parameters)
        : this(open, sql, [.. parameters.Select(name => (name, (DbType?)null))])
    {
    }

    /// <param name="parameters">With their types where a value may be null: Npgsql prepares a statement for the
    /// parameter types of its first values, and a null has none.</param>
    public HeldReader(Func<CancellationToken, Task<DbConnection>> open, string sql, (string Name, DbType? Type)[] parameters)
    {
        _open = open;
        _sql = sql;
        _parameters = parameters;
    }

    /// <summary>Moves on with each restore (<see cref="DropAll"/>): a connection opened under an older one reads the replaced data.</summary>
    public static int Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Binds <paramref name="values"/> in the order of the parameters, runs the read, and answers <paramref name="read"/>
    /// of its first row, or the default when there is none.
    /// </summary>
    public async Task<T?> ReadAsync<T>(object?[] values, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var held = await RentAsync(ct);
        var healthy = false;
        try
        {
            for (var i = 0; i < values.Length; i++) held.Command.Parameters[i].Value = values[i] ?? DBNull.Value;
            if (!held.Prepared)
            {
                // once the values are bound: Npgsql takes the parameter types from them
                await held.Command.PrepareAsync(ct);
                held.Prepared = true;
            }
            T? result = default;
            await using (var reader = await held.Command.ExecuteReaderAsync(CommandBehavior.SingleRow, ct))
                if (await reader.ReadAsync(ct)) result = read(reader);
            healthy = true;
            return result;
        }
        finally
        {
            // a read that failed may have left its connection broken: it is not given back
            if (healthy) Return(held);
            else held.Dispose();
        }
    }

    private async Task<Held> RentAsync(CancellationToken ct)
    {
        while (_idle.TryDequeue(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            if (idle.Generation == Generation) return idle;
            idle.Dispose();
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        // known to DropAll once it holds something
        Live.TryAdd(this, 0);
        var generation = Generation;
        var connection = await _open(ct);
        // values bound at each read
        var command = SqlStore.Command(connection, _sql, null, [.. _parameters.Select(p => (p.Name, (object?)null))]);
        for (var i = 0; i < _parameters.Length; i++)
            if (_parameters[i].Type is { } type) command.Parameters[i].DbType = type;
        return new Held(connection, command, generation);
    }

    private void Return(Held held)
    {
        // a connection from before a restore, or one over the few kept, is closed
        if (_disposed || held.Generation != Generation)
        {
            held.Dispose();
            return;
        }
        if (Interlocked.Increment(ref _idleCount) > MaxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            held.Dispose();
            return;
        }
        _idle.Enqueue(held);
    }

    private void DropIdle()
    {
        while (_idle.TryDequeue(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            idle.Dispose();
        }
    }

    /// <summary>
    /// A restore replaces the database: every held connection is closed now, or as it is given back if in use, so
    /// that none reads the old data or (SQLite) keeps the replaced file and its WAL open.
    /// </summary>
    public static void DropAll()
    {
        Interlocked.Increment(ref _generation);
        foreach (var reader in Live.Keys) reader.DropIdle();
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        Live.TryRemove(this, out _);
        DropIdle();
        return ValueTask.CompletedTask;
    }

    private sealed class Held(DbConnection connection, DbCommand command, int generation) : IDisposable
    {
        public DbCommand Command { get; } = command;
        public int Generation { get; } = generation;
        public bool Prepared { get; set; }

        public void Dispose()
        {
            Command.Dispose();
            connection.Dispose();
        }
    }
}
