using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Steward.Clients;
using Steward.Crypto;
using Steward.Http;

namespace Steward.Contacts;

/// <summary>
/// The contact's fields (Personizely Appendix 1) and the client's custom fields: how each is checked, sealed into
/// its column under the contact's key, and opened again. The one place that knows the field list.
/// </summary>
public static class ContactFields
{
    public sealed record Field(string Name, int MaxLength, Func<Contact, byte[]?> Get, Action<Contact, byte[]?> Set);

    public static readonly Field[] Standard =
    [
        new("email", 254, c => c.EmailSealed, (c, v) => c.EmailSealed = v),
        new("firstName", 200, c => c.FirstNameSealed, (c, v) => c.FirstNameSealed = v),
        new("lastName", 200, c => c.LastNameSealed, (c, v) => c.LastNameSealed = v),
        new("company", 200, c => c.CompanySealed, (c, v) => c.CompanySealed = v),
        new("title", 200, c => c.TitleSealed, (c, v) => c.TitleSealed = v),
        new("phone", 50, c => c.PhoneSealed, (c, v) => c.PhoneSealed = v),
        new("address", 1000, c => c.AddressSealed, (c, v) => c.AddressSealed = v),
        new("bio", 10_000, c => c.BioSealed, (c, v) => c.BioSealed = v),
        new("ipAddress", 45, c => c.IpAddressSealed, (c, v) => c.IpAddressSealed = v),
        new("country", 100, c => c.CountrySealed, (c, v) => c.CountrySealed = v),
        new("city", 200, c => c.CitySealed, (c, v) => c.CitySealed = v),
    ];

    public static readonly IReadOnlySet<string> StandardNames = Standard.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> CustomTypes = new HashSet<string>(StringComparer.Ordinal) { "text", "number", "boolean", "date" };

    /// <summary>Checked values from a request: a field present with null clears it; an absent field is untouched.</summary>
    public sealed class Values
    {
        public Dictionary<string, string?> Standard { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, JsonElement?> Custom { get; } = new(StringComparer.Ordinal);
    }

    public sealed record View(Guid Id, string? Email, string? FirstName, string? LastName, string? Company, string? Title,
        string? Phone, string? Address, string? Bio, string? IpAddress, string? Country, string? City,
        Dictionary<string, JsonElement> Custom, string Source, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? RestrictedAt = null);

    /// <summary>Reads a contact body: every standard field a string or null, custom fields as declared, nothing else.</summary>
    public static Values Parse(JsonElement body, IReadOnlyDictionary<string, CustomField> declared, Problems problems)
    {
        var values = new Values();
        if (body.ValueKind != JsonValueKind.Object)
        {
            problems.Add("", "The body must be a JSON object.");
            return values;
        }
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name == "custom")
            {
                ParseCustom(property.Value, declared, values, problems);
                continue;
            }
            var field = Array.Find(Standard, f => f.Name == property.Name);
            if (field is null)
            {
                problems.Add(Safe(property.Name), "There is no such field.");
                continue;
            }
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                values.Standard[field.Name] = null;
                continue;
            }
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                problems.Add(field.Name, "Must be a string or null.");
                continue;
            }
            CheckStandard(field, property.Value.GetString()!, values, problems);
        }
        return values;
    }

    /// <summary>
    /// Reads text cells (an import row) as <see cref="Parse"/> reads the same fields of a JSON body, without making
    /// one: <paramref name="standard"/> names standard fields only, <paramref name="custom"/> the declared fields' typed values or null.
    /// </summary>
    public static Values ParseText(IEnumerable<KeyValuePair<string, string>> standard, Dictionary<string, object?>? custom,
        IReadOnlyDictionary<string, CustomField> declared, Problems problems)
    {
        var values = new Values();
        foreach (var (name, value) in standard) CheckStandard(Array.Find(Standard, f => f.Name == name)!, value, values, problems);
        // custom values keep their JSON form (Values.Custom holds JsonElements): only these few go through JSON
        if (custom is { Count: > 0 }) ParseCustom(JsonSerializer.SerializeToElement(custom), declared, values, problems);
        return values;
    }

    private static void CheckStandard(Field field, string text, Values values, Problems problems)
    {
        var value = text.Trim();
        if (value.Length > field.MaxLength) problems.Add(field.Name, $"At most {field.MaxLength} characters.");
        else if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) problems.Add(field.Name, "Control characters are not allowed.");
        else if (field.Name == "email" && value.Length > 0 && !SignUp.IsEmail(value)) problems.Add(field.Name, "Not a valid email address.");
        else if (field.Name == "ipAddress" && value.Length > 0 && !IPAddress.TryParse(value, out _)) problems.Add(field.Name, "Not a valid IP address.");
        else if (field.Name == "phone" && value.Length > 0 && BlindIndex.NormalizePhone(value).Length < 3) problems.Add(field.Name, "Not a valid phone number.");
        else values.Standard[field.Name] = value.Length == 0 ? null : value;
    }

    private static void ParseCustom(JsonElement custom, IReadOnlyDictionary<string, CustomField> declared, Values values, Problems problems)
    {
        if (custom.ValueKind == JsonValueKind.Null) return;
        if (custom.ValueKind != JsonValueKind.Object)
        {
            problems.Add("custom", "Must be an object of the client's declared fields.");
            return;
        }
        foreach (var property in custom.EnumerateObject())
        {
            var path = "custom." + Safe(property.Name);
            if (!declared.TryGetValue(property.Name, out var field))
            {
                problems.Add(path, "This field is not declared for the client (PUT /fields).");
                continue;
            }
            var v = property.Value;
            if (v.ValueKind == JsonValueKind.Null)
            {
                values.Custom[field.Name] = null;
                continue;
            }
            var ok = field.Type switch
            {
                "text" => v.ValueKind == JsonValueKind.String && v.GetString()!.Length <= 10_000,
                "number" => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d),
                "boolean" => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "date" => v.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                _ => false,
            };
            if (ok) values.Custom[field.Name] = v.Clone();
            else problems.Add(path, field.Type == "date" ? "Must be a date (yyyy-MM-dd)." : $"Must be a {field.Type}" + (field.Type == "text" ? " of at most 10000 characters." : "."));
        }
    }

    /// <summary>Required custom fields must have a value once the change is applied.</summary>
    public static void CheckRequired(Dictionary<string, JsonElement> custom, IEnumerable<CustomField> declared, Problems problems)
    {
        foreach (var field in declared.Where(f => f.Required && !custom.ContainsKey(f.Name)))
            problems.Add("custom." + field.Name, "This field is required.");
    }

    /// <summary>The custom values once the change is applied to what the contact had.</summary>
    public static Dictionary<string, JsonElement> Merge(Dictionary<string, JsonElement> existing, Values values)
    {
        var merged = new Dictionary<string, JsonElement>(existing, StringComparer.Ordinal);
        foreach (var (name, value) in values.Custom)
            if (value is { } v) merged[name] = v;
            else merged.Remove(name);
        return merged;
    }

    /// <summary>Seals the given values (and the merged custom values) into the contact and refreshes its blind indexes.</summary>
    /// <param name="emailIndex">The email's blind index when the caller already computed it (the import, per row).</param>
    public static async Task ApplyAsync(Contact contact, DataKey key, Values values, Dictionary<string, JsonElement> custom,
        BlindIndex index, CancellationToken ct, byte[]? emailIndex = null)
    {
        foreach (var (name, value) in values.Standard)
        {
            Array.Find(Standard, f => f.Name == name)!.Set(contact, key.Seal(name, value));
            if (name == "email") contact.EmailIndex = value is null ? null : emailIndex ?? await index.EmailAsync(contact.ClientId, value, ct);
            if (name == "phone") contact.PhoneIndex = await index.PhoneAsync(contact.ClientId, value, ct);
        }
        if (values.Custom.Count == 0) return;
        contact.CustomSealed = custom.Count == 0 ? null : JsonSerializer.Serialize(custom.ToDictionary(
            c => c.Key, c => Convert.ToBase64String(key.Seal("custom:" + c.Key, Encoding.UTF8.GetBytes(c.Value.GetRawText())))));
    }

    public static Dictionary<string, JsonElement> OpenCustom(Contact contact, DataKey key)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (contact.CustomSealed is null) return result;
        foreach (var (name, sealedValue) in JsonSerializer.Deserialize<Dictionary<string, string>>(contact.CustomSealed)!)
            result[name] = JsonDocument.Parse(key.Open("custom:" + name, Convert.FromBase64String(sealedValue))).RootElement.Clone();
        return result;
    }

    // the columns named as in Standard, read straight: this runs once a contact in every read and export
    public static View Open(Contact c, DataKey key) => new(c.Id, key.OpenString("email", c.EmailSealed),
        key.OpenString("firstName", c.FirstNameSealed), key.OpenString("lastName", c.LastNameSealed), key.OpenString("company", c.CompanySealed),
        key.OpenString("title", c.TitleSealed), key.OpenString("phone", c.PhoneSealed), key.OpenString("address", c.AddressSealed),
        key.OpenString("bio", c.BioSealed), key.OpenString("ipAddress", c.IpAddressSealed), key.OpenString("country", c.CountrySealed),
        key.OpenString("city", c.CitySealed), OpenCustom(c, key), c.Source, c.CreatedAt, c.UpdatedAt, c.RestrictedAt);

    /// <summary>A restricted contact in a list: that it exists and is restricted, and no value (Art. 18(2)).</summary>
    public static View Withheld(Contact c) => new(c.Id, null, null, null, null, null, null, null, null, null, null, null, [],
        c.Source, c.CreatedAt, c.UpdatedAt, c.RestrictedAt);

    /// <summary>Names echoed in errors are cut short and stripped of control characters.</summary>
    public static string Safe(string name) => new([.. name.Where(ch => !char.IsControl(ch)).Take(64)]);
}
