using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Steward.SubProcessors;

/// <summary>
/// Calls a vendor to forget one person (P-09). Two kinds over HTTP:
/// <list type="bullet">
/// <item>"webhook": a signed POST for in-house systems. Spec <c>{"url": "…"}</c>. Headers <c>X-Steward-Timestamp</c> and
/// <c>X-Steward-Signature: v1=hex(HMAC-SHA256(key, timestamp + "." + body))</c>; body
/// <c>{"type":"erasure","requestId":…,"email":…,"requestedAt":…}</c>.</item>
/// <item>"http": declarative. Spec <c>{"method","url","headers":{…},"body","jobIdProperty"}</c>; in url, headers and body
/// <c>{email}</c>, <c>{emailUrl}</c> (URL-encoded), <c>{requestId}</c> and <c>{secret:NAME}</c> (from
/// <c>Steward:SubProcessors:ConnectorSecrets</c>) are replaced; <c>{emailMd5}</c> is Mailchimp's subscriber hash.
/// Or <c>{"preset": "mailchimp" | "hubspot", "variables": {…}}</c>: a shipped spec (Data/connectors) from the vendor's documentation.</item>
/// </list>
/// Any 2xx is the vendor's receipt; anything else, or no answer within the timeout, is retried with backoff.
/// Every call carries <c>Idempotency-Key: {requestId}</c>, so a retry is safe.
/// </summary>
public sealed class Connectors(IHttpClientFactory http, IOptions<SubProcessorOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "steward-connectors";

    public sealed record Outcome(bool Ok, string Response, string? JobId);

    private sealed record Spec(string? Method, string? Url, Dictionary<string, string>? Headers, string? Body, string? JobIdProperty,
        string? Preset = null, Dictionary<string, string>? Variables = null, Dictionary<string, string>? Defaults = null, string? About = null);

    /// <summary>The connectors shipped for documented GDPR-deletion APIs (Data/connectors/*.json).</summary>
    public static readonly IReadOnlySet<string> Presets = new HashSet<string>(StringComparer.Ordinal) { "mailchimp", "hubspot" };

    /// <summary>A spec as configured, or the shipped preset it names with its variables filled in.</summary>
    private static Spec? Resolve(string json)
    {
        var spec = JsonSerializer.Deserialize<Spec>(json, JsonSerializerOptions.Web);
        if (spec?.Preset is null) return spec;
        if (!Presets.Contains(spec.Preset)) return null;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Steward.SubProcessors.Data.connectors.{spec.Preset}.json")!;
        var preset = JsonSerializer.Deserialize<Spec>(stream, JsonSerializerOptions.Web)!;
        var variables = new Dictionary<string, string>(preset.Defaults ?? [], StringComparer.Ordinal);
        foreach (var (k, v) in spec.Variables ?? []) variables[k] = v;
        string Fill(string text) => variables.Aggregate(text, (t, v) => t.Replace("{var:" + v.Key + "}", v.Value, StringComparison.Ordinal));
        return preset with
        {
            Url = Fill(preset.Url!),
            Body = preset.Body is null ? null : Fill(preset.Body),
            Headers = preset.Headers?.ToDictionary(h => h.Key, h => Fill(h.Value)),
            JobIdProperty = spec.JobIdProperty ?? preset.JobIdProperty,
        };
    }

    public static string? SpecProblem(string connector, string? json)
    {
        if (json is null) return $"A {connector} connector needs a spec with at least a url.";
        Spec? spec;
        try { spec = Resolve(json); }
        catch (JsonException) { return "Not a valid connector spec."; }
        if (spec is null) return $"Unknown preset: one of {string.Join(", ", Presets)}.";
        if (spec.Url?.Contains("{var:", StringComparison.Ordinal) == true) return "The preset needs more variables: " + spec.Url;
        if (spec?.Url is null || !Uri.TryCreate(spec.Url.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http"))
            return "The spec needs an absolute http(s) url.";
        if (spec.Method is not null and not ("POST" or "DELETE" or "PUT")) return "method: POST, PUT or DELETE.";
        return null;
    }

    public async Task<Outcome> EraseAsync(SubProcessor s, Guid requestId, string email, CancellationToken ct)
    {
        var spec = Resolve(s.ConnectorSpec!)!;
        using var request = s.Connector == "webhook" ? Webhook(spec, requestId, email) : Declarative(spec, requestId, email);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", requestId.ToString());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ConnectorTimeoutSeconds));
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var summary = $"{(int)response.StatusCode} {Truncate(text, 300)}";
            if (!response.IsSuccessStatusCode) return new Outcome(false, summary, null);
            return new Outcome(true, summary, JobId(text, spec.JobIdProperty ?? "jobId"));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new Outcome(false, e is OperationCanceledException ? "no answer within the timeout" : "unreachable: " + Truncate(e.Message, 200), null);
        }
    }

    private HttpRequestMessage Webhook(Spec spec, Guid requestId, string email)
    {
        var key = Convert.FromBase64String(options.Value.WebhookSigningKey
            ?? throw new InvalidOperationException("Steward:SubProcessors:WebhookSigningKey is needed for webhook connectors."));
        var body = JsonSerializer.Serialize(new { type = "erasure", requestId, email, requestedAt = clock.GetUtcNow() }, JsonSerializerOptions.Web);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(timestamp + "." + body)));
        var request = new HttpRequestMessage(HttpMethod.Post, spec.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Steward-Timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("X-Steward-Signature", "v1=" + signature);
        return request;
    }

    private HttpRequestMessage Declarative(Spec spec, Guid requestId, string email)
    {
        string Fill(string template)
        {
            var text = template.Replace("{email}", email, StringComparison.Ordinal)
                .Replace("{emailUrl}", Uri.EscapeDataString(email), StringComparison.Ordinal)
                .Replace("{emailMd5}", SubscriberHash(email), StringComparison.Ordinal)
                .Replace("{requestId}", requestId.ToString(), StringComparison.Ordinal);
            foreach (var (name, value) in options.Value.ConnectorSecrets) text = text.Replace("{secret:" + name + "}", value, StringComparison.Ordinal);
            return text;
        }
        var request = new HttpRequestMessage(new HttpMethod(spec.Method ?? "POST"), Fill(spec.Url!));
        if (spec.Body is not null) request.Content = new StringContent(Fill(spec.Body), Encoding.UTF8, "application/json");
        foreach (var (name, value) in spec.Headers ?? [])
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) request.Headers.Authorization = AuthenticationHeaderValue.Parse(Fill(value));
            else request.Headers.TryAddWithoutValidation(name, Fill(value));
        return request;
    }

    /// <summary>Mailchimp names a member by the MD5 of its lower-cased email: an identifier its API requires, not a protection.</summary>
#pragma warning disable CA5351
    private static string SubscriberHash(string email) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
#pragma warning restore CA5351

    private static string? JobId(string text, string property)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(property, out var id)
                ? Truncate(id.ToString(), 200) : null;
        }
        catch (JsonException) { return null; }
    }

    private static string Truncate(string text, int max) => text.Length > max ? text[..max] : text;
}
