using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Steward.Data;

/// <summary>
/// New rows of one entity written in the caller's write transaction without the change tracker: for bulk paths
/// (import), where tracking thousands of entities costs several times the engine's own work. The columns, value
/// conversions and parameter types come from the EF model, so it stores exactly what SaveChanges would.
/// SQLite runs one prepared statement per row in process; PostgreSQL gets every row in one binary COPY
/// (PERFORMANCE.md: ~189k rows/s against ~104k for a multi-row insert).
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
        // model gives it a default, and leaving it out saves most of a sparse row's values (a contact has 21 columns)
        var columns = Enumerable.Range(0, properties.Length).Where(c => !properties[c].IsNullable
            || properties[c].GetDefaultValue() is not null || properties[c].GetDefaultValueSql() is not null
            || values.Any(v => v[c] is not null)).ToArray();
        var sql = db.GetService<ISqlGenerationHelper>();
        var names = string.Join(", ", columns.Select(c => sql.DelimitIdentifier(properties[c].GetColumnName(table)!)));
        var mappings = columns.Select(c => (RelationalTypeMapping)properties[c].GetTypeMapping()).ToArray();
        // the model's type mapping converts each value (and types each parameter), as SaveChanges would
        object? Provider(int i, object?[] row) => row[columns[i]] is { } value && mappings[i].Converter is { } converter
            ? converter.ConvertToProvider(value) : row[columns[i]];

        if (connection is NpgsqlConnection postgres)
        {
            // each column written as the type EF's parameter for it would carry
            var types = new NpgsqlDbType[columns.Length];
            await using (var probe = postgres.CreateCommand())
            {
                for (var i = 0; i < columns.Length; i++)
                    types[i] = values.Select(row => row[columns[i]]).FirstOrDefault(v => v is not null) is { } sample
                        ? ((NpgsqlParameter)mappings[i].CreateParameter(probe, "", sample, properties[columns[i]].IsNullable)).NpgsqlDbType
                        : NpgsqlDbType.Unknown;
            }
            await using var copy = await postgres.BeginBinaryImportAsync(
                $"COPY {sql.DelimitIdentifier(table.Name, table.Schema)} ({names}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var row in values)
            {
                await copy.StartRowAsync(ct);
                for (var i = 0; i < columns.Length; i++)
                {
                    if (Provider(i, row) is not { } value) await copy.WriteNullAsync(ct);
                    else if (types[i] == NpgsqlDbType.Unknown) await copy.WriteAsync(value, ct);
                    else await copy.WriteAsync(value, types[i], ct);
                }
            }
            await copy.CompleteAsync(ct);
            return;
        }

        // SQLite: one command, its parameters made once from the first row and only their values set after
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({names}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => sql.GenerateParameterNamePlaceholder("p" + i)))})";
        var parameters = columns.Select((c, i) => mappings[i].CreateParameter(command, sql.GenerateParameterName("p" + i),
            values[0][c], properties[c].IsNullable)).ToArray();
        command.Parameters.AddRange(parameters);
        foreach (var row in values)
        {
            for (var i = 0; i < columns.Length; i++) parameters[i].Value = Provider(i, row) ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Whether an insert failed on a unique index (another writer stored the same key first).</summary>
    public static bool IsUniqueViolation(DbException e) =>
        e is Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 or 1555 } or Npgsql.PostgresException { SqlState: "23505" };
}
