using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Steward.Data;

/// <summary>
/// New rows of one entity written in the caller's write transaction without the change tracker: for bulk paths
/// (import), where tracking thousands of entities costs several times the engine's own work. The INSERT is made
/// from the EF model (table, columns, value conversions, parameter types), so it stores exactly what SaveChanges
/// would. SQLite runs one prepared statement per row in process; PostgreSQL gets every row in one round trip.
/// A unique index the rows break throws the engine's <see cref="DbException"/> (see <see cref="IsUniqueViolation"/>).
/// </summary>
public static class BulkInsert
{
    public static async Task InsertAsync<T>(StewardDb db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A bulk insert runs inside a write scope.");
        var connection = transaction.Connection!;
        var entity = db.Model.FindEntityType(typeof(T))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties().Select(p => p.IsShadowProperty()
                ? throw new NotSupportedException($"{typeof(T).Name}.{p.Name} is a shadow property.")
                : new Column(p, (RelationalTypeMapping)p.GetTypeMapping(), p.GetColumnName(table)!)).ToArray();
        var sql = db.GetService<ISqlGenerationHelper>();
        var batched = connection.CanCreateBatch;
        // PostgreSQL batch commands take positional parameters ($1), which need no rewriting; SQLite binds by name
        var insert = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.Name)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => batched ? "$" + (i + 1) : sql.GenerateParameterNamePlaceholder("p" + i)))})";
        // the model's type mapping makes each parameter (converter, type), as SaveChanges would
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
        DbParameter Parameter(int column, T row) => columns[column].Mapping.CreateParameter(command, batched ? "" : sql.GenerateParameterName("p" + column),
            columns[column].Property.GetGetter().GetClrValueUsingContainingEntity(row), columns[column].Property.IsNullable);

        if (batched)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            if (db.Database.GetCommandTimeout() is { } batchTimeout) batch.Timeout = batchTimeout;
            foreach (var row in rows)
            {
                var one = batch.CreateBatchCommand();
                one.CommandText = insert;
                for (var c = 0; c < columns.Length; c++) one.Parameters.Add(Parameter(c, row));
                batch.BatchCommands.Add(one);
            }
            await batch.ExecuteNonQueryAsync(ct);
            return;
        }
        command.CommandText = insert;
        foreach (var row in rows)
        {
            command.Parameters.Clear();
            for (var c = 0; c < columns.Length; c++) command.Parameters.Add(Parameter(c, row));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Whether an insert failed on a unique index (another writer stored the same key first).</summary>
    public static bool IsUniqueViolation(DbException e) =>
        e is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } or Npgsql.PostgresException { SqlState: "23505" };

    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping, string Name);
}
