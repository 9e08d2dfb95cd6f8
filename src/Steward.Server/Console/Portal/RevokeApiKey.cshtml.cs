using Microsoft.AspNetCore.Mvc;
using Steward.Http;
using Steward.Team;

namespace Steward.Server.Console.Portal;

/// <summary>Revoking an API key asks again, then runs <see cref="ManageApiKeys.RevokeAsync"/>, as DELETE …/api-keys/{id}.</summary>
public sealed class RevokeApiKeyModel(ManageApiKeys keys) : ConfirmedActionPage<ManageApiKeys.KeyView>
{
    [FromRoute] public Guid KeyId { get; set; }
    protected override string Right => ClientRoles.ManageTeam;

    protected override async Task<ManageApiKeys.KeyView?> FindAsync(CancellationToken ct) => (await keys.ListAsync(ct)).SingleOrDefault(k => k.Id == KeyId);

    protected override Task<Result<ManageApiKeys.KeyView>> ActAsync(CancellationToken ct) => keys.RevokeAsync(Caller, KeyId, ct);
}
