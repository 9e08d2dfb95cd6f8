using System.Data.Common;

namespace Steward.Data;

/// <summary>
/// One connection of a SQLite store kept open for its hot single-row writes, each statement prepared once: a new
/// command is parsed again on every call, which was most of an erasure's time on SQLite. Only for the key vault and
/// the forget ledger, whose files a restore never replaces (it swaps the data database alone). Used only by the holder
/// of the store's <see cref="SqlStore.WriteGate"/>, so one caller at a time.
/// </summary>
public sealed class HeldSqliteWriter(SqlStore store) : IAsyncDisposable
{
    private DbConnection? _connection;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="sql"/> with these values, in its own (autocommit) transaction; answers the rows changed.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        try
        {
            _connection ??= await store.OpenAsync(ct);
            if (!_commands.TryGetValue(sql, out var command))
            {
                command = SqlStore.Command(_connection, sql, null, parameters);
                command.Prepare();
                _commands[sql] = command;
            }
            for (var i = 0; i < parameters.Length; i++) command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
            return await command.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            // a failed write may leave the connection in any state: the next one starts afresh
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values) await command.DisposeAsync();
        _commands.Clear();
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }
}
