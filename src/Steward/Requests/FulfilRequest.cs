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

namespace Steward.Requests;

/// <summary>
/// Carries out a verified request. Access and portability: a package of everything held about the subject plus the
/// Art. 15 information, sealed under its own key, downloadable once through a short-lived signed link, the first
/// copy free and later ones counted, with the export alert (P-25). Erasure: the contact is crypto-shredded
/// (<see cref="EraseContact"/>) and the request keeps a completion certificate of the stores cleared.
/// </summary>
public sealed class FulfilRequest(StewardDb db, KeyVault vault, EraseContact erase, ConsentHistory consents, ExportAlert exportAlert,
    Notifier notifier, AuditLog audit, AuditContext actor, IOptions<RequestOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public sealed record Request(string? Format);
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
            _ => Errors.Conflict($"A {r.Type} request is carried out through the contact's own routes; then complete the request."),
        };
    }

    private async Task<Result<Response>> PackageAsync(Guid clientId, SubjectRequest r, string format, CancellationToken ct)
    {
        if (format is not ("json" or "csv")) return Errors.Invalid("format", "json or csv.");
        var (package, records) = await BuildAsync(clientId, r, ct);
        var bytes = format == "json" ? JsonSerializer.SerializeToUtf8Bytes(package, Indented)
            : Encoding.UTF8.GetBytes(AccessPackage.ToCsv(package));

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
        await exportAlert.RaiseAsync(db, clientId, "dsr-package", records, ct);
        using var requestKey = await vault.OpenAsync(clientId, r.Id, ct) ?? throw new InvalidOperationException("A stored request has no key.");
        if (await ChangeRequestStatus.SubjectEmailAsync(db, vault, tracked, requestKey, ct) is { } email)
            await notifier.EnqueueAsync(db, new Notifier.Message("request-package", clientId, email, "Your personal data",
                $"""
                The copy of your personal data you asked for is ready ({format.ToUpperInvariant()}).
                Download it once, within {options.Value.ExportLinkHours} hours: {url}
                """), ct);
        Complete(tracked, "package-sent", now);
        await audit.RecordAsync(db, "FulfilSubjectRequest", "request", r.Id.ToString(), ct);
        await write.CommitAsync(ct);
        var view = await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct);
        return new Response(view, new Package(exportId, format, export.Copy, export.Copy > 1, records, export.ExpiresAt, url), null);
    }

    /// <summary>Everything held about the request's contact, in every store, with the Art. 15 information.</summary>
    private async Task<(JsonObject, int)> BuildAsync(Guid clientId, SubjectRequest r, CancellationToken ct)
    {
        var clientName = await db.Clients.Where(c => c.Id == clientId).Select(c => c.Name).SingleAsync(ct);
        var package = new JsonObject
        {
            ["generatedAt"] = clock.GetUtcNow(),
            ["request"] = new JsonObject { ["id"] = r.Id, ["type"] = r.Type, ["receivedAt"] = r.ReceivedAt },
        };
        var contact = r.ContactId is { } id ? await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) : null;
        using var key = contact is null ? null : await vault.OpenAsync(clientId, contact.Id, ct);
        if (contact is null || key is null)
        {
            package["subject"] = null;
            package["information"] = AccessPackage.Information(clientName, [], [], null);
            return (package, 0);
        }
        var view = ContactFields.Open(contact, key);
        var fields = AccessPackage.ToNode(view).AsObject();
        var proofs = (await consents.HandleAsync(clientId, contact.Id, ct)).Value ?? [];
        var requests = await db.SubjectRequests.AsNoTracking().Where(x => x.ContactId == contact.Id).OrderBy(x => x.ReceivedAt)
            .Select(x => new { x.Id, x.Type, x.Status, x.ReceivedAt, x.DueOn, x.ClosedAt }).ToListAsync(ct);
        var contactKey = contact.Id.ToString();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.ClientId == clientId && e.ResourceId == contactKey).OrderBy(e => e.Seq)
            .Select(e => new { e.At, e.Action, e.ActorType, e.Outcome }).ToListAsync(ct);
        package["subject"] = fields;
        package["consents"] = AccessPackage.ToNode(proofs);
        package["requests"] = AccessPackage.ToNode(requests);
        package["auditEvents"] = AccessPackage.ToNode(events);
        var categories = fields.Where(f => f.Value is JsonValue && f.Key is not ("id" or "source" or "createdAt" or "updatedAt")).Select(f => f.Key)
            .Concat(view.Custom.Keys.Select(k => "custom." + k)).ToList();
        package["information"] = AccessPackage.Information(clientName, proofs.Where(p => p.Kind == ConsentEvent.Given).Select(p => p.Text ?? p.Purpose).Distinct(),
            categories, contact.Source);
        return (package, 1 + proofs.Count + requests.Count + events.Count);
    }

    private async Task<Result<Response>> EraseAsync(Guid clientId, SubjectRequest r, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var cleared = new JsonArray();
        if (r.ContactId is { } contactId && await db.Contacts.AnyAsync(c => c.Id == contactId, ct))
        {
            // packages not yet downloaded hold the contact's data under their own keys: shredded too
            var packages = await db.RequestExports.Where(e => e.ContactId == contactId && e.PackageSealed != null).Select(e => e.Id).ToListAsync(ct);
            await vault.DestroyAsync(clientId, packages, ct);
            await db.RequestExports.Where(e => packages.Contains(e.Id)).ExecuteUpdateAsync(u => u.SetProperty(e => e.PackageSealed, (byte[]?)null), ct);
            var erased = await erase.HandleAsync(clientId, contactId, ct);
            if (!erased.IsSuccess) return erased.Error!;
            cleared.Add(new JsonObject { ["store"] = "forget ledger", ["what"] = "the contact's id appended, so no restore brings it back" });
            cleared.Add(new JsonObject { ["store"] = "key vault", ["what"] = "the contact's data key destroyed: every copy, backups included, is unreadable" });
            cleared.Add(new JsonObject { ["store"] = "data", ["what"] = "the contact row, its custom fields and its consent events deleted" });
            cleared.Add(new JsonObject { ["store"] = "access packages", ["what"] = $"{packages.Count} undownloaded package(s): keys destroyed, contents removed" });
        }
        var certificate = new JsonObject
        {
            ["request"] = r.Id,
            ["contact"] = r.ContactId,
            ["erasedAt"] = now,
            ["method"] = "crypto-shredding",
            ["storesCleared"] = cleared,
            ["propagation"] = new JsonArray(new JsonObject
            {
                ["to"] = "recipients and sub-processors",
                ["status"] = "pending",
                ["note"] = "No recipient or sub-processor is registered for the client yet; each will get a task here once they are.",
            }),
            ["restorable"] = false,
        };
        await using var write = await db.BeginWriteAsync(ct);
        var tracked = await db.SubjectRequests.SingleAsync(x => x.Id == r.Id, ct);
        tracked.Certificate = certificate.ToJsonString();
        Complete(tracked, "erased", now);
        await audit.RecordAsync(db, "FulfilSubjectRequest", "request", r.Id.ToString(), ct);
        await write.CommitAsync(ct);
        return new Response(await ReadRequests.ViewAsync(db, vault, tracked, options.Value, now, ct), null, certificate);
    }

    private void Complete(SubjectRequest r, string action, DateTimeOffset now)
    {
        var from = r.Status;
        r.Status = SubjectRequest.Completed;
        r.ClosedAt = now;
        r.UpdatedAt = now;
        ChangeRequestStatus.AddStep(db, r, action, from, actor, now);
    }

    public static async Task<string> TokenAsync(KeyVault vault, Guid exportId, CancellationToken ct) =>
        SignUp.Base64Url(exportId.ToByteArray()) + "." + SignUp.Base64Url(HMACSHA256.HashData(await vault.SecretAsync("request-export", ct), exportId.ToByteArray()));
}
