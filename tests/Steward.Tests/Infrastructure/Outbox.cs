using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Steward.Crypto;

namespace Steward.Tests.Infrastructure;

/// <summary>The notification outbox as a reader sees it: each message opened with its own key.</summary>
public static class Outbox
{
    public sealed record Mail(Guid Id, string Kind, Guid? ClientId, string To, string Subject, string Body);

    public static async Task<List<Mail>> ReadAsync(this StewardApp app, string kind)
    {
        var messages = await app.WithDbAsync((db, _) => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == kind)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync());
        var vault = app.Services.GetRequiredService<KeyVault>();
        var mails = new List<Mail>();
        foreach (var m in messages)
        {
            using var key = (await vault.OpenAsync(Guid.Empty, m.Id, default))!;
            mails.Add(new Mail(m.Id, m.Kind, m.ClientId, key.OpenString("to", m.ToSealed)!, key.OpenString("subject", m.SubjectSealed)!,
                key.OpenString("body", m.BodySealed)!));
        }
        return mails;
    }
}
