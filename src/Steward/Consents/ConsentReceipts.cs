using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Clients;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;
using Steward.Requests;
using Steward.SubProcessors;
using Steward.Widgets;

namespace Steward.Consents;

/// <summary>
/// A machine-readable receipt for one consent the subject gave (REQUIREMENTS B.9): the Kantara Consent Receipt
/// v1.1 fields, with the ISO/IEC TS 27560 record alongside, signed as a JWS (PS256) so that the subject can prove it
/// later with the public key alone (<c>GET /v1/public/keys</c>). Reached through a signed link that carries ids only;
/// the link is in the widget's confirmation and in the access package. Gone once the contact is erased.
/// </summary>
public sealed class ConsentReceipts(StewardDb db, KeyVault vault, SigningKeys keys, WithdrawalLinks withdrawals, AuditContext actor,
    IOptions<RequestOptions> requestOptions, TransferGate gate)
{
    public const string Algorithm = "PS256";

    public sealed record Receipt(JsonObject Content, string Jws, string Kid, string Jwks);

    public async Task<string> UrlAsync(Guid clientId, Guid consentId, CancellationToken ct)
    {
        byte[] payload = [1, .. clientId.ToByteArray(), .. consentId.ToByteArray()];
        return "/v1/public/consents/receipts/" + await SignedTokens.SignAsync(vault, "consent-receipt", payload, ct);
    }

    public async Task<Result<Receipt>> HandleAsync(string? token, CancellationToken ct)
    {
        if (await ReadAsync(token, ct) is not var (clientId, consentId)) return Errors.NotFound("receipt");
        db.TenantId = clientId;
        actor.ActorType = "public";
        actor.ClientId = clientId;
        var consent = await db.ConsentEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == consentId && e.Kind == ConsentEvent.Given, ct);
        var contact = consent is null ? null : await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == consent.ContactId, ct);
        using var key = contact is null ? null : await vault.OpenAsync(clientId, contact.Id, ct);
        if (consent is null || contact is null || key is null) return Errors.Gone("This consent is no longer held: the subject's data were erased.");

        var client = await db.Clients.AsNoTracking().SingleAsync(c => c.Id == clientId, ct);
        var owner = await db.ClientUsers.AsNoTracking().Where(u => u.Role == "owner" && u.RemovedAt == null).OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(ct);
        string? ownerEmail = null;
        if (owner is not null)
            using (var ownerKey = await vault.OpenAsync(clientId, owner.Id, ct)) ownerEmail = ownerKey?.OpenString("email", owner.EmailSealed);
        var version = consent.WidgetId is { } w && consent.WidgetVersion is { } v
            ? await db.WidgetVersions.AsNoTracking().SingleOrDefaultAsync(x => x.WidgetId == w && x.Version == v, ct) : null;
        var widget = version is null ? null : await db.Widgets.AsNoTracking().SingleOrDefaultAsync(x => x.Id == version.WidgetId, ct);
        var purpose = version is null ? null : DefineWidget.Purposes(version).SingleOrDefault(p => p.Key == consent.Purpose);
        var fields = version is null ? [] : JsonSerializer.Deserialize<List<string>>(version.Fields)!;
        var latest = await db.ConsentEvents.AsNoTracking().Where(e => e.ContactId == contact.Id && e.Purpose == consent.Purpose)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Select(e => new { e.Kind, e.At }).FirstAsync(ct);
        var withdrawUrl = "/v1/public/consents/withdraw?token=" + await withdrawals.TokenAsync(new(clientId, contact.Id, consent.Purpose), ct);
        var recipients = (await PropagationTask.RecipientsAsync(db, gate, requestOptions.Value, clientId, ct)).All;
        var principal = key.OpenString("email", contact.EmailSealed) ?? contact.Id.ToString();
        var method = consent.Method == "confirmed-link"
            ? $"confirmed through a link mailed to the address, after a web form ({widget?.Name}, version {consent.WidgetVersion})"
            : $"web form ({widget?.Name ?? "API"}, version {consent.WidgetVersion}): an explicit opt-in, never pre-ticked";
        var purposeText = purpose?.Text ?? consent.Purpose;

        var controller = new JsonObject
        {
            ["piiController"] = client.Name,
            ["onBehalf"] = false,
            ["contact"] = ownerEmail ?? "not provided",
            ["address"] = "not provided",
            ["email"] = ownerEmail ?? "not provided",
            ["phone"] = "not provided",
        };
        var content = new JsonObject
        {
            // Kantara Initiative Consent Receipt Specification v1.1.0
            ["version"] = "KI-CR-v1.1.0",
            ["jurisdiction"] = "EU",
            ["consentTimestamp"] = consent.At.ToUnixTimeSeconds(),
            ["collectionMethod"] = method,
            ["consentReceiptID"] = consent.Id.ToString(),
            ["publicKey"] = await keys.PublicJwkAsync(SigningKeys.Receipts, Algorithm, ct),
            ["language"] = "en",
            ["piiPrincipalId"] = principal,
            ["piiControllers"] = new JsonArray(controller),
            ["policyUrl"] = "not provided",
            ["services"] = new JsonArray(new JsonObject
            {
                ["service"] = widget?.Name ?? "consent",
                ["purposes"] = new JsonArray(new JsonObject
                {
                    ["purpose"] = purposeText,
                    ["purposeCategory"] = new JsonArray(purpose?.Marketing == false ? "service" : "marketing"),
                    ["consentType"] = "EXPLICIT",
                    ["piiCategory"] = new JsonArray([.. fields.Select(f => JsonValue.Create(f))]),
                    ["primaryPurpose"] = purpose?.Required ?? false,
                    ["termination"] = "until withdrawn, at any time, through " + withdrawUrl,
                    ["thirdPartyDisclosure"] = recipients.Count > 0,
                    ["thirdPartyName"] = recipients.Count > 0 ? string.Join(", ", recipients) : null,
                }),
            }),
            ["sensitive"] = false,
            ["spiCat"] = new JsonArray(),
            // ISO/IEC TS 27560:2023 consent record, as the DPVCG maps it
            ["iso27560"] = new JsonObject
            {
                ["schemaVersion"] = "ISO/IEC TS 27560:2023",
                ["recordId"] = consent.Id.ToString(),
                ["piiPrincipalId"] = principal,
                ["privacyNotice"] = new JsonObject
                {
                    ["text"] = purposeText,
                    ["textSha256"] = consent.TextSha256,
                    ["widgetId"] = consent.WidgetId?.ToString(),
                    ["widgetVersion"] = consent.WidgetVersion,
                },
                ["language"] = "en",
                ["purpose"] = purposeText,
                ["lawfulBasis"] = "consent: GDPR Art. 6(1)(a)",
                ["piiInformation"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["piiType"] = f })]),
                ["piiControllers"] = new JsonArray(controller.DeepClone()),
                ["storageLocations"] = new JsonArray("the processor's database, encrypted under a key of the subject's own"),
                ["retentionPeriod"] = "until the consent is withdrawn or the subject's data are erased",
                ["jurisdiction"] = "EU",
                ["recipientThirdParties"] = new JsonArray([.. recipients.Select(r => JsonValue.Create(r))]),
                ["withdrawalMethod"] = withdrawUrl,
                ["collectionMethod"] = method,
                ["event"] = new JsonObject { ["type"] = "given", ["at"] = consent.At.UtcDateTime.ToString("O") },
                ["state"] = new JsonObject { ["current"] = latest.Kind, ["since"] = latest.At.UtcDateTime.ToString("O") },
            },
        };
        var kid = await keys.KidAsync(SigningKeys.Receipts, ct);
        return new Receipt(content, await SignAsync(content, kid, ct), kid, "/v1/public/keys");
    }

    /// <summary>JWS compact serialisation (RFC 7515): header.payload.signature, RSASSA-PSS with SHA-256.</summary>
    private async Task<string> SignAsync(JsonObject content, string kid, CancellationToken ct)
    {
        var header = SignUp.Base64Url(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = Algorithm, ["kid"] = kid, ["typ"] = "JWT" }.ToJsonString()));
        var payload = SignUp.Base64Url(Encoding.UTF8.GetBytes(content.ToJsonString()));
        using var rsa = await keys.OpenAsync(SigningKeys.Receipts, ct);
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        return header + "." + payload + "." + SignUp.Base64Url(signature);
    }

    private async Task<(Guid, Guid)?> ReadAsync(string? token, CancellationToken ct)
    {
        var payload = await SignedTokens.ReadAsync(vault, "consent-receipt", token, 100, ct);
        if (payload is not { Length: 33 } || payload[0] != 1) return null;
        return (new Guid(payload.AsSpan(1, 16)), new Guid(payload.AsSpan(17, 16)));
    }
}
