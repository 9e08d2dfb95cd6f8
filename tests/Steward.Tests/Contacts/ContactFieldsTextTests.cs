using System.Text.Json;
using Steward.Contacts;
using Steward.Http;

namespace Steward.Tests.Contacts;

/// <summary>The import reads its cells without a JSON body a row: the same cells must get exactly the body's checks.</summary>
public sealed class ContactFieldsTextTests
{
    private static readonly Dictionary<string, CustomField> Declared = new(StringComparer.Ordinal)
    {
        ["seats"] = new() { Name = "seats", Type = "number" },
        ["vip"] = new() { Name = "vip", Type = "boolean" },
        ["since"] = new() { Name = "since", Type = "date" },
    };

    public static TheoryData<string[], string[]> Rows => new()
    {
        { ["email", " Ada@x.io "], [] },
        { ["email", "ada@x.io", "firstName", "Ada", "phone", "+45 12-34", "ipAddress", "10.0.0.1", "city", "   "], [] },
        { ["email", "not an email", "phone", "ab", "ipAddress", "300.1.1.1", "firstName", "A\u0001b"], [] },
        { ["email", "ada@x.io", "title", new string('t', 201), "bio", "line\nbreak\ttab"], [] },
        { ["email", "ada@x.io"], ["seats", "3", "vip", "true", "since", "2026-01-02"] },
        { ["email", "ada@x.io"], ["seats", "many", "vip", "maybe", "since", "02/01/2026"] },
    };

    [Theory, MemberData(nameof(Rows))]
    public void Import_cells_get_the_same_values_and_problems_as_the_same_fields_in_a_json_body(string[] standard, string[] custom)
    {
        var cells = Pairs(standard).ToList();
        var typed = Pairs(custom).ToDictionary(p => p.Key, p => (object?)Typed(p.Value, Declared[p.Key].Type), StringComparer.Ordinal);
        var body = cells.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);
        if (typed.Count > 0) body["custom"] = typed;

        var fromJson = new Problems();
        var json = ContactFields.Parse(JsonSerializer.SerializeToElement(body), Declared, fromJson);
        var fromText = new Problems();
        var text = ContactFields.ParseText(cells, typed.Count > 0 ? typed : null, Declared, fromText);

        Assert.Equal(json.Standard, text.Standard);
        Assert.Equal(json.Custom.ToDictionary(c => c.Key, c => c.Value?.GetRawText()), text.Custom.ToDictionary(c => c.Key, c => c.Value?.GetRawText()));
        Assert.Equal(fromJson.ToDictionary(), fromText.ToDictionary());
    }

    private static IEnumerable<KeyValuePair<string, string>> Pairs(string[] flat) =>
        Enumerable.Range(0, flat.Length / 2).Select(i => new KeyValuePair<string, string>(flat[2 * i], flat[2 * i + 1]));

    // as the import types a declared field's cell
    private static object Typed(string value, string type) => type switch
    {
        "number" when double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
        "boolean" when bool.TryParse(value, out var b) => b,
        _ => value,
    };
}
