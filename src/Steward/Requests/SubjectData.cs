using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Consents;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.SubProcessors;

namespace Steward.Requests;

/// <summary>
/// Everything held about one contact, in every store (P-02, Art. 15): its fields and custom fields, every consent
/// with its proof and receipt, the subject requests about it, the access packages made for it, its restrictions and
/// the reasons given to read it while restricted, whether it is on the suppression list, and the audit events about
/// it — with the Art. 15(1) information. One builder, for the access package and for the client's search.
/// </summary>
public sealed class SubjectData(StewardDb db, KeyVault vault, ConsentHistory consents, IOptions<RequestOptions> options, TransferGate gate)
{
    /// <summary>The subject's data (null when nothing is held) and how many records they make.</summary>
    public async Task<(JsonObject Data, int Records)> BuildAsync(Guid clientId, Guid? contactId, CancellationToken ct)
    {
        var clientName = await db.Clients.Where(c => c.Id == clientId).Select(c => c.Name).SingleAsync(ct);
        var contact = contactId is { } id ? await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) : null;
        var recipients = (await PropagationTask.RecipientsAsync(db, gate, options.Value, clientId, ct)).All;
        using var key = contact is null ? null : await vault.OpenAsync(clientId, contact.Id, ct);
        if (contact is null || key is null)
            return (new JsonObject { ["subject"] = null, ["information"] = AccessPackage.Information(clientName, [], [], null, recipients) }, 0);

        var view = ContactFields.Open(contact, key);
        var fields = AccessPackage.ToNode(view).AsObject();
        var proofs = (await consents.HandleAsync(clientId, contact.Id, ct)).Value ?? [];
        var requests = await db.SubjectRequests.AsNoTracking().Where(x => x.ContactId == contact.Id).OrderBy(x => x.ReceivedAt)
            .Select(x => new { x.Id, x.Type, x.Status, x.Source, x.ReceivedAt, x.DueOn, x.ClosedAt }).ToListAsync(ct);
        var exports = await db.RequestExports.AsNoTracking().Where(e => e.ContactId == contact.Id).OrderBy(e => e.CreatedAt)
            .Select(e => new { e.Id, e.RequestId, e.Format, e.Copy, e.Records, e.CreatedAt, e.ExpiresAt, e.DownloadedAt }).ToListAsync(ct);
        var restrictions = await db.ContactRestrictions.AsNoTracking().Where(r => r.ContactId == contact.Id).OrderBy(r => r.StartedAt)
            .Select(r => new { r.Ground, r.RequestId, r.StartedAt, r.LiftNoticeAt, r.LiftableAt, r.LiftedAt }).ToListAsync(ct);
        var reads = (await db.RestrictedReads.AsNoTracking().Where(r => r.ContactId == contact.Id).OrderBy(r => r.At).ToListAsync(ct))
            .Select(r => new { r.At, r.Action, r.ActorType, r.ActorId, Reason = key.OpenString("restrictedRead.reason", r.ReasonSealed) }).ToList();
        var (email, phone) = (contact.EmailIndex, contact.PhoneIndex);
        var suppressedSince = await db.Suppressions.AsNoTracking()
            .Where(s => (email != null && s.Kind == Suppression.Email && s.Index == email) || (phone != null && s.Kind == Suppression.Phone && s.Index == phone))
            .OrderBy(s => s.At).Select(s => (DateTimeOffset?)s.At).FirstOrDefaultAsync(ct);
        var contactKey = contact.Id.ToString();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.ClientId == clientId && e.ResourceId == contactKey).OrderBy(e => e.Seq)
            .Select(e => new { e.At, e.Action, e.ActorType, e.Outcome }).ToListAsync(ct);

        var categories = fields.Where(f => f.Value is JsonValue && f.Key is not ("id" or "source" or "createdAt" or "updatedAt" or "restrictedAt")).Select(f => f.Key)
            .Concat(view.Custom.Keys.Select(k => "custom." + k)).ToList();
        var data = new JsonObject
        {
            ["subject"] = fields,
            ["consents"] = AccessPackage.ToNode(proofs),
            ["requests"] = AccessPackage.ToNode(requests),
            ["accessPackages"] = AccessPackage.ToNode(exports),
            ["restrictions"] = AccessPackage.ToNode(restrictions),
            ["restrictedReads"] = AccessPackage.ToNode(reads),
            ["suppression"] = new JsonObject
            {
                ["listed"] = suppressedSince is not null,
                ["since"] = suppressedSince,
                ["meaning"] = suppressedSince is null
                    ? "You are not on the suppression list: you have not objected to marketing."
                    : "You objected to marketing: no marketing consent is recorded for you again unless you confirm a fresh one.",
            },
            ["auditEvents"] = AccessPackage.ToNode(events),
            ["information"] = AccessPackage.Information(clientName,
                proofs.Where(p => p.Kind == ConsentEvent.Given).Select(p => p.Text ?? p.Purpose).Distinct(), categories, contact.Source, recipients),
        };
        return (data, 1 + proofs.Count + requests.Count + exports.Count + restrictions.Count + reads.Count + events.Count);
    }
}
