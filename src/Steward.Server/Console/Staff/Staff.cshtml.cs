using Microsoft.AspNetCore.Mvc;
using Steward.Access;
using Steward.Measures;

namespace Steward.Server.Console.Staff;

/// <summary>
/// Staff and access grants: every account with its role and second factor (<see cref="AccessReview"/>, as GET
/// /v1/processor/access-review), every grant with its CEO and DPO approvals (<see cref="ListGrants"/>), approved
/// (<see cref="ApproveGrant"/>) and revoked (<see cref="RevokeGrant"/>) as through /v1/access-grants. The API asks no
/// second factor again for either, so neither does the page: the session was opened with one.
/// </summary>
public sealed class StaffModel(AccessReview review, ListGrants list, ApproveGrant approve, RevokeGrant revoke) : ConsolePage
{
    public AccessReview.Report? People { get; private set; }
    public List<GrantView> Grants { get; private set; } = [];
    public string? Message { get; private set; }
    public bool CanApprove => Can(Permissions.ApproveGrant);
    public bool CanRevoke => Can(Permissions.RevokeGrant);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Can(Permissions.ReadGrants)) return Refuse();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostApproveAsync(Guid grantId, CancellationToken ct)
    {
        if (!Can(Permissions.ReadGrants) || !CanApprove) return Refuse();
        var result = await approve.HandleAsync(Staff!, grantId, ct);
        if (result.Error is { } error) ToModelState(error);
        else Message = result.Value!.Status == "active" ? "Grant approved: it is now active." : "Grant approved: it awaits the other approval.";
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid grantId, CancellationToken ct)
    {
        if (!Can(Permissions.ReadGrants) || !CanRevoke) return Refuse();
        var result = await revoke.HandleAsync(Staff!, grantId, ct);
        if (result.Error is { } error) ToModelState(error);
        else Message = "Grant revoked: it stops working on the next request.";
        await LoadAsync(ct);
        return Page();
    }

    public string RoleOf(Guid staffId) => People?.Accounts.FirstOrDefault(a => a.StaffId == staffId)?.Role ?? "";

    public bool AwaitsMe(GrantView grant) => Staff is { } me && grant.AwaitsApprovalOf(me);

    private async Task LoadAsync(CancellationToken ct)
    {
        // the staff list is the access review of the compliance desk; the grants are the governance's (both the CEO's and the DPO's)
        if (Can(Permissions.Compliance)) People = await review.HandleAsync(ct);
        Grants = await list.HandleAsync(null, ct);
    }
}
