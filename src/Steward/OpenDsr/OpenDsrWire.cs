using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Steward.Clients;
using Steward.Crypto;
using Steward.Http;

namespace Steward.OpenDsr;

/// <summary>An OpenDSR error: its HTTP status and a reason code; the message names fields, never an identity.</summary>
public sealed record OpenDsrError(int Status, string Message, string Reason, string Domain = "Validation") : Error("opendsr", Message);

/// <summary>The wire format: request parsing and checks, and the JSON bodies Steward answers with.</summary>
public static partial class OpenDsrWire
{
    public sealed record Identity(string Type, string Format, string Value);

    public sealed record Parsed(string Regulation, Guid SubjectRequestId, string Type, DateTimeOffset SubmittedTime, List<Identity> Identities,
        List<string> CallbackUrls);

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Bytes(JsonObject body) => JsonSerializer.SerializeToUtf8Bytes(body, Relaxed);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static byte[] ErrorBody(OpenDsrError error) => Bytes(new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = error.Status,
            ["message"] = error.Message,
            ["errors"] = new JsonArray(new JsonObject { ["domain"] = error.Domain, ["reason"] = error.Reason, ["message"] = error.Message }),
        },
    });

    /// <summary>Reads and checks a request body. Identities are normalised (emails lower-case, hashes lower-case hex).</summary>
    public static Result<Parsed> Parse(byte[] body, OpenDsrProtocol.Version version, OpenDsrOptions options, DateTimeOffset now)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Invalid("The body is not valid JSON.", "InvalidJson");
        }
        if (root.ValueKind != JsonValueKind.Object) return Invalid("The body must be a JSON object.", "InvalidJson");
        if (!Decodes(root)) return Invalid("The body is not valid JSON: a string is not valid Unicode (a lone surrogate).", "InvalidJson");

        var regulation = String(root, "regulation");
        if (regulation is null && version == OpenDsrProtocol.Version.V1) regulation = "gdpr"; // OpenGDPR: the regulation is implied
        if (regulation is null) return Invalid("regulation field is required (gdpr or ccpa).", "MissingField");
        if (!OpenDsrProtocol.Regulations.Contains(regulation)) return Invalid("regulation must be gdpr or ccpa.", "UnsupportedRegulation");

        var id = String(root, "subject_request_id");
        if (id is null) return Invalid("subject_request_id field is required.", "MissingField");
        if (!UuidV4().IsMatch(id)) return Invalid("subject_request_id must be a lowercase UUID v4.", "InvalidSubjectRequestId");

        var type = String(root, "subject_request_type");
        if (type is null) return Invalid("subject_request_type field is required.", "MissingField");
        if (!OpenDsrProtocol.Types.Contains(type)) return Invalid("subject_request_type must be access, portability or erasure.", "UnsupportedRequestType");

        var submitted = String(root, "submitted_time");
        if (submitted is null) return Invalid("submitted_time field is required.", "MissingField");
        if (!Rfc3339().IsMatch(submitted) || !DateTimeOffset.TryParse(submitted, CultureInfo.InvariantCulture, DateTimeStyles.None, out var submittedTime))
            return Invalid("submitted_time must be an RFC 3339 date and time.", "InvalidSubmittedTime");
        if (submittedTime > now.AddMinutes(5) || submittedTime < now.AddYears(-1))
            return Invalid("submitted_time must not be in the future, nor over a year ago.", "InvalidSubmittedTime");

        var identities = new List<Identity>();
        if (!root.TryGetProperty("subject_identities", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            return Invalid("subject_identities must name at least one identity.", "MissingField");
        if (list.GetArrayLength() > 20) return Invalid("subject_identities may name at most 20 identities.", "TooManyIdentities");
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || String(item, "identity_type") is not { } itype || String(item, "identity_format") is not { } format
                || String(item, "identity_value") is not { } value)
                return Invalid("each subject identity needs identity_type, identity_value and identity_format.", "InvalidIdentity");
            if (!OpenDsrProtocol.Identities.Contains((itype, format)))
                return Invalid("an identity's type and format are not supported: see the discovery document.", "UnsupportedIdentity");
            var normalised = (itype, format) switch
            {
                ("email", "raw") when SignUp.IsEmail(value) => BlindIndex.NormalizeEmail(value),
                ("email", "sha256") when Sha256Hex().IsMatch(value) => value.ToLowerInvariant(),
                ("controller_customer_id", "raw") when value.Length is > 0 and <= 200 => value.Trim(),
                _ => null,
            };
            if (normalised is null) return Invalid($"an identity of type {itype} and format {format} has a value that is not well formed.", "InvalidIdentity");
            identities.Add(new Identity(itype, format, normalised));
        }

        var callbacks = new List<string>();
        if (root.TryGetProperty("status_callback_urls", out var urls) && urls.ValueKind != JsonValueKind.Null)
        {
            if (urls.ValueKind != JsonValueKind.Array || urls.GetArrayLength() > 10) return Invalid("status_callback_urls must be an array of at most 10 URLs.", "InvalidCallbackUrl");
            foreach (var url in urls.EnumerateArray())
            {
                if (url.ValueKind != JsonValueKind.String || !CallbackGuard.IsAllowed(url.GetString()!, options.AllowInsecureCallbacks))
                    return Invalid("each status callback URL must be an absolute https URL to a public host.", "InvalidCallbackUrl");
                callbacks.Add(url.GetString()!);
            }
        }
        if (root.TryGetProperty("extensions", out var extensions) && extensions.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            return Invalid("extensions must be an object keyed by processor domain.", "InvalidExtensions");
        return new Parsed(regulation, Guid.Parse(id), type, submittedTime, identities, callbacks.Distinct(StringComparer.Ordinal).ToList());
    }

    private static OpenDsrError Invalid(string message, string reason) => new(400, message, reason);

    /// <summary>
    /// Every name and string of the body reads as text. JSON may escape a lone surrogate (<c>"\ud800"</c>), which is
    /// no text: reading it throws, so it is refused here, as OpenDSR's error, before any field is read.
    /// </summary>
    private static bool Decodes(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.String => element.GetString() is not null,
                JsonValueKind.Object => element.EnumerateObject().All(p => p.Name is not null && Decodes(p.Value)),
                JsonValueKind.Array => element.EnumerateArray().All(Decodes),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}

/// <summary>
/// Where callbacks may go (API7:2023, SSRF): absolute https URLs without credentials, to hosts that resolve to public
/// addresses only — checked on the URL, and again on the address each connection actually uses. No redirects.
/// </summary>
public static class CallbackGuard
{
    public static bool IsAllowed(string url, bool allowInsecure)
    {
        if (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        if (uri.Scheme != Uri.UriSchemeHttps && !(allowInsecure && uri.Scheme == Uri.UriSchemeHttp)) return false;
        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment)) return false;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && !allowInsecure && !IsPublic(literal)) return false;
        return allowInsecure || !uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 || b[0] >= 224 || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && b[1] is >= 64 and <= 127));
        }
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal);
    }

    /// <summary>A connection callback that refuses non-public addresses unless insecure callbacks are allowed.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(bool allowInsecure) => async (context, ct) =>
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        var address = addresses.FirstOrDefault(a => allowInsecure || IsPublic(a))
            ?? throw new HttpRequestException("The callback host does not resolve to a public address.");
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
