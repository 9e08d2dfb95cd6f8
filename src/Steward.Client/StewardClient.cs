using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Steward.Client;

/// <summary>
/// Steward's public API for one client, authenticated with one of its API keys (scopes: contacts:read,
/// contacts:write, widgets, requests, export). Each method is one operation of /openapi/v1.json, named after it.
/// </summary>
public sealed class StewardClient(HttpClient http, Guid clientId) : IDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, // Steward refuses unknown fields, and null clears one
    };

    private readonly string _base = $"v1/clients/{clientId}";
    private bool _ownsHttp;

    /// <summary>A client with its own HttpClient; prefer the constructor with IHttpClientFactory's in a long-running app.
    /// Paths are relative: a <paramref name="baseAddress"/> with a path ends with '/'.</summary>
    public static StewardClient Create(Uri baseAddress, Guid clientId, string apiKey)
    {
        var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return new StewardClient(http, clientId) { _ownsHttp = true };
    }

    // contacts
    public Task<Contact> CreateContactAsync(ContactInput contact, CancellationToken ct = default) =>
        SendAsync<Contact>(HttpMethod.Post, "/contacts", contact, ct);

    public Task<Contact> GetContactAsync(Guid contactId, CancellationToken ct = default) =>
        SendAsync<Contact>(HttpMethod.Get, $"/contacts/{contactId}", null, ct);

    /// <summary>Contacts by exact email or phone (through Steward's blind index), or all of them a page at a time.</summary>
    public Task<ContactPage> FindContactsAsync(string? email = null, string? phone = null, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        SendAsync<ContactPage>(HttpMethod.Get, "/contacts" + Query(("email", email), ("phone", phone), ("cursor", cursor), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, ct);

    /// <summary>Corrects the fields given (a JSON merge patch: fields left null are kept).</summary>
    public Task<Contact> RectifyContactAsync(Guid contactId, ContactInput changes, CancellationToken ct = default) =>
        SendAsync<Contact>(HttpMethod.Patch, $"/contacts/{contactId}", changes, ct);

    /// <summary>Erases the contact for good (its key is destroyed); answers what Steward recorded.</summary>
    public Task<JsonElement> EraseContactAsync(Guid contactId, CancellationToken ct = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"/contacts/{contactId}/erase", null, ct);

    // consents
    /// <summary>The contact's consent history with its proof, as the widgets recorded it; a restricted contact
    /// (Art. 18) is read only with a <paramref name="reason"/>, which Steward records.</summary>
    public Task<List<ConsentProof>> GetConsentsAsync(Guid contactId, string? reason = null, CancellationToken ct = default) =>
        SendAsync<List<ConsentProof>>(HttpMethod.Get, $"/contacts/{contactId}/consents", null, ct, reason);

    // widgets
    public Task<Widget> DefineWidgetAsync(WidgetInput widget, CancellationToken ct = default) =>
        SendAsync<Widget>(HttpMethod.Post, "/widgets", widget, ct);

    public Task<List<Widget>> ListWidgetsAsync(CancellationToken ct = default) =>
        SendAsync<List<Widget>>(HttpMethod.Get, "/widgets", null, ct);

    public Task<Widget> GetWidgetAsync(Guid widgetId, CancellationToken ct = default) =>
        SendAsync<Widget>(HttpMethod.Get, $"/widgets/{widgetId}", null, ct);

    /// <summary>A new version of the widget; consents keep the version they were given on.</summary>
    public Task<Widget> UpdateWidgetAsync(Guid widgetId, WidgetInput widget, CancellationToken ct = default) =>
        SendAsync<Widget>(HttpMethod.Put, $"/widgets/{widgetId}", widget, ct);

    // subject requests
    public Task<SubjectRequest> CreateRequestAsync(RequestInput request, CancellationToken ct = default) =>
        SendAsync<SubjectRequest>(HttpMethod.Post, "/requests", request, ct);

    public Task<SubjectRequest> GetRequestAsync(Guid requestId, CancellationToken ct = default) =>
        SendAsync<SubjectRequest>(HttpMethod.Get, $"/requests/{requestId}", null, ct);

    /// <summary>Overdue and due-soon requests first; <paramref name="state"/>: open, closed or all.</summary>
    public Task<List<SubjectRequest>> ListRequestsAsync(string? state = null, int? limit = null, CancellationToken ct = default) =>
        SendAsync<List<SubjectRequest>>(HttpMethod.Get, "/requests" + Query(("state", state), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, ct);

    /// <summary>Moves a request on (verified, in_progress, completed, declined with a reason, …).</summary>
    public Task<SubjectRequest> ChangeRequestStatusAsync(Guid requestId, string status, string? reason = null, CancellationToken ct = default) =>
        SendAsync<SubjectRequest>(HttpMethod.Post, $"/requests/{requestId}/status", new { status, reason }, ct);

    // exports
    /// <summary>All the client's data as one file (format json or csv); the first export is free, later ones are billable.</summary>
    public async Task<ExportFile> ExportAsync(string format = "json", CancellationToken ct = default)
    {
        using var response = await http.PostAsync(_base + "/return-exports" + Query(("format", format)), null, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await StewardApiException.FromAsync(response, ct).ConfigureAwait(false);
        return new ExportFile(response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName,
            response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream", await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct, string? accessReason = null)
    {
        using var message = new HttpRequestMessage(method, _base + path);
        if (accessReason is not null) message.Headers.Add("X-Access-Reason", accessReason);
        if (body is not null) message.Content = JsonContent.Create(body, body.GetType(), options: JsonOptions);
        using var response = await http.SendAsync(message, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await StewardApiException.FromAsync(response, ct).ConfigureAwait(false);
        return (await response.Content.ReadFromJsonAsync<T>(JsonOptions, ct).ConfigureAwait(false))!;
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    public void Dispose()
    {
        if (_ownsHttp) http.Dispose();
    }
}
