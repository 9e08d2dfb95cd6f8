using Steward.Requests;

namespace Steward.OpenDsr;

/// <summary>
/// The OpenDSR (formerly OpenGDPR) processor API: controllers' systems (mParticle, AppsFlyer, Braze, …) send access,
/// portability and erasure requests to Steward, which answers with signed responses and signed status callbacks.
/// Two route sets share one handler: v2 (<c>/v2/requests</c>, <c>X-OpenDSR-*</c> headers) and the OpenGDPR v1 names
/// (<c>/v1/opengdpr_requests</c>, <c>X-OpenGDPR-*</c>), which the specification asks processors to keep honouring.
/// </summary>
public static class OpenDsrProtocol
{
    /// <summary>The <see cref="SubjectRequest.Source"/> of a request that came through this API.</summary>
    public const string Source = "opendsr";

    public static readonly IReadOnlyList<string> Types = ["access", "portability", "erasure"];
    public static readonly IReadOnlyList<string> Regulations = ["gdpr", "ccpa"];

    /// <summary>The identity types and formats Steward can match (OpenDSR 5.1–5.2).</summary>
    public static readonly IReadOnlyList<(string Type, string Format)> Identities =
        [("email", "raw"), ("email", "sha256"), ("controller_customer_id", "raw")];

    public const string Pending = "pending";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";

    /// <summary>The OpenDSR status of a request: received and verified are pending; declined reads as cancelled.</summary>
    public static string Status(string status) => status switch
    {
        SubjectRequest.Received or SubjectRequest.Verified => Pending,
        SubjectRequest.InProgress => InProgress,
        SubjectRequest.Completed => Completed,
        _ => Cancelled,
    };

    /// <summary>A route set: its version string and the names of its signature headers.</summary>
    public sealed record Version(string Name, string ApiVersion, string SignatureHeader, string DomainHeader)
    {
        public static readonly Version V2 = new("v2", "2.0", "X-OpenDSR-Signature", "X-OpenDSR-Processor-Domain");
        public static readonly Version V1 = new("v1", "0.1", "X-OpenGDPR-Signature", "X-OpenGDPR-Processor-Domain");

        public static Version Of(string name) => name == V1.Name ? V1 : V2;
    }
}

public sealed class OpenDsrOptions
{
    /// <summary>The domain the API is served on, sent in the processor-domain header; it must match the certificate.</summary>
    public string ProcessorDomain { get; set; } = "localhost";
    /// <summary>Where Steward is reached from outside, for absolute links (the results URL) in responses and callbacks.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";
    /// <summary>
    /// A certificate issued by a trusted authority to <see cref="ProcessorDomain"/>, and its private key (PEM files), as
    /// the specification requires in production. Without them Steward signs with a key of its own in the key vault and
    /// serves a self-signed certificate for it (development and tests).
    /// </summary>
    public string? CertificateFile { get; set; }
    public string? KeyFile { get; set; }
    /// <summary>Callback attempts before one is marked failed; the wait doubles from one minute.</summary>
    public int CallbackMaxAttempts { get; set; } = 8;
    /// <summary>
    /// Let callbacks go over plain HTTP and to loopback or private addresses. Off: only HTTPS to public addresses,
    /// checked again at connection time (API7:2023, SSRF). For tests and closed networks only.
    /// </summary>
    public bool AllowInsecureCallbacks { get; set; }
    public int PollSeconds { get; set; } = 5;
}
