using System.Net;
using System.Text.Json;

namespace Steward.Client;

/// <summary>Steward refused a call: its RFC 9457 problem, with the per-field errors of a 400.</summary>
public sealed class StewardApiException : Exception
{
    public StewardApiException(HttpStatusCode status, string? type, string? detail, IReadOnlyDictionary<string, string[]> errors)
        : base($"Steward answered {(int)status}: {detail ?? type ?? status.ToString()}")
    {
        Status = status;
        Type = type;
        Detail = detail;
        Errors = errors;
    }

    public StewardApiException() : this(HttpStatusCode.InternalServerError, null, null, new Dictionary<string, string[]>()) { }

    public StewardApiException(string message) : base(message) => Errors = new Dictionary<string, string[]>();

    public StewardApiException(string message, Exception inner) : base(message, inner) => Errors = new Dictionary<string, string[]>();

    public HttpStatusCode Status { get; }
    public string? Type { get; }
    public string? Detail { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    internal static async Task<StewardApiException> FromAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? type = null, detail = null;
        var errors = new Dictionary<string, string[]>();
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = problem.RootElement;
            if (root.TryGetProperty("type", out var t)) type = t.GetString();
            if (root.TryGetProperty("detail", out var d)) detail = d.GetString();
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                foreach (var field in e.EnumerateObject())
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray().Select(m => m.ToString()).ToArray() : [field.Value.ToString()];
        }
        catch (JsonException) { } // not a problem document (a proxy's page): the status says enough
        return new StewardApiException(response.StatusCode, type, detail, errors);
    }
}
