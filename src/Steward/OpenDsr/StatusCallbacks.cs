using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;
using Steward.Requests;

namespace Steward.OpenDsr;

/// <summary>
/// The bodies of OpenDSR responses and callbacks, built from what is stored so that a replay gives the same bytes;
/// and the callbacks of a status change, one per URL, into the callback outbox inside the caller's write scope.
/// </summary>
public static class StatusCallbacks
{
    public static string ExpectedCompletion(SubjectRequest r) =>
        OpenDsrWire.Time(new DateTimeOffset(r.DueOn.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero));

    /// <summary>The 201 answer to a request (OpenDSR 7.3).</summary>
    public static byte[] Created(SubjectRequest r, OpenDsrRequest o, DataKey key) => OpenDsrWire.Bytes(new JsonObject
    {
        ["controller_id"] = r.ClientId.ToString(),
        ["expected_completion_time"] = ExpectedCompletion(r),
        ["received_time"] = OpenDsrWire.Time(o.ReceivedAt),
        ["encoded_request"] = Convert.ToBase64String(key.Open("opendsr.request", o.RequestSealed)),
        ["subject_request_id"] = o.SubjectRequestId.ToString(),
    });

    /// <summary>The status of a request (OpenDSR 8.3), and, with a URL, the body of its callback to that URL (8.6).</summary>
    public static JsonObject Status(SubjectRequest r, OpenDsrRequest o, DataKey key, string? callbackUrl = null)
    {
        var body = new JsonObject
        {
            ["controller_id"] = r.ClientId.ToString(),
            ["expected_completion_time"] = ExpectedCompletion(r),
        };
        if (callbackUrl is not null) body["status_callback_url"] = callbackUrl;
        body["subject_request_id"] = o.SubjectRequestId.ToString();
        body["request_status"] = OpenDsrProtocol.Status(r.Status);
        body["api_version"] = OpenDsrProtocol.Version.Of(o.ApiVersion).ApiVersion;
        if (key.OpenString("opendsr.results", o.ResultsUrlSealed) is { } results) body["results_url"] = results;
        if (o.ResultsCount is { } count) body["results_count"] = count;
        return body;
    }

    public static List<string> CallbackUrls(OpenDsrRequest o, DataKey key) =>
        key.OpenString("opendsr.callbacks", o.CallbackUrlsSealed) is { } json ? JsonSerializer.Deserialize<List<string>>(json)! : [];

    /// <summary>One callback per URL for the request's current status, to send at once.</summary>
    public static async Task EnqueueAsync(StewardDb db, KeyVault vault, SubjectRequest r, DateTimeOffset now, CancellationToken ct)
    {
        var o = await db.OpenDsrRequests.IgnoreQueryFilters().SingleOrDefaultAsync(x => x.Id == r.Id && x.ClientId == r.ClientId, ct);
        if (o is null) return;
        using var key = await vault.OpenAsync(r.ClientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        foreach (var url in CallbackUrls(o, key))
            db.OpenDsrCallbacks.Add(new OpenDsrCallback
            {
                Id = Guid.CreateVersion7(),
                ClientId = r.ClientId,
                RequestId = r.Id,
                RequestStatus = OpenDsrProtocol.Status(r.Status),
                UrlSealed = key.Seal("opendsr.callback.url", url)!,
                BodySealed = key.Seal("opendsr.callback.body", OpenDsrWire.Bytes(Status(r, o, key, url))),
                CreatedAt = now,
                NextAttemptAt = now,
            });
    }
}
