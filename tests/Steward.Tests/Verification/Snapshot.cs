using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Steward.Tests.Infrastructure;

namespace Steward.Tests.Verification;

/// <summary>
/// A fingerprint of everything in the data store but the audit trail (which records refusals by design): every row
/// of every table, in key order, hashed. Equal fingerprints: nothing was added, removed or changed.
/// </summary>
public sealed class Snapshot(StewardApp app)
{
    /// <summary>Tables a refused request may change by design, and why.</summary>
    private static readonly Dictionary<string, string> Excluded = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AuditEvents"] = "every request is recorded, refusals included (ASVS V7.1.3)",
        ["AuditChainHeads"] = "the head of the audit chain moves with each event",
        ["AuditCheckpoints"] = "the audit trail's retention checkpoints",
    };

    private List<string>? _queries;

    public Task<string> TakeAsync() => app.WithDbAsync(async (db, _) =>
    {
        _queries ??= db.Model.GetEntityTypes().Where(e => e.GetTableName() is { } t && !Excluded.ContainsKey(e.ClrType.Name + "s") && !Excluded.ContainsKey(t))
            .Select(e =>
            {
                var keys = e.FindPrimaryKey()?.Properties.Select(p => Quote(p.GetColumnName())) ?? [];
                return $"SELECT * FROM {Quote(e.GetTableName()!)}" + (keys.Any() ? " ORDER BY " + string.Join(", ", keys) : "");
            }).Distinct().ToList();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var sql in _queries)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            hash.AppendData(Encoding.UTF8.GetBytes(sql));
            while (await reader.ReadAsync())
                for (var i = 0; i < reader.FieldCount; i++)
                    hash.AppendData(reader.GetValue(i) switch
                    {
                        byte[] bytes => bytes,
                        var v => Encoding.UTF8.GetBytes(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) + "\u001f"),
                    });
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }, tenant: null);

    private static string Quote(string name) => "\"" + name + "\"";
}
