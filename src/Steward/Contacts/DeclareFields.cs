using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>A client declares its own contact fields (P-01): name, type, required. Their values are personal data.</summary>
public sealed partial class DeclareFields(StewardDb db, AuditLog audit, TimeProvider clock)
{
    public sealed record FieldInput(string? Name, string? Type, bool? Required);
    public sealed record FieldView(string Name, string Type, bool Required);

    /// <summary>The tenant's declared fields. Shared with other callers: read it, never change it.</summary>
    public static async Task<Dictionary<string, CustomField>> DeclaredAsync(StewardDb db, CancellationToken ct)
    {
        // SQLite is one node, and this process the one writer of declarations: they are cached until changed here.
        // PostgreSQL may have several nodes, any of which may change them: read each time.
        var key = db.IsSqlite && db.TenantId is { } tenant ? (db.Database.GetConnectionString()!, tenant) : default;
        if (key.Item1 is not null && Cache.TryGetValue(key, out var cached)) return cached;
        var generation = Interlocked.Read(ref _generation);
        var declared = new Dictionary<string, CustomField>(StringComparer.Ordinal);
        await foreach (var field in Declared.For(db)(db).WithCancellation(ct)) declared[field.Name] = field;
        if (key.Item1 is not null)
        {
            Cache[key] = declared;
            // a change committed while this read ran may have been read or not: drop what was stored
            if (Interlocked.Read(ref _generation) != generation) Cache.TryRemove(KeyValuePair.Create(key, declared));
        }
        return declared;
    }

    private static readonly ConcurrentDictionary<(string, Guid), Dictionary<string, CustomField>> Cache = new();
    private static long _generation;

    /// <summary>A restore brings back older declarations: nothing cached may outlive it.</summary>
    public static void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        Cache.Clear();
    }

    private static void Forget(StewardDb db, Guid clientId)
    {
        if (!db.IsSqlite) return;
        Interlocked.Increment(ref _generation);
        Cache.TryRemove((db.Database.GetConnectionString()!, clientId), out _);
    }

    // read on every contact write
    private static readonly CompiledQuery<Func<StewardDb, IAsyncEnumerable<CustomField>>> Declared =
        new(() => EF.CompileAsyncQuery((StewardDb db) => db.CustomFields.AsNoTracking()));

    /// <summary>Replaces the declaration. A field removed here keeps its stored values until they are rectified or erased.</summary>
    public async Task<Result<List<FieldView>>> HandleAsync(Guid clientId, JsonElement body, CancellationToken ct)
    {
        var problems = new Problems();
        var fields = Read(body, problems);
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        db.CustomFields.RemoveRange(await db.CustomFields.ToListAsync(ct));
        var now = clock.GetUtcNow();
        foreach (var f in fields)
            db.CustomFields.Add(new CustomField { ClientId = clientId, Name = f.Name, Type = f.Type, Required = f.Required, CreatedAt = now });
        await audit.RecordAsync(db, "DeclareFields", "client", clientId.ToString(), ct);
        try
        {
            await write.CommitAsync(ct);
        }
        finally
        {
            Forget(db, clientId);
            if (db.TenantId is { } tenant && tenant != clientId) Forget(db, tenant);
        }
        return fields;
    }

    /// <summary>Accepts a JSON array of fields, or an object whose "fields" is that array.</summary>
    private static List<FieldView> Read(JsonElement body, Problems problems)
    {
        var array = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("fields", out var inner) ? inner : body;
        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add("fields", "Give an array of {name, type, required}.");
            return [];
        }
        var result = new List<FieldView>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"fields[{i++}]";
            FieldInput? input = null;
            try { input = item.Deserialize<FieldInput>(Json.Strict); }
            catch (JsonException) { }
            if (input is null) { problems.Add(path, "Give {name, type, required}."); continue; }
            var error = input.Name is null || !NamePattern().IsMatch(input.Name) ? "A name of letters, digits and _ (1 to 64, starting with a letter)."
                : ContactFields.StandardNames.Contains(input.Name) || input.Name == "custom" ? "That is a standard field already."
                : result.Any(r => r.Name == input.Name) ? "Declared twice." : null;
            if (error is not null) problems.Add(path + ".name", error);
            if (input.Type is null || !ContactFields.CustomTypes.Contains(input.Type)) problems.Add(path + ".type", "One of text, number, boolean, date.");
            else if (error is null) result.Add(new FieldView(input.Name!, input.Type, input.Required ?? false));
        }
        if (i > 100) problems.Add("fields", "At most 100 custom fields.");
        return result;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();
}
