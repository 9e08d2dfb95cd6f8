using Microsoft.AspNetCore.Mvc;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>
/// The client's team, for owners and admins (<see cref="ClientRoles.ManageTeam"/>, as the API's …/users routes): the
/// people with their role and two-factor, an invitation by mail (<see cref="InviteClientUser"/>) and a role change
/// (<see cref="ManageTeam.ChangeRoleAsync"/>). Removing someone asks again, on its own page (<see cref="RemoveMemberModel"/>).
/// </summary>
public sealed class TeamModel(ManageTeam team, InviteClientUser invite) : PortalPage
{
    public List<ManageTeam.Member> Members { get; private set; } = [];
    [BindProperty] public InviteForm Invite { get; set; } = new();
    public Guid? ChangingRoleOf { get; private set; }
    public string? Message { get; private set; }

    public sealed class InviteForm
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public string? Role { get; set; } = ClientRoles.Member;
    }

    /// <summary>The roles this person may give: only an owner gives the owner role (the use cases say so too).</summary>
    public IEnumerable<string> Roles => ClientRoles.All.Where(r => r != ClientRoles.Owner || Caller.Role == ClientRoles.Owner);

    public IEnumerable<string> RoleErrors(Guid userId) => ChangingRoleOf == userId ? ErrorsFor("").Concat(ErrorsFor("role")) : [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!May(ClientRoles.ManageTeam)) return RefuseRight();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken ct)
    {
        if (!May(ClientRoles.ManageTeam)) return RefuseRight();
        var result = await invite.HandleAsync(Caller, Caller.ClientId, new InviteClientUser.Request(Invite.Name, Invite.Email, Invite.Role), ct);
        if (result.Error is { } error) ToModelState(error);
        else
        {
            Message = $"Invitation sent, as {result.Value!.Role}; the link works until {result.Value.InvitationExpiresAt:yyyy-MM-dd HH:mm} UTC.";
            Invite = new();
            ModelState.Clear();
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRoleAsync(Guid userId, string? role, CancellationToken ct)
    {
        if (!May(ClientRoles.ManageTeam)) return RefuseRight();
        var result = await team.ChangeRoleAsync(Caller, userId, new ManageTeam.ChangeRole(role), ct);
        if (result.Error is { } error)
        {
            ChangingRoleOf = userId;
            ToModelState(error);
        }
        else Message = $"The role is now {result.Value!.Role}.";
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct) => Members = await team.ListAsync(Caller.ClientId, ct);
}
