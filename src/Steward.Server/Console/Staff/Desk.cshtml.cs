using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Dpo;

namespace Steward.Server.Console.Staff;

/// <summary>The DPO's desk (<see cref="Dpo.Desk"/>), and the approval of a pending grant from it (<see cref="ApproveGrant"/>).</summary>
public sealed class DeskModel(Desk desk, ApproveGrant approve) : ConsolePage
{
    public Desk.View View { get; private set; } = null!;
    public string? Message { get; private set; }
    public bool CanApprove => Can(Permissions.ApproveGrant);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.Compliance)) return Refuse();
        View = await desk.HandleAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostApproveAsync(Guid grantId, CancellationToken ct)
    {
        if (!Can(Permissions.Compliance) || !CanApprove) return Refuse();
        var result = await approve.HandleAsync(Staff!, grantId, ct);
        if (result.Error is { } error) ToModelState(error);
        else Message = result.Value!.Status == "active" ? "Grant approved: it is now active." : "Grant approved: it awaits the other approval.";
        View = await desk.HandleAsync(ct);
        return Page();
    }

    /// <summary>Whether this person's approval is the one a grant still needs.</summary>
    public bool AwaitsMe(GrantView grant) => Staff is { } me && grant.AwaitsApprovalOf(me);
}
