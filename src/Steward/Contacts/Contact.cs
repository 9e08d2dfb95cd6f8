using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;

namespace Steward.Contacts;

/// <summary>
/// A data subject held for a client. Every personal value is sealed under the contact's own key
/// (<see cref="KeyVault"/>); lookups go through blind indexes. Nothing personal is in clear.
/// </summary>
public sealed class Contact : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid ClientId { get; set; }
    public byte[]? EmailIndex { get; set; }
    public byte[]? PhoneIndex { get; set; }
    [PersonalData] public byte[]? EmailSealed { get; set; }
    [PersonalData] public byte[]? FirstNameSealed { get; set; }
    [PersonalData] public byte[]? LastNameSealed { get; set; }
    [PersonalData] public byte[]? CompanySealed { get; set; }
    [PersonalData] public byte[]? TitleSealed { get; set; }
    [PersonalData] public byte[]? PhoneSealed { get; set; }
    [PersonalData] public byte[]? AddressSealed { get; set; }
    [PersonalData] public byte[]? BioSealed { get; set; }
    [PersonalData] public byte[]? IpAddressSealed { get; set; }
    [PersonalData] public byte[]? CountrySealed { get; set; }
    [PersonalData] public byte[]? CitySealed { get; set; }
    /// <summary>Custom field values, each sealed on its own (field "custom:{name}"), as a JSON object of base64.</summary>
    [PersonalData] public string? CustomSealed { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Set while the contact's processing is restricted (Art. 18): see <see cref="Restriction"/>.</summary>
    public DateTimeOffset? RestrictedAt { get; set; }
    /// <summary>Set while the contact is in the trash (G-44): hidden from the client, restorable by support, erased after the window.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<Contact>(e =>
    {
        e.HasIndex(c => new { c.ClientId, c.EmailIndex }).IsUnique();
        e.HasIndex(c => new { c.ClientId, c.PhoneIndex });
        e.HasIndex(c => new { c.ClientId, c.Id });
        // the return export reads a client's contacts in (CreatedAt, Id) order, a page at a time from where the last ended
        e.HasIndex(c => new { c.ClientId, c.CreatedAt, c.Id });
        e.HasIndex(c => c.DeletedAt);
        e.Property(c => c.Source).HasMaxLength(20);
    });
}

/// <summary>A field a client declares for its contacts. The declaration is not personal; the values are.</summary>
public sealed class CustomField : ITenantOwned
{
    public Guid ClientId { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public bool Required { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    internal static void Configure(ModelBuilder model) => model.Entity<CustomField>(e =>
    {
        e.HasKey(f => new { f.ClientId, f.Name });
        e.Property(f => f.Name).HasMaxLength(64);
        e.Property(f => f.Type).HasMaxLength(20);
    });
}
