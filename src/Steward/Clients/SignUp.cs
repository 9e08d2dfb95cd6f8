using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Steward.Agreements;
using Steward.Audit;
using Steward.Crypto;
using Steward.Data;
using Steward.Http;

namespace Steward.Clients;

/// <summary>
/// A new client (data controller) signs up: only with an active acceptance of every current legal document,
/// each recorded with time, IP, user agent, document and version (P-05, P-06, P-46).
/// </summary>
public sealed class SignUp(StewardDb db, KeyVault vault, BlindIndex index, AgreementCatalog agreements,
    AuditLog audit, AuditContext actor, IPasswordHasher<ClientUser> hasher, TimeProvider clock)
{
    public sealed record AcceptanceInput(string? Document, string? Version, bool? Accepted);
    public sealed record Request(string? Name, string? OwnerName, string? OwnerEmail, string? OwnerPassword, List<AcceptanceInput>? Acceptances);
    public sealed record AcceptanceRecord(string Document, string Version, DateTimeOffset AcceptedAt);
    public sealed record Response(Guid ClientId, Guid OwnerId, string ApiKey, Guid ApiKeyId, List<AcceptanceRecord> Acceptances);

    public async Task<Result<Response>> HandleAsync(Request request, string? ipAddress, string? userAgent, CancellationToken ct)
    {
        var current = await agreements.CurrentAsync(ct);
        var problems = Check(request, current);
        if (problems.Any) return Errors.Invalid(problems);

        var emailIndex = (await index.EmailAsync(Guid.Empty, request.OwnerEmail, ct))!;
        if (await db.ClientUsers.IgnoreQueryFilters().AnyAsync(u => u.EmailIndex == emailIndex, ct))
            return Errors.Conflict("An account with this email address already exists.");

        var now = clock.GetUtcNow();
        var client = new Client { Id = Guid.CreateVersion7(), Name = request.Name!.Trim(), Status = agreements.NewClientStatus, CreatedAt = now };
        var ownerId = Guid.CreateVersion7();
        using var key = await vault.CreateAsync(client.Id, ownerId, ct);
        var owner = new ClientUser
        {
            Id = ownerId,
            ClientId = client.Id,
            Role = "owner",
            CreatedAt = now,
            NameSealed = key.Seal("name", Encoding.UTF8.GetBytes(request.OwnerName!.Trim())),
            EmailSealed = key.Seal("email", Encoding.UTF8.GetBytes(request.OwnerEmail!.Trim())),
            EmailIndex = emailIndex,
            PasswordHash = "",
        };
        owner.PasswordHash = hasher.HashPassword(owner, request.OwnerPassword!);
        var (apiKey, secret) = NewApiKey(client.Id, "Default", now);

        actor.ClientId = client.Id;
        await using var write = await db.BeginWriteAsync(ct);
        db.Clients.Add(client);
        db.ClientUsers.Add(owner);
        db.ApiKeys.Add(apiKey);
        var records = new List<AcceptanceRecord>();
        foreach (var agreement in current)
        {
            db.Acceptances.Add(new Acceptance
            {
                Id = Guid.CreateVersion7(),
                ClientId = client.Id,
                UserId = ownerId,
                AgreementId = agreement.Id,
                Document = agreement.Document,
                Version = agreement.Version,
                Method = "click-through",
                AcceptedAt = now,
                IpAddressSealed = key.Seal("acceptance.ip", ipAddress),
                UserAgentSealed = key.Seal("acceptance.userAgent", userAgent),
            });
            records.Add(new AcceptanceRecord(agreement.Document, agreement.Version, now));
        }
        await audit.RecordAsync(db, "SignUp", "client", client.Id.ToString(), ct, client.Id, status: 201);
        await write.CommitAsync(ct);
        return new Response(client.Id, ownerId, secret, apiKey.Id, records);
    }

    private static Problems Check(Request request, List<Agreement> current)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) problems.Add("name", "Give the client's name (at most 200 characters).");
        if (string.IsNullOrWhiteSpace(request.OwnerName) || request.OwnerName.Length > 200) problems.Add("ownerName", "Give the owner's name (at most 200 characters).");
        if (!IsEmail(request.OwnerEmail)) problems.Add("ownerEmail", "Give a valid email address.");
        if (request.OwnerPassword is null || request.OwnerPassword.Length < 12 || request.OwnerPassword.Length > 128)
            problems.Add("ownerPassword", "The password must have 12 to 128 characters.");
        var given = request.Acceptances ?? [];
        foreach (var agreement in current)
        {
            var match = given.Where(a => a.Document == agreement.Document).ToList();
            if (match.Count == 0)
                problems.Add("acceptances", $"Accept {agreement.Document} version {agreement.Version}.");
            else if (match.Any(a => a.Version != agreement.Version))
                problems.Add("acceptances", $"The version of {agreement.Document} in force is {agreement.Version}; accept that one.");
            else if (match.Any(a => a.Accepted is not true))
                problems.Add("acceptances", $"{agreement.Document} must be actively accepted (accepted: true); silence is no acceptance.");
        }
        foreach (var unknown in given.Where(a => current.All(c => c.Document != a.Document)))
            problems.Add("acceptances", $"There is no document '{Truncate(unknown.Document)}'.");
        return problems;
    }

    public static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 254 && MailAddress.TryCreate(value.Trim(), out var address)
        && address.Address == value.Trim() && address.Host.Contains('.', StringComparison.Ordinal);

    private static string Truncate(string? value) => value is null ? "" : value.Length > 50 ? value[..50] : value;

    /// <summary>An API key: 256 random bits, shown once; only its SHA-256 is kept.</summary>
    public static (ApiKey Key, string Secret) NewApiKey(Guid clientId, string name, DateTimeOffset now)
    {
        var secret = "stw_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (new ApiKey
        {
            Id = Guid.CreateVersion7(),
            ClientId = clientId,
            Name = name,
            Prefix = secret[..10],
            CreatedAt = now,
            Hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret)),
        }, secret);
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
