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
}
