using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Clients;
using Steward.Consents;
using Steward.Contacts;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Notifications;
using Steward.OpenDsr;
using Steward.SubProcessors;
using Steward.Widgets;

namespace Steward.Requests;

/// <summary>
/// Carries out a verified request, whichever right it is, and closes it with a completion record (ids, names and
/// times, never a personal value):
/// <list type="bullet">
/// <item>access, portability (Arts 15, 20): a package of everything held (<see cref="SubjectData"/>), sealed under its
/// own key, downloadable once through a short-lived signed link; the first copy free, later ones counted; the export
/// alert to the CEO and the DPO (P-25);</item>
/// <item>rectification (Art. 16): the fields change; who and when are kept, not the old values;</item>
/// <item>erasure (Art. 17): crypto-shredding (<see cref="EraseContact"/>) and a certificate of every store cleared;</item>
/// <item>restriction (Art. 18): the contact becomes storage-only (<see cref="Restriction"/>);</item>
/// <item>objection (Art. 21): every marketing consent withdrawn at once, the subject's blind indexes suppressed.</item>
/// </list>
/// Rectification, erasure and restriction give each recipient a propagation task (Art. 19). The subject is told what
/// was done; a request the processor carried out (direct mode, staff) is reported to the client.
/// </summary>
public sealed class FulfilRequest(StewardDb db, KeyVault vault, BlindIndex index, SubjectData subjectData, EraseContact erase, RectifyContact rectify,
    ExportAlert exportAlert, Notifier notifier, RouteRequest route, AuditLog audit, AuditContext actor, IOptions<RequestOptions> options, TransferGate gate,
    AccessAtSubProcessors subProcessorAccess, TimeProvider clock)
{
    /// <summary>The package is a download, never embedded in a page: it keeps "+45" and "client's" readable.</summary>
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="Format">json or csv, for access and portability.</param>
    /// <param name="Changes">For a rectification: the corrections (a contact merge patch); by default those the subject asked for.</param>
    /// <param name="Ground">For a restriction: the Art. 18(1) ground.</param>
    public sealed record Request(string? Format, JsonElement? Changes = null, string? Ground = null);
    public sealed record Package(Guid ExportId, string Format, int Copy, bool Chargeable, int Records, DateTimeOffset ExpiresAt, string DownloadUrl);
    public sealed record Response(ReadRequests.View Request, Package? Package, JsonNode? Certificate);

    public async Task<Result<Response>> HandleAsync(Guid clientId, Guid requestId, Request request, CancellationToken ct)
    {
        var r = await db.SubjectRequests.AsNoTracking().SingleOrDefaultAsync(x => x.Id == requestId, ct);
        if (r is null) return Errors.NotFound("request");
        if (r.Status is not (SubjectRequest.Verified or SubjectRequest.InProgress))
            return Errors.Conflict($"A request that is {r.Status} cannot be carried out: it must be verified first, and not closed.");
        return r.Type switch
        {
            "access" or "portability" => await PackageAsync(clientId, r, request.Format ?? "json", ct),
            "erasure" => await EraseAsync(clientId, r, ct),
            "rectification" => await RectifyAsync(clientId, r, request.Changes, ct),
            "restriction" => await RestrictAsync(clientId, r, request.Ground, ct),
            "objection" => await ObjectAsync(clientId, r, ct),
            _ => Errors.Conflict($"A {r.Type} request cannot be carried out here."),
        };
    }

    private async Task<Result<Response>> PackageAsync(Guid clientId, SubjectRequest r, string format, CancellationToken ct)
    {
        if (format is not ("json" or "csv")) return Errors.Invalid("format", "json or csv.");
        var (data, records) = await subjectData.BuildAsync(clientId, r.ContactId, ct);
        // what each sub-processor that received the person's data holds (Art 15, P-09): in the package; a receipt each in the certificate
        var vendors = data["subject"] is JsonObject { } subject && subject["email"]?.GetValue<string>() is { } email
            ? await subProcessorAccess.AskAsync(clientId, r.Id, email, ct) : [];
        if (vendors.Count > 0) data["subProcessors"] = AccessPackage.ToNode(vendors);
        var package = new JsonObject
        {
            ["generatedAt"] = clock.GetUtcNow(),
            ["request"] = new JsonObject { ["id"] = r.Id, ["type"] = r.Type, ["receivedAt"] = r.ReceivedAt },
        };
        foreach (var (name, node) in data.ToList())
        {
            data.Remove(name);
            package[name] = node;
        }
        var bytes = format == "json" ? JsonSerializer.SerializeToUtf8Bytes(package, Indented) : Encoding.UTF8.GetBytes(AccessPackage.ToCsv(package));

        var now = clock.GetUtcNow();
        var exportId = Guid.CreateVersion7();
        using var exportKey = await vault.CreateAsync(clientId, exportId, ct);
        await using var write = await db.BeginWriteAsync(ct);
        var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == r.Id, ct);
        var copies = await db.RequestExports.CountAsync(e => r.ContactId == null ? e.RequestId == r.Id : e.ContactId == r.ContactId, ct);
        var export = new RequestExport
        {
            Id = exportId,
            ClientId = clientId,
            RequestId = r.Id,
            ContactId = r.ContactId,
            Format = format,
            PackageSealed = exportKey.Seal("package", bytes),
            Copy = copies + 1,
            Records = records,
            CreatedAt = now,
            ExpiresAt = now.AddHours(options.Value.ExportLinkHours),
        };
        db.RequestExports.Add(export);
        var url = "/v1/public/exports/" + await TokenAsync(vault, exportId, ct);
        await exportAlert.RaiseAsync(db, clientId, r.Source == OpenDsrProtocol.Source ? "opendsr-results" : "dsr-package", records, ct);
        var certificate = new JsonObject
        {
            ["request"] = r.Id,
            ["contact"] = r.ContactId,
            ["packagedAt"] = now,
            ["format"] = format,
            ["records"] = records,
            ["copy"] = export.Copy,
            ["chargeable"] = export.Copy > 1,
            ["linkExpiresAt"] = export.ExpiresAt,
            ["subProcessors"] = AccessPackage.ToNode(vendors.Select(v => new { v.SubProcessor, v.Status, v.Pages, v.Items })),
        };
        await CompleteAsync(clientId, tracked, "package-sent", certificate, now,
            $"""
            The copy of your personal data you asked for is ready ({format.ToUpperInvariant()}).
            Download it once, within {options.Value.ExportLinkHours} hours: {url}
            """, "request-package", ct);
        await write.CommitAsync(ct);
        var view = await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct);
        return new Response(view, new Package(exportId, format, export.Copy, export.Copy > 1, records, export.ExpiresAt, url), certificate);
    }

    private async Task<Result<Response>> EraseAsync(Guid clientId, SubjectRequest r, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cleared = new JsonArray();
        // read before the key goes: where to tell the subject, and whether an objection's suppression outlives the erasure
        using (var requestKey = await OpenRequestKeyAsync(clientId, r, ct))
        {
            var subjectEmail = await ChangeRequestStatus.SubjectEmailAsync(db, vault, r, requestKey, ct);
            var contact = r.ContactId is { } contactId ? await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId, ct) : null;
            if (contact is not null)
            {
                var suppressed = await Suppression.IsSuppressedAsync(db, contact.EmailIndex, contact.PhoneIndex, ct);
                var erased = await erase.HandleAsync(clientId, contact.Id, ct);
                if (!erased.IsSuccess) return erased.Error!;
                cleared.Add(new JsonObject { ["store"] = "forget ledger", ["what"] = "the contact's id appended, so no restore brings it back" });
                cleared.Add(new JsonObject { ["store"] = "key vault", ["what"] = "the contact's data key destroyed: every copy, backups included, is unreadable" });
                cleared.Add(new JsonObject { ["store"] = "data", ["what"] = "the contact row, its custom fields, its consent events, its restrictions and the reasons given to read it deleted" });
                cleared.Add(new JsonObject { ["store"] = "access packages", ["what"] = $"{erased.Value!.PackagesShredded} undownloaded package(s): keys destroyed, contents removed" });
                if (suppressed)
                    cleared.Add(new JsonObject { ["store"] = "suppression list", ["what"] = "kept, as a keyed hash of the address only, so the subject's objection is still honoured" });
            }
            await using var write = await db.BeginWriteAsync(ct);
            var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == r.Id, ct);
            var certificate = new JsonObject
            {
                ["request"] = r.Id,
                ["contact"] = r.ContactId,
                ["erasedAt"] = now,
                ["method"] = "crypto-shredding",
                ["storesCleared"] = cleared,
                ["nothingHeld"] = contact is null,
                ["propagation"] = AccessPackage.ToNode(PropagationTask.Add(db, await PropagationTask.RecipientsAsync(db, gate, options.Value, clientId, ct), tracked, "erasure", now)),
                ["restorable"] = false,
            };
            await CompleteAsync(clientId, tracked, "erased", certificate, now, contact is null
                ? "We hold no personal data about you for this company: there was nothing to erase."
                : "The personal data held about you were erased for good. They cannot be restored.", "request-completed", ct, subjectEmail);
            await write.CommitAsync(ct);
            return new Response(await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct), null, certificate);
        }
    }

    private async Task<Result<Response>> RectifyAsync(Guid clientId, SubjectRequest r, JsonElement? given, CancellationToken ct)
    {
        if (r.ContactId is not { } contactId) return NoContact();
        JsonElement changes;
        if (given is { ValueKind: not JsonValueKind.Null } g) changes = g;
        else
        {
            using var requestKey = await OpenRequestKeyAsync(clientId, r, ct);
            if (requestKey.OpenString("changes", r.ChangesSealed) is not { } asked)
                return Errors.Invalid("changes", "Give the corrections (a contact merge patch): the subject named none.");
            changes = JsonDocument.Parse(asked).RootElement.Clone();
        }
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var change = await rectify.ApplyAsync(clientId, contactId, changes, bySubjectRequest: true, ct);
        if (!change.IsSuccess) return change.Error!;
        if (change.Value!.Fields.Count == 0) return Errors.Invalid("changes", "Name at least one field to correct.");
        var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == r.Id, ct);
        var certificate = new JsonObject
        {
            ["request"] = r.Id,
            ["contact"] = contactId,
            ["rectifiedAt"] = now,
            ["by"] = new JsonObject { ["actorType"] = actor.ActorType, ["actorId"] = actor.ActorId },
            ["fieldsChanged"] = AccessPackage.ToNode(change.Value.Fields),
            ["previousValues"] = "not kept",
            ["propagation"] = AccessPackage.ToNode(PropagationTask.Add(db, await PropagationTask.RecipientsAsync(db, gate, options.Value, clientId, ct), tracked, "rectification", now)),
        };
        await audit.RecordAsync(db, "RectifyContact", "contact", contactId.ToString(), ct);
        await CompleteAsync(clientId, tracked, "rectified", certificate, now,
            $"The personal data held about you were corrected ({string.Join(", ", change.Value.Fields)}).", "request-completed", ct);
        await write.CommitAsync(ct);
        return new Response(await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct), null, certificate);
    }

    private async Task<Result<Response>> RestrictAsync(Guid clientId, SubjectRequest r, string? ground, CancellationToken ct)
    {
        ground ??= "subject-request";
        if (!ContactRestriction.Grounds.Contains(ground)) return Errors.Invalid("ground", "One of " + string.Join(", ", ContactRestriction.Grounds) + ".");
        if (r.ContactId is not { } contactId) return NoContact();
        var now = clock.GetUtcNow();
        await using var write = await db.BeginWriteAsync(ct);
        var contact = await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct);
        if (contact is null) return NoContact();
        var since = contact.RestrictedAt ?? now;
        if (contact.RestrictedAt is null)
        {
            contact.RestrictedAt = now;
            db.ContactRestrictions.Add(new ContactRestriction
            {
                Id = Guid.CreateVersion7(),
                ClientId = clientId,
                ContactId = contactId,
                RequestId = r.Id,
                Ground = ground,
                StartedAt = now,
            });
        }
        var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == r.Id, ct);
        var certificate = new JsonObject
        {
            ["request"] = r.Id,
            ["contact"] = contactId,
            ["restrictedSince"] = since,
            ["ground"] = ground,
            ["effect"] = "storage only: no widget update, no change but the subject's rectification, no export to recipients, no marketing; reads only with a recorded reason",
            ["lifting"] = $"the subject is told at least {options.Value.RestrictionLiftNoticeHours} hours before the restriction is lifted (Art. 18(3))",
            ["propagation"] = AccessPackage.ToNode(PropagationTask.Add(db, await PropagationTask.RecipientsAsync(db, gate, options.Value, clientId, ct), tracked, "restriction", now)),
        };
        await audit.RecordAsync(db, "RestrictContact", "contact", contactId.ToString(), ct);
        await CompleteAsync(clientId, tracked, "restricted", certificate, now,
            "The processing of your personal data is restricted: they are only stored. We will tell you before the restriction is lifted.",
            "request-completed", ct);
        await write.CommitAsync(ct);
        return new Response(await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct), null, certificate);
    }

    private async Task<Result<Response>> ObjectAsync(Guid clientId, SubjectRequest r, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        using var requestKey = await OpenRequestKeyAsync(clientId, r, ct);
        var identities = ReadRequests.OpenIdentities(r, requestKey);
        var entries = new List<(string, byte[])>();
        foreach (var email in identities.Emails) entries.Add((Suppression.Email, (await index.EmailAsync(clientId, email, ct))!));
        if (await index.PhoneAsync(clientId, identities.Phone, ct) is { } phoneIndex) entries.Add((Suppression.Phone, phoneIndex));

        await using var write = await db.BeginWriteAsync(ct);
        var withdrawn = new List<string>();
        var kept = new List<string>();
        var contact = r.ContactId is { } contactId ? await db.Contacts.SingleOrDefaultAsync(c => c.Id == contactId, ct) : null;
        if (contact is not null)
        {
            if (contact.EmailIndex is { } e) entries.Add((Suppression.Email, e));
            if (contact.PhoneIndex is { } p) entries.Add((Suppression.Phone, p));
            var events = await db.ConsentEvents.AsNoTracking().Where(x => x.ContactId == contact.Id).ToListAsync(ct);
            var widgetIds = events.Where(x => x.WidgetId is not null).Select(x => x.WidgetId!.Value).Distinct().ToList();
            var marketing = (await db.WidgetVersions.AsNoTracking().Where(v => widgetIds.Contains(v.WidgetId)).ToListAsync(ct))
                .SelectMany(v => DefineWidget.Purposes(v).Select(p => (v.WidgetId, v.Version, p.Key, p.Marketing)))
                .ToDictionary(x => (x.WidgetId, x.Version, x.Key), x => x.Marketing);
            foreach (var last in events.GroupBy(x => x.Purpose).Select(g => g.OrderBy(x => x.At).ThenBy(x => x.Id).Last()).Where(x => x.Kind == ConsentEvent.Given))
            {
                // a consent not given through a widget version counts as marketing: the side that protects the subject
                var isMarketing = last.WidgetId is not { } w || last.WidgetVersion is not { } v || marketing.GetValueOrDefault((w, v, last.Purpose), true);
                if (!isMarketing)
                {
                    kept.Add(last.Purpose);
                    continue;
                }
                withdrawn.Add(last.Purpose);
                db.ConsentEvents.Add(new ConsentEvent
                {
                    Id = Guid.CreateVersion7(),
                    ClientId = clientId,
                    ContactId = contact.Id,
                    Purpose = last.Purpose,
                    Kind = ConsentEvent.Withdrawn,
                    Method = "objection",
                    WidgetId = last.WidgetId,
                    WidgetVersion = last.WidgetVersion,
                    TextSha256 = last.TextSha256,
                    At = now,
                });
            }
        }
        var suppressed = await Suppression.AddAsync(db, clientId, entries, r.Id, now, ct);
        var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == r.Id, ct);
        var certificate = new JsonObject
        {
            ["request"] = r.Id,
            ["contact"] = r.ContactId,
            ["objectedAt"] = now,
            ["consentsWithdrawn"] = AccessPackage.ToNode(withdrawn.Order(StringComparer.Ordinal)),
            ["consentsKept"] = AccessPackage.ToNode(kept.Order(StringComparer.Ordinal)),
            ["identitiesSuppressed"] = suppressed,
            ["effect"] = "no marketing consent is recorded again for these identities unless the subject confirms a fresh one through a link sent to the address",
        };
        if (contact is not null) await audit.RecordAsync(db, "ObjectToProcessing", "contact", contact.Id.ToString(), ct);
        await CompleteAsync(clientId, tracked, "objection-applied", certificate, now,
            "Your objection is recorded: you will receive no more marketing from this company, and your address is on its suppression list.",
            "request-completed", ct);
        await write.CommitAsync(ct);
        return new Response(await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct), null, certificate);
    }

    /// <summary>Closes the request with its record, tells the subject, and reports to the client what the processor did.</summary>
    private async Task CompleteAsync(Guid clientId, SubjectRequest r, string action, JsonObject certificate, DateTimeOffset now, string toSubject,
        string kind, CancellationToken ct, string? subjectEmail = null)
    {
        var from = r.Status;
        r.Status = SubjectRequest.Completed;
        r.ClosedAt = now;
        r.UpdatedAt = now;
        r.Certificate = certificate.ToJsonString();
        ChangeRequestStatus.AddStep(db, r, action, from, actor, now);
        await audit.RecordAsync(db, "FulfilSubjectRequest", "request", r.Id.ToString(), ct);
        // an OpenDSR request's subject is the controller's to tell (OpenDSR 3.2, step 5)
        if (r.Source != OpenDsrProtocol.Source)
        {
            using var requestKey = await OpenRequestKeyAsync(clientId, r, ct);
            if ((subjectEmail ?? await ChangeRequestStatus.SubjectEmailAsync(db, vault, r, requestKey, ct)) is { } email)
                await notifier.EnqueueAsync(db, new Notifier.Message(kind, clientId, email, "Your data protection request", toSubject), ct);
        }
        if (r.HandledBy == RouteRequest.ByProcessor && r.Source != OpenDsrProtocol.Source && await route.OwnerEmailAsync(clientId, ct) is { } owner)
            await notifier.EnqueueAsync(db, new Notifier.Message("request-report", clientId, owner, $"[Steward] A {r.Type} request was carried out for you",
                $"""
                Steward carried out a data subject's {r.Type} request on your behalf ({action}).
                Request: /v1/clients/{clientId}/requests/{r.Id}
                Its completion record is in the request. No personal data is in this message.
                """), ct);
    }

    private async Task<DataKey> OpenRequestKeyAsync(Guid clientId, SubjectRequest r, CancellationToken ct) =>
        await vault.OpenAsync(clientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");

    private static ConflictError NoContact() =>
        Errors.Conflict("No contact matches the request's identities, so nothing can be changed: decline the request with a reason, or record it again naming the contact.");

    public const string ExportTokenPurpose = "request-export";

    public static Task<string> TokenAsync(KeyVault vault, Guid exportId, CancellationToken ct) =>
        SignedTokens.SignAsync(vault, ExportTokenPurpose, exportId.ToByteArray(), ct);
}
