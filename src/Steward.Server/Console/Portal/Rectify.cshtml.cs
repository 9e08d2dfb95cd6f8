using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Contacts;
using Steward.Data;
using Steward.Http;

namespace Steward.Server.Console.Portal;

/// <summary>
/// Correcting a contact (Art. 16) with the API's rectification (<see cref="RectifyContact"/>, as PATCH …/contacts/{id}):
/// the form sends, as a merge patch, only the fields whose value changed, so the use case checks them as it checks the
/// API's and its errors land next to their field.
/// </summary>
public sealed class RectifyModel(ReadContacts read, RectifyContact rectify, StewardDb db) : PortalPage
{
    /// <summary>The standard fields, by the name the API uses, with their label.</summary>
    public static readonly (string Name, string Label)[] Standard = [("email", "Email"), ("firstName", "First name"), ("lastName", "Last name"),
        ("company", "Company"), ("title", "Title"), ("phone", "Phone"), ("address", "Address"), ("bio", "Bio"), ("ipAddress", "IP address"),
        ("country", "Country"), ("city", "City")];

    [FromRoute] public Guid ContactId { get; set; }
    /// <summary>What the form shows: the posted values after a refused save, else the contact's.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
    public List<CustomField> Custom { get; private set; } = [];
    public bool Found { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Modify)) return RefuseRight();
        if (await LoadAsync(ct) is { } missing) return missing;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!May(Rights.Modify)) return RefuseRight();
        if (await LoadAsync(ct) is { } missing) return missing;
        if (!Found) return Page();
        var patch = new JsonObject();
        foreach (var (name, _) in Standard)
        {
            var posted = Request.Form[name].ToString().Trim();
            if (posted != Values.GetValueOrDefault(name, "")) patch[name] = posted.Length == 0 ? null : posted;
            Values[name] = posted;
        }
        var custom = new JsonObject();
        foreach (var field in Custom)
        {
            var key = "custom." + field.Name;
            var posted = Request.Form[key].ToString().Trim();
            if (posted != Values.GetValueOrDefault(key, "")) custom[field.Name] = CustomValue(field.Type, posted);
            Values[key] = posted;
        }
        if (custom.Count > 0) patch["custom"] = custom;
        if (patch.Count == 0)
        {
            Message = "Nothing changed.";
            return Page();
        }
        var result = await rectify.HandleAsync(Caller.ClientId, ContactId, JsonSerializer.SerializeToElement(patch), ct);
        if (result.Error is { } error)
        {
            ToModelState(error);
            return Page();
        }
        Fill(result.Value!);
        Message = "The contact is corrected.";
        return Page();
    }

    /// <summary>A custom value as the API takes it: numbers and booleans as JSON, the rest as a string the use case checks.</summary>
    private static JsonValue? CustomValue(string type, string posted) => posted.Length == 0 ? null : type switch
    {
        "number" when double.TryParse(posted, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        "boolean" when bool.TryParse(posted, out var b) => JsonValue.Create(b),
        _ => JsonValue.Create(posted),
    };

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        Custom = [.. (await DeclareFields.DeclaredAsync(db, ct)).Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
        var result = await read.OneAsync(Caller.ClientId, ContactId, null, ct);
        if (result.Error is NotFoundError) return NotFound();
        // a restricted contact is neither read nor changed here (Art. 18(2)); the API's refusal would ask for its header
        if (result.Error is ForbiddenError)
            ModelState.AddModelError("", "This contact's processing is restricted (Art. 18): it changes only through the subject's own rectification request, or once the restriction is lifted.");
        else if (result.Error is { } error) ToModelState(error);
        else
        {
            Found = true;
            Fill(result.Value!);
        }
        return null;
    }

    private void Fill(ContactFields.View c)
    {
        string?[] values = [c.Email, c.FirstName, c.LastName, c.Company, c.Title, c.Phone, c.Address, c.Bio, c.IpAddress, c.Country, c.City];
        for (var i = 0; i < Standard.Length; i++) Values[Standard[i].Name] = values[i] ?? "";
        foreach (var field in Custom)
            if (c.Custom.TryGetValue(field.Name, out var v))
                Values["custom." + field.Name] = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
            else Values.Remove("custom." + field.Name);
    }
}
