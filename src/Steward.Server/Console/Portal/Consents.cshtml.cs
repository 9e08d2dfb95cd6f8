using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Consents;
using Steward.Http;

namespace Steward.Server.Console.Portal;

/// <summary>
/// A contact's consent proof (Art. 7(1)): every consent given and withdrawn, with what was shown, from where and how
/// (<see cref="ConsentHistory.ReadAsync"/>, as GET …/contacts/{id}/consents). A restricted contact's is read only with a
/// reason, which is recorded: the reason is posted, not put in the address.
/// </summary>
public sealed class ConsentsModel(ConsentHistory history) : PortalPage
{
    [FromRoute] public Guid ContactId { get; set; }
    public List<ConsentHistory.Proof>? Proofs { get; private set; }
    public bool NeedsReason { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => ReadAsync(null, ct);

    public Task<IActionResult> OnPostAsync(string? reason, CancellationToken ct) => ReadAsync(reason, ct);

    private async Task<IActionResult> ReadAsync(string? reason, CancellationToken ct)
    {
        if (!May(Rights.Read)) return RefuseRight();
        var result = await history.ReadAsync(Caller.ClientId, ContactId, reason, ct);
        if (result.Error is NotFoundError) return NotFound();
        // the API's refusal names its header; here the reason is the form's field
        if (result.Error is ForbiddenError) NeedsReason = true;
        else if (result.Error is { } error) ToModelState(error);
        else Proofs = result.Value;
        return Page();
    }
}
