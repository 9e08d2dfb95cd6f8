namespace Steward.OpenDsr;

/// <summary>The OpenDSR / OpenGDPR processor API: requests a controller's system sends to Steward.</summary>
public static class OpenDsrProtocol
{
    /// <summary>The <see cref="Requests.SubjectRequest.Source"/> of a request that came through this API.</summary>
    public const string Source = "opendsr";
}
