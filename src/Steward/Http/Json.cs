using System.Text.Json;
using System.Text.Json.Serialization;

namespace Steward.Http;

public static class Json
{
    /// <summary>The API's JSON: camelCase, and a property the contract does not have is an error, not ignored (mass assignment).</summary>
    public static readonly JsonSerializerOptions Strict = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = 32;
        options.AllowTrailingCommas = false;
        return options;
    }

    /// <summary>
    /// The API's request bodies: <see cref="Strict"/>'s rules, and text never holds a NUL (U+0000). PostgreSQL cannot
    /// store one and no field needs one, so it is refused on both engines before any work, with the field's path.
    /// Not in <see cref="Strict"/>: a custom string converter would take the exports' source-generated writer off its fast path.
    /// </summary>
    public static JsonSerializerOptions ConfigureHttp(JsonSerializerOptions options)
    {
        Configure(options).Converters.Add(new NoNulText());
        return options;
    }

    private sealed class NoNulText : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            return text is not null && text.Contains('\0', StringComparison.Ordinal)
                ? throw new JsonException("Text may not hold a NUL character (U+0000).") : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
