using Microsoft.AspNetCore.Mvc;
using Steward.Http;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>Removing a team member asks again, then runs <see cref="ManageTeam.RemoveAsync"/>, as DELETE …/users/{id}.</summary>
public sealed class RemoveMemberModel(ManageTeam team) : ConfirmedActionPage<ManageTeam.Member>
{
    [FromRoute] public Guid UserId { get; set; }
    protected override string Right => ClientRoles.ManageTeam;

    protected override async Task<ManageTeam.Member?> FindAsync(CancellationToken ct) =>
        (await team.ListAsync(Caller.ClientId, ct)).SingleOrDefault(m => m.Id == UserId);

    protected override async Task<Result<ManageTeam.Member>> ActAsync(CancellationToken ct)
    {
        var result = await team.RemoveAsync(Caller, UserId, ct);
        if (result.Error is { } error) return error;
        return Item!;
    }
}
