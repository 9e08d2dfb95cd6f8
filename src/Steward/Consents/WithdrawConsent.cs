using Microsoft.EntityFrameworkCore;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Consents;

/// <summary>Withdraws one consent through its signed link: a new event; the grant it ends stays in the history.</summary>
public sealed class WithdrawConsent(StewardDb db, KeyVault vault, WithdrawalLinks links, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Response(string Purpose, string State, DateTimeOffset At);

    public async Task<Result<Response>> HandleAsync(string? token, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var claim = await links.ReadAsync(token, ct);
        if (claim is null) return Errors.NotFound("withdrawal link");
        db.TenantId = claim.ClientId;
        actor.ActorType = "public";
        actor.ClientId = claim.ClientId;

        await using var write = await db.BeginWriteAsync(ct);
        // the same link clicked twice at once: the second waits for the first and finds it withdrawn (one event)
        await db.LockContactAsync(claim.ContactId, ct);
        var last = await db.ConsentEvents.Where(e => e.ContactId == claim.ContactId && e.Purpose == claim.Purpose)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).FirstOrDefaultAsync(ct);
        using var key = await vault.OpenAsync(claim.ClientId, claim.ContactId, ct);
        if (last is null || key is null) return Errors.Gone("This consent no longer exists: the contact was erased.");
        if (last.Kind == ConsentEvent.Withdrawn) return new Response(claim.Purpose, ConsentEvent.Withdrawn, last.At);

        var now = clock.GetUtcNow();
        db.ConsentEvents.Add(new ConsentEvent
        {
            Id = Guid.CreateVersion7(),
            ClientId = claim.ClientId,
            ContactId = claim.ContactId,
            Purpose = claim.Purpose,
            Kind = ConsentEvent.Withdrawn,
            Method = "link",
            WidgetId = last.WidgetId,
            WidgetVersion = last.WidgetVersion,
            TextSha256 = last.TextSha256,
            At = now,
            IpAddressSealed = key.Seal("consent.ip", ipAddress),
            UserAgentSealed = key.Seal("consent.userAgent", userAgent),
        });
        await audit.RecordAsync(db, "WithdrawConsent", "contact", claim.ContactId.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(claim.Purpose, ConsentEvent.Withdrawn, now);
    }
}
