using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// A fingerprint of the data store: each column of each table, over its rows in key order, hashed, and each table's
/// row count. Equal fingerprints: nothing was added, removed or changed. What differs is named table by column, so a
/// finding says what a refused request wrote. Bookkeeping is left out by name below, never a table that holds data.
/// </summary>
public sealed class Snapshot(StewardApp app)
{
    /// <summary>Tables that only record that something happened: a refused request is recorded by design.</summary>
    private static readonly Dictionary<string, string> BookkeepingTables = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AuditEvents"] = "every request is recorded, refusals included (ASVS V7.1.3)",
        ["AuditChainHeads"] = "the head of the audit chain moves with each event",
        ["AuditPending"] = "PostgreSQL: events on their way into the chain, within the request that wrote them",
        ["AuditCheckpoints"] = "the audit trail's retention checkpoints",
    };

    /// <summary>
    /// Columns ("Table.Column") that move when a credential is merely used, whatever the request then asks: the
    /// caller was authenticated before its input was read, so a refused request may touch them. Their rows are
    /// still compared on every other column.
    /// </summary>
    private static readonly Dictionary<string, string> BookkeepingColumns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ApiKeys.LastUsedAt"] = "a client key's last use (ApiKeyAuthentication), shown to the owner to spot stale keys",
        ["StaffSessions.LastSeenAt"] = "a staff session's idle timeout (StaffAuthentication)",
        ["ClientSessions.LastSeenAt"] = "a client user's session's idle timeout (ClientUserAuthentication)",
    };

    /// <summary>
    /// Hash per "Table.Column", and "Table#rows" per table; with <paramref name="ownedBy"/>, only that client's rows
    /// (of the tables that name their client, and its own row of Clients).
    /// </summary>
    public Task<Dictionary<string, string>> TakeAsync(Guid? ownedBy = null) => app.WithDbAsync(async (db, _) =>
    {
        var queries = db.Model.GetEntityTypes().Where(e => e.GetTableName() is { } t && !BookkeepingTables.ContainsKey(t))
            .Select(e =>
            {
                var keys = e.FindPrimaryKey()?.Properties.Select(p => Quote(p.GetColumnName())) ?? [];
                var owner = e.ClrType == typeof(Steward.Clients.Client) ? "Id" : e.FindProperty("ClientId")?.GetColumnName();
                return (Table: e.GetTableName()!, Owner: owner,
                    Sql: $"SELECT * FROM {Quote(e.GetTableName()!)}" + (ownedBy is null ? "" : $" WHERE {Quote(owner ?? "")} = @owner")
                        + (keys.Any() ? " ORDER BY " + string.Join(", ", keys) : ""));
            })
            .Where(q => ownedBy is null || q.Owner is not null).DistinctBy(q => q.Sql).ToList();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (table, _, sql) in queries)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            if (ownedBy is { } client)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "owner";
                parameter.Value = db.IsSqlite ? client.ToString().ToUpperInvariant() : client; // EF Core keeps a Guid as upper-case text on SQLite
                command.Parameters.Add(parameter);
            }
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            var columns = Enumerable.Range(0, reader.FieldCount)
                .Select(i => (Index: i, Name: $"{table}.{reader.GetName(i)}"))
                .Where(c => !BookkeepingColumns.ContainsKey(c.Name)).ToList();
            var hashes = columns.Select(_ => IncrementalHash.CreateHash(HashAlgorithmName.SHA256)).ToList();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                rows++;
                for (var c = 0; c < columns.Count; c++)
                    hashes[c].AppendData(reader.GetValue(columns[c].Index) switch
                    {
                        byte[] bytes => [.. bytes, 0x1f],
                        var v => Encoding.UTF8.GetBytes(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) + "\u001f"),
                    });
            }
            result[$"{table}#rows"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var c = 0; c < columns.Count; c++)
            {
                result[columns[c].Name] = Convert.ToHexString(hashes[c].GetHashAndReset());
                hashes[c].Dispose();
            }
        }
        return result;
    }, tenant: null);

    /// <summary>What differs between two fingerprints ("Contacts#rows 3 → 4", "Clients.Name"), empty when nothing does.</summary>
    public static List<string> Diff(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k))
            .Select(k => k.EndsWith("#rows", StringComparison.Ordinal) ? $"{k} {before.GetValueOrDefault(k)} → {after.GetValueOrDefault(k)}" : k)
            .Order(StringComparer.Ordinal).ToList();

    private static string Quote(string name) => "\"" + name + "\"";
}
