using System.Text;
using Microsoft.EntityFrameworkCore;
using Steward.Crypto;
using Steward.Data;
using Steward.Notifications;

namespace Steward.Dpo;

/// <summary>Written communication to a controller (G-24): mail to the client's owners through the outbox, in the caller's unit of work.</summary>
public sealed class ControllerMail(KeyVault vault, Notifier notifier)
{
    public async Task<int> SendAsync(StewardDb db, Guid clientId, string kind, string subject, string body, CancellationToken ct) =>
        (await SendToOwnersAsync(db, clientId, kind, subject, body, ct)).Count;

    /// <returns>The outbox message ids: their delivery is the client's receipt.</returns>
    public async Task<List<Guid>> SendToOwnersAsync(StewardDb db, Guid clientId, string kind, string subject, string body, CancellationToken ct)
    {
        var sent = new List<Guid>();
        foreach (var to in await OwnerAddressesAsync(db, clientId, ct))
            sent.Add(await notifier.EnqueueAsync(db, new Notifier.Message(kind, clientId, to, subject, body), ct));
        return sent;
    }

    /// <summary>The client's owners' addresses, read while their keys exist (a destruction keeps them to confirm it, P-47).</summary>
    public async Task<List<string>> OwnerAddressesAsync(StewardDb db, Guid clientId, CancellationToken ct)
    {
        var owners = await db.ClientUsers.IgnoreQueryFilters().AsNoTracking()
            .Where(u => u.ClientId == clientId && u.Role == "owner" && u.RemovedAt == null).ToListAsync(ct);
        var addresses = new List<string>();
        foreach (var owner in owners)
        {
            using var key = await vault.OpenAsync(clientId, owner.Id, ct);
            if (key is null) continue; // shredded: nobody left to write to
            addresses.Add(Encoding.UTF8.GetString(key.Open("email", owner.EmailSealed)));
        }
        return addresses;
    }

    /// <summary>To the processor's own people (DPO, CEO).</summary>
    public async Task SendStaffAsync(StewardDb db, IEnumerable<string> recipients, string kind, Guid? clientId, string subject, string body, CancellationToken ct)
    {
        foreach (var to in recipients)
            await notifier.EnqueueAsync(db, new Notifier.Message(kind, clientId, to, subject, body), ct);
    }
}
