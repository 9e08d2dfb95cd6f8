using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Steward.SubProcessors;

/// <summary>
/// Calls a vendor to forget one person (P-09). Two kinds over HTTP:
/// <list type="bullet">
/// <item>"webhook": a signed POST for in-house systems. Spec <c>{"url": "…"}</c>. Headers <c>X-Steward-Timestamp</c> and
/// <c>X-Steward-Signature: v1=hex(HMAC-SHA256(key, timestamp + "." + body))</c>; body
/// <c>{"type":"erasure","requestId":…,"email":…,"requestedAt":…}</c>.</item>
/// <item>"http": declarative. Spec <c>{"method","url","headers":{…},"body","jobIdProperty"}</c> for one call, or, for APIs
/// that erase by their own user id or answer with an asynchronous job:
/// <c>"lookup": {"method","url","body","idPath"}</c> (find the vendor's id by email; none found = nothing held),
/// <c>"steps": [{"method","url","body","alsoOk":[404]}, …]</c> (the erase calls, in order, <c>{id}</c> = the looked-up id), and
/// <c>"poll": {"url","statusPath","done":[…],"failed":[…],"intervalSeconds"}</c> (the job named by <c>jobIdProperty</c>,
/// as <c>{jobId}</c>, is polled until done). Paths are dot-separated (<c>data.0.id</c>). In urls, headers and bodies
/// <c>{email}</c>, <c>{emailUrl}</c> (URL-encoded), <c>{emailJson}</c> (escaped for a JSON string), <c>{emailMd5}</c> (Mailchimp's subscriber hash), <c>{requestId}</c>,
/// <c>{id}</c>, <c>{jobId}</c> and <c>{secret:NAME}</c> (from <c>Steward:SubProcessors:ConnectorSecrets</c>) are replaced;
/// the spec's headers (its authentication) go with every call.
/// Or <c>{"preset": "mailchimp" | "hubspot" | "zendesk" | "intercom" | "segment", "variables": {…}}</c>: a shipped spec
/// (Data/connectors) written from the vendor's documentation.</item>
/// </list>
/// For access requests (Art 15) an http spec may also have <c>"access": [{"name","method","url","body","itemsPath","nextPath","maxPages"}, …]</c>:
/// each call's items are gathered page after page, the next page being the link or the cursor (<c>{cursor}</c>,
/// <c>{cursorJson}</c>) at <c>nextPath</c>, at most <c>maxPages</c>; <c>{id}</c> comes from the lookup. A vendor with no
/// access API says so in <c>"accessNote"</c>.
/// Any 2xx is the vendor's receipt; anything else, or no answer within the timeout, is retried with backoff; a 429 is
/// retried after its Retry-After. Every call carries <c>Idempotency-Key: {requestId}</c>, so a retry is safe. Every url
/// must point to a host in <c>Steward:SubProcessors:AllowedHosts</c> (or a shipped preset's documented API host),
/// checked when the connector is recorded and again before each call: a connector cannot be turned against the
/// internal network (SSRF).
/// </summary>
public sealed class Connectors(IHttpClientFactory http, IOptions<SubProcessorOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "steward-connectors";

    /// <param name="Ok">The vendor's receipt is in.</param>
    /// <param name="Reference">The vendor's job id (on a receipt, or a job still running), or the looked-up user id to reuse on the next attempt.</param>
    /// <param name="Running">An asynchronous job was accepted and is not finished: poll it later.</param>
    /// <param name="RetryAfter">The vendor asked to wait this long (429 Retry-After).</param>
    public sealed record Outcome(bool Ok, string Response, string? Reference, bool Running = false, TimeSpan? RetryAfter = null);

    /// <param name="Name">An access call's name in the answer ("users", "identities").</param>
    /// <param name="ItemsPath">An access call: where the list is in each page (the whole answer if absent).</param>
    /// <param name="NextPath">An access call: where the next page is, an absolute link or a cursor for <c>{cursor}</c>/<c>{cursorJson}</c>; absent or empty = last page.</param>
    /// <param name="MaxPages">An access call: at most this many pages (20 by default, 100 at most).</param>
    private sealed record Step(string? Method, string? Url, Dictionary<string, string>? Headers, string? Body, string? IdPath, int[]? AlsoOk,
        string? Name = null, string? ItemsPath = null, string? NextPath = null, int? MaxPages = null);

    private sealed record Poll(string? Url, string? StatusPath, string[]? Done, string[]? Failed, int? IntervalSeconds);

    private sealed record Spec(string? Method, string? Url, Dictionary<string, string>? Headers, string? Body, string? JobIdProperty,
        string? Preset = null, Dictionary<string, string>? Variables = null, Dictionary<string, string>? Defaults = null, string? About = null,
        Step? Lookup = null, List<Step>? Steps = null, Poll? Poll = null, List<Step>? Access = null, string? AccessNote = null)
    {
        /// <summary>The erase calls: the steps, or the one call the spec describes at its top level.</summary>
        public List<Step> Calls => Steps ?? (Url is null ? [] : [new Step(Method, Url, null, Body, null, null)]);

        public IEnumerable<string> Urls => Calls.Concat(Access ?? []).Select(c => c.Url).Append(Lookup?.Url).Append(Poll?.Url).OfType<string>();
    }

    /// <summary>The connectors shipped for documented GDPR-deletion APIs (Data/connectors/*.json).</summary>
    public static readonly IReadOnlySet<string> Presets = new HashSet<string>(StringComparer.Ordinal) { "mailchimp", "hubspot", "zendesk", "intercom", "segment" };

    /// <summary>The documented API hosts of the shipped presets: allowed without configuration.</summary>
    public static readonly IReadOnlyList<string> PresetHosts =
        ["*.api.mailchimp.com", "api.hubapi.com", "*.zendesk.com", "api.intercom.io", "api.eu.intercom.io", "api.au.intercom.io", "api.segmentapis.com", "eu1.api.segmentapis.com"];

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
        Step? FillStep(Step? s) => s is null ? null : s with { Url = s.Url is null ? null : Fill(s.Url), Body = s.Body is null ? null : Fill(s.Body) };
        return preset with
        {
            Url = preset.Url is null ? null : Fill(preset.Url),
            Body = preset.Body is null ? null : Fill(preset.Body),
            Headers = preset.Headers?.ToDictionary(h => h.Key, h => Fill(h.Value)),
            JobIdProperty = spec.JobIdProperty ?? preset.JobIdProperty,
            Lookup = FillStep(preset.Lookup),
            Steps = preset.Steps?.Select(s => FillStep(s)!).ToList(),
            Access = preset.Access?.Select(s => FillStep(s)!).ToList(),
            Poll = preset.Poll is null ? null : preset.Poll with { Url = preset.Poll.Url is null ? null : Fill(preset.Poll.Url) },
        };
    }

    /// <summary>Why a spec cannot be recorded, or null. Its hosts must be allowed (SSRF).</summary>
    public string? SpecProblem(string connector, string? json)
    {
        if (json is null) return $"A {connector} connector needs a spec with at least a url.";
        Spec? spec;
        try { spec = Resolve(json); }
        catch (JsonException) { return "Not a valid connector spec."; }
        if (spec is null) return $"Unknown preset: one of {string.Join(", ", Presets)}.";
        List<string> urls = connector == "webhook" ? (spec.Url is null ? [] : [spec.Url]) : [.. spec.Urls];
        if (urls.Count == 0) return "The spec needs an absolute http(s) url.";
        foreach (var url in urls)
        {
            if (url.Contains("{var:", StringComparison.Ordinal)) return "The preset needs more variables: " + url;
            if (!Uri.TryCreate(url.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Scheme is not ("https" or "http"))
                return "The spec needs an absolute http(s) url.";
            if (HostProblem(uri) is { } host) return host;
        }
        if (connector == "webhook") return null;
        if (spec.Calls.Concat(spec.Access ?? []).Concat(spec.Lookup is null ? [] : [spec.Lookup]).Any(c => c.Method is not null and not ("GET" or "POST" or "DELETE" or "PUT")))
            return "method: GET, POST, PUT or DELETE.";
        if (spec.Calls.Count == 0) return "The spec needs the erase call: a url, or steps.";
        if (spec.Access?.Any(a => a.Url is null) == true) return "Each access call needs a url.";
        if (spec.Access?.Any(a => (a.Url + a.Body).Contains("{id}", StringComparison.Ordinal)) == true && spec.Lookup is null)
            return "An access call that names {id} needs a lookup.";
        if (spec.Lookup is { IdPath: null }) return "lookup needs an idPath: where the vendor's id is in its answer.";
        if (spec.Lookup is not null && spec.Poll is not null) return "A spec cannot both look up an id and poll a job.";
        if (spec.Poll is { } poll && (poll.StatusPath is null || poll.Done is not { Length: > 0 })) return "poll needs a statusPath and the done statuses.";
        return null;
    }

    /// <summary>SSRF guard by name: only hosts of the allow-list (exact, "host:port", or "*.domain" for its subdomains).</summary>
    private string? HostProblem(Uri uri)
    {
        var host = uri.IdnHost;
        foreach (var entry in options.Value.AllowedHosts.Concat(PresetHosts))
        {
            var (allowed, port) = SplitPort(entry);
            if (port is not null && port != uri.Port) continue;
            if (allowed.StartsWith("*.", StringComparison.Ordinal)
                    ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
                    : host.Equals(allowed, StringComparison.OrdinalIgnoreCase))
                return null;
        }
        return $"{host} is not an allowed connector host: add it to Steward:SubProcessors:AllowedHosts.";
    }

    /// <summary>An allow-list entry as host and optional port: "api.example.com", "127.0.0.1:8080", "[::1]:8080".</summary>
    private static (string Host, int? Port) SplitPort(string entry)
    {
        var colon = entry.LastIndexOf(':');
        if (colon < 0 || (entry.StartsWith('[') && colon < entry.IndexOf(']', StringComparison.Ordinal)) || (!entry.StartsWith('[') && entry.IndexOf(':', StringComparison.Ordinal) != colon))
            return (entry.Trim('[', ']'), null); // no port (or a bare IPv6 literal)
        return int.TryParse(entry[(colon + 1)..], CultureInfo.InvariantCulture, out var port) ? (entry[..colon].Trim('[', ']'), port) : (entry, null);
    }

    /// <summary>
    /// The connectors' HTTP handler. The name check above cannot see where a name points when the connection is made
    /// (DNS rebinding: a public answer at the check, 127.0.0.1 a moment later), so the address is checked where it is
    /// used: this handler resolves the host itself and connects only to a public address, or to a private, loopback,
    /// link-local or cloud-metadata one that <c>Steward:SubProcessors:AllowedHosts</c> names exactly (the address
    /// literal, or the host name itself, with or without the port). Redirects are not followed.
    /// </summary>
    public static SocketsHttpHandler Handler(SubProcessorOptions options, Func<string, CancellationToken, Task<IPAddress[]>> resolve) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false, // through a proxy, the callback would check the proxy's address, not the vendor's
        ConnectCallback = async (context, ct) =>
        {
            var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolve(host, ct);
            var explicitly = options.AllowedHosts.Select(SplitPort).Where(e => e.Port is null || e.Port == port).Select(e => e.Host).ToList();
            bool Named(string name) => explicitly.Contains(name, StringComparer.OrdinalIgnoreCase);
            var usable = addresses.Where(a => IsPublic(a) || Named(host) || Named(a.ToString()) || (a.IsIPv4MappedToIPv6 && Named(a.MapToIPv4().ToString()))).ToArray();
            if (usable.Length == 0)
                throw new HttpRequestException($"refused: {host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, a private, loopback, link-local or metadata address not in Steward:SubProcessors:AllowedHosts (SSRF)");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(usable, port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>A globally routable address: not loopback, private (RFC 1918, ULA), shared (CGNAT), link-local (cloud metadata), multicast or unspecified.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                     || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                     || (b[0] == 169 && b[1] == 254)
                     || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                     || (b[0] == 192 && b[1] == 168)
                     || (b[0] == 192 && b[1] == 0 && b[2] == 0));
        }
        var v6 = address.GetAddressBytes();
        return !(address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                 || (v6[0] & 0xfe) == 0xfc); // fc00::/7, unique local (AWS's metadata fd00:ec2::254 among them)
    }

    /// <param name="reference">What the last attempt left: a job to poll, or the vendor's id of the person.</param>
    public async Task<Outcome> EraseAsync(SubProcessor s, Guid requestId, string email, string? reference, CancellationToken ct)
    {
        var spec = Resolve(s.ConnectorSpec!)!;
        if (s.Connector == "webhook")
        {
            var (ok, status, text, retryAfter) = await SendAsync(Webhook(spec, requestId, email), ct);
            return ok ? new Outcome(true, status, JsonPath(text, spec.JobIdProperty ?? "jobId")) : new Outcome(false, status, null, RetryAfter: retryAfter);
        }
        var values = Values(email, requestId);
        if (spec.Poll is { } poll && reference is not null)
        {
            values["{jobId}"] = reference;
            var (ok, status, text, retryAfter) = await SendAsync(Declarative(spec, new Step("GET", poll.Url, null, null, null, null), values, requestId), ct);
            if (!ok) return new Outcome(false, status, reference, RetryAfter: retryAfter);
            var state = JsonPath(text, poll.StatusPath!);
            if (poll.Done!.Contains(state, StringComparer.Ordinal)) return new Outcome(true, $"job {reference}: {state}", reference);
            // a failed job is started again; a running one is polled again
            return (poll.Failed ?? []).Contains(state, StringComparer.Ordinal)
                ? new Outcome(false, $"job {reference}: {state}", null)
                : new Outcome(false, $"job {reference}: {state ?? "unknown"}", reference, Running: true);
        }
        string? id = null;
        if (spec.Lookup is { } lookup)
        {
            id = reference;
            if (id is null)
            {
                var (ok, status, text, retryAfter) = await SendAsync(Declarative(spec, lookup, values, requestId), ct);
                if (!ok) return new Outcome(false, "lookup: " + status, null, RetryAfter: retryAfter);
                id = JsonPath(text, lookup.IdPath!);
                // the vendor holds no one with this address: nothing to erase there, which is its answer
                if (id is null) return new Outcome(true, "lookup: " + status + " (no such person held by the vendor)", null);
            }
            values["{id}"] = id;
        }
        (bool Ok, string Status, string Text, TimeSpan? RetryAfter) last = default;
        foreach (var step in spec.Calls)
        {
            last = await SendAsync(Declarative(spec, step, values, requestId), ct);
            if (!last.Ok && !(step.AlsoOk ?? []).Any(code => last.Status.StartsWith(code.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal)))
                return new Outcome(false, last.Status, id, RetryAfter: last.RetryAfter);
        }
        var jobId = JsonPath(last.Text ?? "", spec.JobIdProperty ?? "jobId");
        if (spec.Poll is { } && jobId is not null) return new Outcome(false, $"job {jobId} accepted: {last.Status}", jobId, Running: true);
        return new Outcome(true, last.Status ?? "", jobId ?? id);
    }

    private static Dictionary<string, string> Values(string email, Guid requestId) => new(StringComparer.Ordinal)
    {
        ["{email}"] = email,
        ["{emailUrl}"] = Uri.EscapeDataString(email),
        ["{emailJson}"] = JsonEncodedText.Encode(email).ToString(),
        ["{emailMd5}"] = SubscriberHash(email),
        ["{requestId}"] = requestId.ToString(),
    };

    /// <param name="Status">answered, nothing held (the lookup found no one), no access call (ask by hand), or failed.</param>
    /// <param name="Data">Each access call's items, by the call's name: personal data, for the subject's package only.</param>
    public sealed record AccessOutcome(string Status, string Response, JsonObject? Data, int Pages, int Items);

    /// <summary>
    /// Art. 15: what the vendor holds about this person, through the spec's access calls, each page followed to the
    /// end (a link or a cursor), at most <see cref="Step.MaxPages"/> pages a call. A vendor without an access call
    /// answers with its preset's note (what to do instead).
    /// </summary>
    public async Task<AccessOutcome> AccessAsync(SubProcessor s, Guid requestId, string email, CancellationToken ct)
    {
        var spec = s.ConnectorSpec is null ? null : Resolve(s.ConnectorSpec);
        if (s.Connector != "http" || spec?.Access is not { Count: > 0 } calls)
            return new("no access call", spec?.AccessNote ?? $"The {s.Connector} connector has no access call: ask the vendor for what it holds and attach its answer.", null, 0, 0);
        var values = Values(email, requestId);
        if (spec.Lookup is { } lookup && calls.Any(c => (c.Url + c.Body).Contains("{id}", StringComparison.Ordinal)))
        {
            var (ok, status, text, _) = await SendAsync(Declarative(spec, lookup, values, requestId), ct);
            if (!ok) return new("failed", "lookup: " + status, null, 0, 0);
            if (JsonPath(text, lookup.IdPath!) is not { } id) return new("nothing held", "lookup: " + status + " (no such person held by the vendor)", null, 0, 0);
            values["{id}"] = id;
        }
        var data = new JsonObject();
        var (pages, items) = (0, 0);
        var notes = new List<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            var list = new JsonArray();
            var max = Math.Clamp(call.MaxPages ?? 20, 1, 100);
            string? cursor = null, link = null;
            for (var page = 1; ; page++)
            {
                values["{cursor}"] = cursor ?? "";
                values["{cursorJson}"] = cursor is null ? "null" : JsonSerializer.Serialize(cursor);
                // a vendor's next-page link is used as it is: never filled with values or secrets (its host is checked like any url)
                var request = link is null ? Declarative(spec, call, values, requestId) : Declarative(spec, new Step("GET", link, null, null, null, null), [], requestId, literalUrl: true);
                var (ok, status, text, _) = await SendAsync(request, ct);
                if (!ok) return new("failed", $"{call.Name ?? "access"} page {page}: {status}", null, pages, items);
                pages++;
                JsonDocument doc;
                try { doc = JsonDocument.Parse(text.Length == 0 ? "null" : text); }
                catch (JsonException) { return new("failed", $"{call.Name ?? "access"} page {page}: not a JSON answer", null, pages, items); }
                using var _ = doc;
                var found = call.ItemsPath is null ? doc.RootElement : At(doc.RootElement, call.ItemsPath);
                foreach (var item in found is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().ToList() : found is { } one ? [one] : [])
                {
                    list.Add(JsonNode.Parse(item.GetRawText()));
                    items++;
                }
                var next = call.NextPath is null ? null : At(doc.RootElement, call.NextPath) is { ValueKind: JsonValueKind.String or JsonValueKind.Number } n ? n.ToString() : null;
                if (string.IsNullOrEmpty(next)) break;
                if (page == max)
                {
                    notes.Add($"{call.Name ?? "access"}: stopped after {max} pages");
                    break;
                }
                var isLink = Uri.TryCreate(next, UriKind.Absolute, out var u) && u.Scheme is "https" or "http";
                link = isLink ? next : null;
                cursor = isLink ? null : next;
            }
            data[call.Name ?? "call" + i.ToString(CultureInfo.InvariantCulture)] = list;
        }
        return new("answered", $"{pages} page(s), {items} item(s)" + (notes.Count == 0 ? "" : "; " + string.Join("; ", notes)), data, pages, items);
    }

    /// <summary>How often a vendor's running job is asked about (its spec's poll interval; hourly by default).</summary>
    public static TimeSpan PollInterval(SubProcessor s) => TimeSpan.FromSeconds(Math.Max(60, Resolve(s.ConnectorSpec!)?.Poll?.IntervalSeconds ?? 3600));

    /// <summary>One call, after the SSRF check: 2xx or not, a summary of the answer, its text, and any Retry-After.</summary>
    private async Task<(bool Ok, string Status, string Text, TimeSpan? RetryAfter)> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var _ = request;
        if (HostProblem(request.RequestUri!) is { } refused) return (false, "refused: " + refused, "", null);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", request.Options.TryGetValue(RequestIdKey, out var id) ? id : null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ConnectorTimeoutSeconds));
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var retryAfter = response.StatusCode == System.Net.HttpStatusCode.TooManyRequests ? RetryAfter(response) : (TimeSpan?)null;
            return (response.IsSuccessStatusCode, $"{(int)response.StatusCode} {Truncate(text, 300)}", text, retryAfter);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            var cause = e.InnerException as HttpRequestException ?? e;
            return (false, e is OperationCanceledException ? "no answer within the timeout"
                : cause.Message.StartsWith("refused:", StringComparison.Ordinal) ? Truncate(cause.Message, 300) : "unreachable: " + Truncate(e.Message, 200), "", null);
        }
    }

    private static readonly HttpRequestOptionsKey<string> RequestIdKey = new("steward-request-id");

    /// <summary>Retry-After as seconds or a date, at least a second, at most a day.</summary>
    private TimeSpan RetryAfter(HttpResponseMessage response)
    {
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - clock.GetUtcNow(),
            _ => TimeSpan.FromMinutes(1),
        };
        return TimeSpan.FromSeconds(Math.Clamp(wait.TotalSeconds, 1, 86400));
    }

    private HttpRequestMessage Webhook(Spec spec, Guid requestId, string email)
    {
        var key = Convert.FromBase64String(options.Value.WebhookSigningKey
            ?? throw new InvalidOperationException("Steward:SubProcessors:WebhookSigningKey is needed for webhook connectors."));
        var body = JsonSerializer.Serialize(new { type = "erasure", requestId, email, requestedAt = clock.GetUtcNow() }, JsonSerializerOptions.Web);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(timestamp + "." + body)));
        var request = new HttpRequestMessage(HttpMethod.Post, spec.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Options.Set(RequestIdKey, requestId.ToString());
        request.Headers.TryAddWithoutValidation("X-Steward-Timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("X-Steward-Signature", "v1=" + signature);
        return request;
    }

    private HttpRequestMessage Declarative(Spec spec, Step step, Dictionary<string, string> values, Guid requestId, bool literalUrl = false)
    {
        string Fill(string template)
        {
            var text = values.Aggregate(template, (t, v) => t.Replace(v.Key, v.Value, StringComparison.Ordinal));
            foreach (var (name, value) in options.Value.ConnectorSecrets) text = text.Replace("{secret:" + name + "}", value, StringComparison.Ordinal);
            return text;
        }
        var request = new HttpRequestMessage(new HttpMethod(step.Method ?? "POST"), literalUrl ? step.Url! : Fill(step.Url!));
        request.Options.Set(RequestIdKey, requestId.ToString());
        if (step.Body is not null) request.Content = new StringContent(Fill(step.Body), Encoding.UTF8, "application/json");
        foreach (var (name, value) in (spec.Headers ?? []).Concat(step.Headers ?? []))
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) request.Headers.Authorization = AuthenticationHeaderValue.Parse(Fill(value));
            else request.Headers.TryAddWithoutValidation(name, Fill(value));
        return request;
    }

    /// <summary>Mailchimp names a member by the MD5 of its lower-cased email: an identifier its API requires, not a protection.</summary>
#pragma warning disable CA5351
    private static string SubscriberHash(string email) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
#pragma warning restore CA5351

    /// <summary>The value at a dot-separated path ("data.0.id") of a JSON answer, as text; null if absent.</summary>
    private static string? JsonPath(string text, string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return At(doc.RootElement, path) is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array) } at ? Truncate(at.ToString(), 200) : null;
        }
        catch (JsonException) { return null; }
    }

    private static JsonElement? At(JsonElement at, string path)
    {
        foreach (var part in path.Split('.'))
            if (at.ValueKind == JsonValueKind.Object && at.TryGetProperty(part, out var child)) at = child;
            else if (at.ValueKind == JsonValueKind.Array && int.TryParse(part, CultureInfo.InvariantCulture, out var i) && i < at.GetArrayLength()) at = at[i];
            else return null;
        return at;
    }

    private static string Truncate(string text, int max) => text.Length > max ? text[..max] : text;
}
