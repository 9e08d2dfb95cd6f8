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
        var properties = entity.GetProperties().Select(p => p.IsShadowProperty()
            ? throw new NotSupportedException($"{typeof(T).Name}.{p.Name} is a shadow property.") : p).ToArray();
        var values = rows.Select(row => properties.Select(p => p.GetGetter().GetClrValueUsingContainingEntity(row)).ToArray()).ToArray();
        // a column null in every row is left out, as the raw insert would: it stores NULL all the same, unless the
        // model gives it a default, and leaving it out saves most of a sparse row's parameters (a contact has 21 columns)
        var columns = Enumerable.Range(0, properties.Length).Where(c => !properties[c].IsNullable
            || properties[c].GetDefaultValue() is not null || properties[c].GetDefaultValueSql() is not null
            || values.Any(v => v[c] is not null)).ToArray();
        var sql = db.GetService<ISqlGenerationHelper>();
        var batched = connection.CanCreateBatch;
        // PostgreSQL batch commands take positional parameters ($1), which need no rewriting; SQLite binds by name
        var insert = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(properties[c].GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => batched ? "$" + (i + 1) : sql.GenerateParameterNamePlaceholder("p" + i)))})";
        var mappings = columns.Select(c => (RelationalTypeMapping)properties[c].GetTypeMapping()).ToArray();
        // the model's type mapping makes each parameter (converter, provider type), as SaveChanges would
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
        DbParameter Parameter(int i, object?[] row) => mappings[i].CreateParameter(command,
            batched ? "" : sql.GenerateParameterName("p" + i), row[columns[i]], properties[columns[i]].IsNullable);

        if (batched)
        {
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            if (db.Database.GetCommandTimeout() is { } batchTimeout) batch.Timeout = batchTimeout;
            foreach (var row in values)
            {
                var one = batch.CreateBatchCommand();
                one.CommandText = insert;
                for (var i = 0; i < columns.Length; i++) one.Parameters.Add(Parameter(i, row));
                batch.BatchCommands.Add(one);
            }
            await batch.ExecuteNonQueryAsync(ct);
            return;
        }
        command.CommandText = insert;
        foreach (var row in values)
        {
            command.Parameters.Clear();
            for (var i = 0; i < columns.Length; i++) command.Parameters.Add(Parameter(i, row));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Whether an insert failed on a unique index (another writer stored the same key first).</summary>
    public static bool IsUniqueViolation(DbException e) =>
        e is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } or Npgsql.PostgresException { SqlState: "23505" };
}
