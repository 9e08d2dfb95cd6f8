using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Agreements;

/// <summary>
/// Which version of a document binds a client on a date (P-46, P-48, G-01, G-50), and the client's history of
/// versions, notices and acceptances. The rule lives here only: a version binds from its effective date once the
/// client has accepted it (or from the acceptance, when later); a law-driven version binds every notified client at
/// its effective date. Under a signed-DPA policy only a signed record forms the DPA. The latest binding version wins.
/// </summary>
public sealed class AgreementBindings(StewardDb db, IOptions<AgreementOptions> options)
{
    public sealed record Binding(string Document, string Version, string Title, DateTimeOffset Since, string Basis, string Url);
    public sealed record VersionView(string Version, string Title, DateTimeOffset EffectiveFrom, bool LawDriven, string? Rationale,
        DateTimeOffset? NoticeSentAt, DateTimeOffset? NoticeReceivedAt, DateTimeOffset? AcceptedAt, string? Method, string Url, string? AcceptedBy = null);
    public sealed record DocumentView(string Document, Binding? BindingNow, List<VersionView> Versions);

    private sealed record History(List<Agreement> Versions, List<Acceptance> Acceptances, List<AgreementNotice> Notices);

    public async Task<Binding?> OnAsync(Guid clientId, string document, DateTimeOffset at, CancellationToken ct) =>
        Binds(await HistoryAsync(clientId, ct), document, at);

    public async Task<List<DocumentView>> ForClientAsync(Guid clientId, DateTimeOffset now, CancellationToken ct)
    {
        var history = await HistoryAsync(clientId, ct);
        var messageIds = history.Notices.Select(n => n.MessageId).ToList();
        var delivered = await db.OutboxMessages.AsNoTracking().Where(m => messageIds.Contains(m.Id) && m.DeliveredAt != null)
            .Select(m => new { m.Id, m.DeliveredAt }).ToDictionaryAsync(m => m.Id, m => m.DeliveredAt, ct);
        return history.Versions.GroupBy(a => a.Document).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new DocumentView(g.Key, Binds(history, g.Key, now),
            g.OrderBy(a => a.EffectiveFrom).ThenBy(a => a.PublishedAt).Select(a =>
            {
                var notices = history.Notices.Where(n => n.AgreementId == a.Id).ToList();
                var accepted = history.Acceptances.Where(x => x.AgreementId == a.Id).OrderBy(x => x.AcceptedAt).FirstOrDefault();
                return new VersionView(a.Version, a.Title, a.EffectiveFrom, a.LawDriven, a.Rationale,
                    notices.Count == 0 ? null : notices.Min(n => n.SentAt),
                    notices.Select(n => delivered.GetValueOrDefault(n.MessageId)).Where(d => d is not null).Min(),
                    accepted?.AcceptedAt, accepted?.Method, Url(a), accepted?.Evidence);
            }).ToList())).ToList();
    }

    /// <summary>Client ids that no version of the document binds on the date (P-46: each client has one DPA in force).</summary>
    public async Task<List<Guid>> UnboundAsync(string document, DateTimeOffset at, CancellationToken ct)
    {
        var unbound = new List<Guid>();
        foreach (var clientId in await db.Clients.AsNoTracking().Select(c => c.Id).ToListAsync(ct))
            if (Binds(await HistoryAsync(clientId, ct), document, at) is null) unbound.Add(clientId);
        return unbound;
    }

    private async Task<History> HistoryAsync(Guid clientId, CancellationToken ct) => new(
        await db.Agreements.AsNoTracking().ToListAsync(ct),
        await db.Acceptances.IgnoreQueryFilters().AsNoTracking().Where(a => a.ClientId == clientId).ToListAsync(ct),
        await db.Set<AgreementNotice>().IgnoreQueryFilters().AsNoTracking().Where(n => n.ClientId == clientId).ToListAsync(ct));

    private Binding? Binds(History history, string document, DateTimeOffset at)
    {
        var signedOnly = options.Value.SignedDpa && document == "dpa";
        foreach (var version in history.Versions.Where(a => a.Document == document && a.EffectiveFrom <= at)
                     .OrderByDescending(a => a.EffectiveFrom).ThenByDescending(a => a.PublishedAt))
        {
            var accepted = history.Acceptances
                .Where(x => x.AgreementId == version.Id && (!signedOnly || x.Method is Acceptance.SignedCopy or Acceptance.ESignature))
                .Select(x => (Since: x.AcceptedAt > version.EffectiveFrom ? x.AcceptedAt : version.EffectiveFrom, Basis: x.Method))
                .Where(x => x.Since <= at).OrderBy(x => x.Since).FirstOrDefault();
            if (accepted.Basis is not null) return new Binding(document, version.Version, version.Title, accepted.Since, accepted.Basis, Url(version));
            if (version.LawDriven && history.Notices.Any(n => n.AgreementId == version.Id && n.SentAt <= at))
                return new Binding(document, version.Version, version.Title, version.EffectiveFrom, "law-driven change, notified", Url(version));
        }
        return null;
    }

    public static string Url(Agreement a) => $"/v1/agreements/{a.Document}/{Uri.EscapeDataString(a.Version)}";
}
