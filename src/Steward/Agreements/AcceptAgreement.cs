using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Agreements;

/// <summary>
/// A client accepts a published version (P-48): actively (accepted: true), recorded with time, IP and user agent
/// under its owner's key. Under a signed-DPA policy a DPA version needs a signed record instead (G-23, G-50).
/// </summary>
public sealed class AcceptAgreement(StewardDb db, KeyVault vault, AuditLog audit, AuditContext actor, IOptions<AgreementOptions> options, TimeProvider clock)
{
    public sealed record Request(bool? Accepted);
    public sealed record Response(string Document, string Version, DateTimeOffset AcceptedAt, string Method);

    public async Task<Result<Response>> HandleAsync(Guid clientId, string document, string version, Request request, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var agreement = await db.Agreements.AsNoTracking().SingleOrDefaultAsync(a => a.Document == document && a.Version == version, ct);
        if (agreement is null) return Errors.NotFound("document version");
        if (request.Accepted is not true) return Errors.Invalid("accepted", "Accept actively (accepted: true); silence is no acceptance.");
        // the client itself (its key or a signed-in team member whose role may modify); staff reaching the client's
        // routes through a grant never accept on the client's behalf
        if (actor.ActorType is not ("api-key" or "client-user")) return Errors.Forbidden("Only the client itself accepts an agreement.");
        if (options.Value.SignedDpa && document == "dpa")
            return Errors.Conflict("This deployment forms the DPA by signature: send the signed copy, the processor records it.");
        await using var write = await db.BeginWriteAsync(ct);
        if (await db.Acceptances.AnyAsync(a => a.ClientId == clientId && a.AgreementId == agreement.Id, ct))
            return Errors.Conflict($"{document} {version} is already accepted.");
        var owner = await db.ClientUsers.Where(u => u.ClientId == clientId && u.Role == "owner").OrderBy(u => u.CreatedAt).FirstOrDefaultAsync(ct);
        using var key = owner is null ? null : await vault.OpenAsync(clientId, owner.Id, ct);
        var now = clock.GetUtcNow();
        db.Acceptances.Add(new Acceptance
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            AgreementId = agreement.Id,
            Document = agreement.Document,
            Version = agreement.Version,
            Method = Acceptance.Api,
            AcceptedAt = now,
            UserId = actor.ActorType == "client-user" && Guid.TryParse(actor.ActorId, out var userId) ? userId : null,
            Evidence = $"{actor.ActorType}:{actor.ActorId}",
            IpAddressSealed = key?.Seal("acceptance.ip", ipAddress),
            UserAgentSealed = key?.Seal("acceptance.userAgent", userAgent),
        });
        await audit.RecordAsync(db, "AcceptAgreement", "agreement", agreement.Id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return new Response(agreement.Document, agreement.Version, now, Acceptance.Api);
    }
}

/// <summary>
/// The compliance desk records a signed DPA version for a client (G-50, P-46): the uploaded signed copy (only its
/// SHA-256 is kept) or the e-signature provider's evidence, with the date of the last signature. A client waiting
/// for its signature becomes active with it, and only with it.
/// </summary>
public sealed class RecordSignature(StewardDb db, AuditLog audit, AuditContext actor, TimeProvider clock)
{
    public sealed record Request(string? Document, string? Version, string? Method, string? SignedCopyBase64, string? ESignatureEvidence, DateTimeOffset? SignedAt);
    public sealed record Response(Guid Id, string Document, string Version, string Method, string Evidence, DateTimeOffset SignedAt, string ClientStatus);

    public async Task<Result<Response>> HandleAsync(Guid clientId, Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problems = new Problems();
        string? evidence = null;
        if (request.Method == Acceptance.SignedCopy)
        {
            var copy = Decode(request.SignedCopyBase64);
            if (copy is null or { Length: 0 or > 20_000_000 }) problems.Add("signedCopyBase64", "Upload the signed copy (base64, at most 20 MB).");
            else evidence = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(copy));
        }
        else if (request.Method == Acceptance.ESignature)
        {
            if (string.IsNullOrWhiteSpace(request.ESignatureEvidence) || request.ESignatureEvidence.Length > 490)
                problems.Add("eSignatureEvidence", "Give the e-signature provider's evidence (envelope id or audit-trail reference, at most 490 characters).");
            else evidence = "e-signature:" + request.ESignatureEvidence.Trim();
        }
        else problems.Add("method", $"The method is {Acceptance.SignedCopy} or {Acceptance.ESignature}.");
        if (request.SignedAt is not { } signedAt || signedAt > now) problems.Add("signedAt", "Give the date of the last signature, not in the future.");
        if (problems.Any) return Errors.Invalid(problems);

        await using var write = await db.BeginWriteAsync(ct);
        var client = await db.Clients.SingleOrDefaultAsync(c => c.Id == clientId, ct);
        if (client is null) return Errors.NotFound("client");
        var agreement = await db.Agreements.AsNoTracking().SingleOrDefaultAsync(a => a.Document == request.Document && a.Version == request.Version, ct);
        if (agreement is null) return Errors.NotFound("document version");
        var acceptance = new Acceptance
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            AgreementId = agreement.Id,
            Document = agreement.Document,
            Version = agreement.Version,
            Method = request.Method!,
            AcceptedAt = request.SignedAt!.Value,
            Evidence = evidence,
            RecordedBy = actor.ActorId,
        };
        db.Acceptances.Add(acceptance);
        if (agreement.Document == "dpa" && client.Status == AgreementOptions.AwaitingSignature) client.Status = "active";
        await audit.RecordAsync(db, "RecordSignature", "agreement", agreement.Id.ToString(), ct, clientId, status: 201);
        await write.CommitAsync(ct);
        return new Response(acceptance.Id, agreement.Document, agreement.Version, acceptance.Method, evidence!, acceptance.AcceptedAt, client.Status);
    }

    /// <summary>An uploaded file's bytes, or null when it is not base64.</summary>
    internal static byte[]? Decode(string? base64)
    {
        if (base64 is null) return null;
        var buffer = new byte[base64.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
