using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Agreements;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The client's legal documents over time: each version with its notice, receipt and this client's acceptance, and the
/// version binding now (<see cref="AgreementBindings.ForClientAsync"/>, as GET …/agreements); a pending version is
/// accepted actively through <see cref="AcceptAgreement"/>, as POST …/agreements/{document}/{version}/accept.
/// </summary>
public sealed class AgreementsModel(AgreementBindings bindings, AcceptAgreement accept, TimeProvider clock) : PortalPage
{
    public List<AgreementBindings.DocumentView> Documents { get; private set; } = [];
    public bool MayAccept => May(Rights.Modify);
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        Documents = await bindings.ForClientAsync(Caller.ClientId, clock.GetUtcNow(), ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAcceptAsync(string? document, string? version, bool accepted, CancellationToken ct)
    {
        if (!MayAccept) return RefuseRight();
        var userAgent = Request.Headers.UserAgent.ToString();
        var result = await accept.HandleAsync(Caller.ClientId, document ?? "", version ?? "", new AcceptAgreement.Request(accepted),
            HttpContext.Connection.RemoteIpAddress?.ToString(), userAgent.Length > 512 ? userAgent[..512] : userAgent, ct);
        if (result.Error is { } error) ToModelState(error);
        else Message = $"You accepted {result.Value!.Document} {result.Value.Version}.";
        Documents = await bindings.ForClientAsync(Caller.ClientId, clock.GetUtcNow(), ct);
        return Page();
    }

    /// <summary>Who accepted, from the acceptance's evidence ("client-user:…", "api-key:…").</summary>
    public string Who(string evidence) => evidence switch
    {
        _ when evidence == $"client-user:{Caller.UserId}" => "you",
        _ when evidence.StartsWith("client-user:", StringComparison.Ordinal) => "team member " + evidence["client-user:".Length..],
        _ when evidence.StartsWith("api-key:", StringComparison.Ordinal) => "API key " + evidence["api-key:".Length..],
        _ => evidence,
    };

    /// <summary>A version the client may still accept: not accepted yet, and not one that binds by law alone.</summary>
    public static bool Pending(AgreementBindings.VersionView v) => v.AcceptedAt is null && !v.LawDriven;
}
