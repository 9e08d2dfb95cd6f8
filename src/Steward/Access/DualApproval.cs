using Steward.Http;

namespace Steward.Access;

/// <summary>Something that takes effect only with a CEO's and a DPO's approval: a grant (P-16), a destruction (P-26).</summary>
public interface IDualApproval
{
    Guid? CeoApprovedBy { get; set; }
    DateTimeOffset? CeoApprovedAt { get; set; }
    Guid? DpoApprovedBy { get; set; }
    DateTimeOffset? DpoApprovedAt { get; set; }
}

/// <summary>
/// The one rule of dual authorisation (DESIGN §6): a CEO and a DPO each fill the slot of their role, and the two
/// slots are filled by two different people, so one person cannot do it alone, whatever roles they hold.
/// </summary>
public static class DualApproval
{
    /// <returns>Why this approval is refused, or null once it is recorded.</returns>
    public static Error? Approve(IDualApproval item, StaffPrincipal by, DateTimeOffset now, string what)
    {
        switch (by.Role)
        {
            case Roles.Ceo when item.CeoApprovedBy is null:
                if (item.DpoApprovedBy == by.StaffId) return Errors.Forbidden("The two approvals must come from two different people.");
                item.CeoApprovedBy = by.StaffId;
                item.CeoApprovedAt = now;
                return null;
            case Roles.Dpo when item.DpoApprovedBy is null:
                if (item.CeoApprovedBy == by.StaffId) return Errors.Forbidden("The two approvals must come from two different people.");
                item.DpoApprovedBy = by.StaffId;
                item.DpoApprovedAt = now;
                return null;
            case Roles.Ceo or Roles.Dpo:
                return Errors.Conflict($"The {by.Role} approval is already given.");
            default:
                return Errors.Forbidden($"Only a CEO and a DPO approve {what}.");
        }
    }

    public static bool IsComplete(IDualApproval item) => item is { CeoApprovedBy: not null, DpoApprovedBy: not null };
}
