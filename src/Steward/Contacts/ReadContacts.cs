using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.Options;
using Npgsql;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>
/// A client reads its contacts: one by id, by email or phone through the blind index (P-02), or a page of all,
/// in id order with an opaque cursor. Values are opened with each contact's own key.
/// </summary>
public sealed class ReadContacts(StewardDb db, KeyVault vault, BlindIndex index, RestrictedReads restricted, EmailLookup byEmail)
{
    public const int MaxPageSize = 200;

    public sealed record Page(List<ContactFields.View> Items, string? NextCursor);

    /// <summary>One contact. A restricted one (Art. 18) is read only with a reason, which is recorded.</summary>
    public async Task<Result<ContactFields.View>> OneAsync(Guid clientId, Guid contactId, string? reason, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        if (await restricted.CheckAsync(contact, reason, "GetContact", ct) is { } refused) return refused;
        using var key = await vault.OpenAsync(clientId, contact.Id, ct);
        // a contact whose key is gone is erased: the rest of its erasure is a ledger replay away
        return key is null ? Errors.NotFound("contact") : ContactFields.Open(contact, key);
    }

    public async Task<Result<Page>> FindAsync(Guid clientId, string? email, string? phone, string? cursor, int? limit, CancellationToken ct)
    {
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize) return Errors.Invalid("limit", $"From 1 to {MaxPageSize}.");
        IQueryable<Contact> query = db.Contacts.AsNoTracking();
        if (email is not null && phone is null && cursor is null) return await ByEmailAsync(clientId, email, ct);
        if (email is not null)
        {
            var mac = await index.EmailAsync(clientId, email, ct);
            query = query.Where(c => c.EmailIndex == mac);
        }
        if (phone is not null)
        {
            var mac = await index.PhoneAsync(clientId, phone, ct);
            if (mac is null) return Errors.Invalid("phone", "Not a valid phone number.");
            query = query.Where(c => c.PhoneIndex == mac);
        }
        if (cursor is not null)
        {
            if (!Cursor.TryRead(cursor, out var after)) return Errors.Invalid("cursor", "Not a cursor this API gave.");
            query = query.Where(c => c.Id.CompareTo(after) > 0);
        }
        return await PageAsync(clientId, await query.OrderBy(c => c.Id).Take(size + 1).ToListAsync(ct), size, ct);
    }

    /// <summary>
    /// Finding a subject by email is the hot read (P-02, PERFORMANCE.md lookup-email). The blind index is unique per
    /// client, so at most one contact: one row fetched, its one key opened, no page to order or cut.
    /// </summary>
    private async Task<Result<Page>> ByEmailAsync(Guid clientId, string email, CancellationToken ct)
    {
        // the query filter's tenant, exactly: none set sees nothing, and another client's row would have no key here
        if (db.TenantId != clientId) return new Page([], null);
        var contact = await byEmail.FindAsync(clientId, (await index.EmailAsync(clientId, email, ct))!, ct);
        if (contact is null) return new Page([], null);
        using var key = await vault.OpenAsync(clientId, contact.Id, ct);
        // as in a page: an erased contact (no key) is left out, a restricted one listed with its values withheld
        if (key is null) return new Page([], null);
        return new Page([contact.RestrictedAt is null ? ContactFields.Open(contact, key) : ContactFields.Withheld(contact)], null);
    }

    /// <summary>Opens a page of contacts (one more than asked, to tell whether more follow) with their keys.</summary>
    private async Task<Result<Page>> PageAsync(Guid clientId, List<Contact> contacts, int size, CancellationToken ct)
    {
        var more = contacts.Count > size;
        if (more) contacts.RemoveAt(size);
        var keys = await vault.OpenManyAsync(clientId, contacts.Select(c => c.Id).ToList(), ct);
        try
        {
            // a restricted contact is listed, its values withheld: reading them takes a reason (Art. 18(2))
            var items = contacts.Where(c => keys.ContainsKey(c.Id))
                .Select(c => c.RestrictedAt is null ? ContactFields.Open(c, keys[c.Id]) : ContactFields.Withheld(c)).ToList();
            return new Page(items, more ? Cursor.Write(contacts[^1].Id) : null);
        }
        finally
        {
            foreach (var key in keys.Values) key.Dispose();
        }
    }
}

/// <summary>
/// The hot read of <see cref="ReadContacts"/>: a client's contact by its email's blind index, on held connections with
/// the statement prepared (<see cref="HeldReader"/>), not through EF Core's per-query pipeline, which cost more than
/// the indexed read. The filter is the context's query filter spelled out: the client's, not in the trash.
/// </summary>
public sealed class EmailLookup(IOptions<StorageOptions> storage) : IAsyncDisposable
{
    private const string Columns = """
        "Id", "ClientId", "EmailIndex", "PhoneIndex", "EmailSealed", "FirstNameSealed", "LastNameSealed", "CompanySealed", "TitleSealed",
        "PhoneSealed", "AddressSealed", "BioSealed", "IpAddressSealed", "CountrySealed", "CitySealed", "CustomSealed", "Source",
        "CreatedAt", "UpdatedAt", "RestrictedAt", "DeletedAt"
        """;

    // EF Core's SQLite columns hold DateTimeOffset as binary ticks (SqliteStewardDb)
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    private readonly bool _sqlite = storage.Value.Database.Provider == DatabaseProvider.Sqlite;
    private readonly string _connectionString = storage.Value.DataConnectionString;
    private HeldReader? _reader;

    private HeldReader Reader => LazyInitializer.EnsureInitialized(ref _reader, () => new HeldReader(OpenAsync,
        $"""SELECT {Columns} FROM "Contacts" WHERE "ClientId" = @c AND "EmailIndex" = @m AND "DeletedAt" IS NULL LIMIT 1""", "@c", "@m"));

    public Task<Contact?> FindAsync(Guid clientId, byte[] emailIndex, CancellationToken ct) =>
        Reader.ReadAsync([clientId, emailIndex], Read, ct);

    /// <summary>A connection to the data database, as the held reads and writes of the data use (<see cref="EraseLookup"/>, <see cref="Audit.AuditAppender"/>).</summary>
    internal async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (!_sqlite)
        {
            var postgres = new NpgsqlConnection(_connectionString);
            await postgres.OpenAsync(ct);
            return postgres;
        }
        var sqlite = new SqliteConnection(_connectionString);
        await sqlite.OpenAsync(ct);
        SqlitePragmas.ApplyOnce(sqlite, SqlitePragmas.Pragmas);
        return sqlite;
    }

    private Contact Read(DbDataReader r) => new()
    {
        Id = r.GetGuid(0),
        ClientId = r.GetGuid(1),
        EmailIndex = Bytes(r, 2),
        PhoneIndex = Bytes(r, 3),
        EmailSealed = Bytes(r, 4),
        FirstNameSealed = Bytes(r, 5),
        LastNameSealed = Bytes(r, 6),
        CompanySealed = Bytes(r, 7),
        TitleSealed = Bytes(r, 8),
        PhoneSealed = Bytes(r, 9),
        AddressSealed = Bytes(r, 10),
        BioSealed = Bytes(r, 11),
        IpAddressSealed = Bytes(r, 12),
        CountrySealed = Bytes(r, 13),
        CitySealed = Bytes(r, 14),
        CustomSealed = r.IsDBNull(15) ? null : r.GetString(15),
        Source = r.GetString(16),
        CreatedAt = Time(r, 17)!.Value,
        UpdatedAt = Time(r, 18)!.Value,
        RestrictedAt = Time(r, 19),
        DeletedAt = Time(r, 20),
    };

    private static byte[]? Bytes(DbDataReader r, int i) => r.IsDBNull(i) ? null : (byte[])r.GetValue(i);

    private DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null
        : _sqlite ? (DateTimeOffset)SqliteTime.ConvertFromProvider(r.GetInt64(i))! : r.GetFieldValue<DateTimeOffset>(i);

    public ValueTask DisposeAsync() => _reader?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>An opaque pagination cursor: the last id of the page, base64url.</summary>
public static class Cursor
{
    public static string Write(Guid id) => Clients.SignUp.Base64Url(id.ToByteArray());

    public static bool TryRead(string cursor, out Guid id)
    {
        id = Guid.Empty;
        if (cursor.Length != 22) return false;
        try
        {
            id = new Guid(Convert.FromBase64String(cursor.Replace('-', '+').Replace('_', '/') + "=="));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
