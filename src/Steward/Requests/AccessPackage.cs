using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Steward.Requests;

/// <summary>
/// What an access or portability package holds (Art. 15, Art. 20) and its two formats: JSON, machine-readable for
/// portability, and CSV, one row per value, with every cell safe to open in a spreadsheet.
/// </summary>
public static class AccessPackage
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Web)!;

    /// <summary>The Art. 15(1)(a)–(h) information that goes with the copy.</summary>
    public static JsonObject Information(string clientName, IEnumerable<string> purposes, IEnumerable<string> categories, string? source,
        IReadOnlyCollection<string> recipients) => new()
        {
            ["controller"] = clientName,
            ["purposes"] = new JsonArray([.. purposes.Select(p => JsonValue.Create(p))]),
            ["categories"] = new JsonArray([.. categories.Select(c => JsonValue.Create(c))]),
            ["recipients"] = recipients.Count == 0
            ? "The client's sub-processors, as listed in its data processing agreement; none receives data from Steward today."
            : "The client's recipients and sub-processors: " + string.Join(", ", recipients) + ".",
            ["retention"] = "Kept while the client uses the service for the purposes above, until you or the client ask for erasure, and erased at the end of the contract.",
            ["rights"] = "You may ask for rectification (Art. 16), erasure (Art. 17), restriction (Art. 18), a portable copy (Art. 20) and object to processing (Art. 21).",
            ["complaint"] = "You have the right to lodge a complaint with a supervisory authority (Art. 77).",
            ["source"] = source switch
            {
                null => "No personal data about you is held.",
                "widget" => "Collected from you through the client's form on its website.",
                _ => "Provided by the client (" + source + ").",
            },
            ["automatedDecisions"] = "None: no decision about you is made solely by automated means (Art. 22).",
        };

    /// <summary>One row per value: path, value. Nested objects and arrays become dotted and indexed paths.</summary>
    public static string ToCsv(JsonNode package)
    {
        var csv = new StringBuilder("path,value\r\n");
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, child) in o) Walk(child, path.Length == 0 ? name : path + "." + name);
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++) Walk(a[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]");
                    break;
                default:
                    var value = node is null ? "" : node.GetValueKind() == JsonValueKind.String
                        ? JsonSerializer.Deserialize<string>(node.ToJsonString())! : node.ToJsonString();
                    csv.Append(Cell(path)).Append(',').Append(Cell(value)).Append("\r\n");
                    break;
            }
        }
        Walk(package, "");
        return csv.ToString();
    }

    /// <summary>
    /// A CSV cell that a spreadsheet will not run (CSV/formula injection, OWASP): a value starting with = + - @, a tab
    /// or a carriage return gets a leading apostrophe; every cell is quoted, quotes doubled.
    /// </summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
