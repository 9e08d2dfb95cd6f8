using Microsoft.EntityFrameworkCore;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Widgets;

namespace Steward.Consents;

/// <summary>A contact's consent history with its proof (Art. 7(1)): what was shown, when, from where, how.</summary>
public sealed class ConsentHistory(StewardDb db, KeyVault vault, RestrictedReads restricted, ConsentReceipts receipts)
{
    /// <summary>The history as the client reads it: a restricted contact only with a recorded reason (Art. 18(2)).</summary>
    public async Task<Result<List<Proof>>> ReadAsync(Guid clientId, Guid contactId, string? reason, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return Errors.NotFound("contact");
        if (await restricted.CheckAsync(contact, reason, "GetConsents", ct) is { } refused) return refused;
        return await HandleAsync(clientId, contactId, ct);
    }

    public sealed record Proof(Guid Id, string Purpose, string Kind, string Method, DateTimeOffset At, Guid? WidgetId,
        int? WidgetVersion, string? Text, string? TextSha256, string? IpAddress, string? UserAgent, string? Evidence, string? ReceiptUrl);

    public async Task<Result<List<Proof>>> HandleAsync(Guid clientId, Guid contactId, CancellationToken ct)
    {
        if (!await db.Contacts.AnyAsync(c => c.Id == contactId, ct)) return Errors.NotFound("contact");
        using var key = await vault.OpenAsync(clientId, contactId, ct);
        if (key is null) return Errors.NotFound("contact");
        return (await ManyAsync(clientId, new Dictionary<Guid, DataKey> { [contactId] = key }, ct)).GetValueOrDefault(contactId) ?? [];
    }

    /// <summary>
    /// The histories of many contacts at once (a page of an export): one query for their events and one for the widget
    /// texts, whatever their number. A contact of <paramref name="keys"/> without any event has no entry (most have
    /// none: no empty list made for each).
    /// </summary>
    public async Task<Dictionary<Guid, List<Proof>>> ManyAsync(Guid clientId, IReadOnlyDictionary<Guid, DataKey> keys, CancellationToken ct)
    {
        // one array parameter (json_each, = ANY): EF's default of one parameter an id makes a page's 1,000-parameter
        // statement generated, prepared and bound by name on every call, which cost more than the export's decryption;
        // on SQLite the array's JSON written at once, as EF writes it through a JSON writer with two strings an id
        var ids = keys.Keys.ToList();
        var events = await (db.Database.IsSqlite()
            ? db.ConsentEvents.FromSql($"SELECT * FROM \"ConsentEvents\" WHERE \"ContactId\" IN (SELECT value FROM json_each({SqlStore.SqliteIdArray(ids)}))")
            : db.ConsentEvents.Where(e => EF.Parameter(ids).Contains(e.ContactId))).AsNoTracking().ToListAsync(ct);
        var widgetIds = events.Where(e => e.WidgetId is not null).Select(e => e.WidgetId!.Value).Distinct().ToList();
        var versions = widgetIds.Count == 0 ? []
            : await db.WidgetVersions.AsNoTracking().Where(v => widgetIds.Contains(v.WidgetId)).ToListAsync(ct);
        var texts = versions.SelectMany(v => DefineWidget.Purposes(v).Select(p => (v.WidgetId, v.Version, p.Key, p.Text)))
            .ToDictionary(t => (t.WidgetId, t.Version, t.Key), t => t.Text);
        var proofs = new Dictionary<Guid, List<Proof>>();
        foreach (var e in events.OrderBy(e => e.At).ThenBy(e => e.Id))
        {
            var key = keys[e.ContactId];
            if (!proofs.TryGetValue(e.ContactId, out var list)) proofs[e.ContactId] = list = [];
            list.Add(new Proof(e.Id, e.Purpose, e.Kind, e.Method, e.At, e.WidgetId, e.WidgetVersion,
                e.WidgetId is { } w && e.WidgetVersion is { } v ? texts.GetValueOrDefault((w, v, e.Purpose)) : null,
                e.TextSha256, key.OpenString("consent.ip", e.IpAddressSealed), key.OpenString("consent.userAgent", e.UserAgentSealed), e.Evidence,
                e.Kind == ConsentEvent.Given ? await receipts.UrlAsync(clientId, e.Id, ct) : null));
        }
        return proofs;
    }
}
