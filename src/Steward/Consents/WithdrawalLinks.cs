using System.Security.Cryptography;
using System.Text;
using Steward.Clients;
using Steward.Crypto;

namespace Steward.Consents;

/// <summary>
/// Signed withdrawal links: whoever holds one can withdraw that one consent, with no login (Art. 7(3)). The token
/// carries ids only (client, contact, purpose) and an HMAC under a vault secret, so it cannot be forged or altered.
/// </summary>
public sealed class WithdrawalLinks(KeyVault vault)
{
    public sealed record Claim(Guid ClientId, Guid ContactId, string Purpose);

    public async Task<string> TokenAsync(Claim claim, CancellationToken ct)
    {
        var payload = Payload(claim);
        var mac = HMACSHA256.HashData(await vault.SecretAsync("consent-withdrawal", ct), payload);
        return SignUp.Base64Url(payload) + "." + SignUp.Base64Url(mac);
    }

    public async Task<Claim?> ReadAsync(string? token, CancellationToken ct)
    {
        if (token is null || token.Length > 400) return null;
        var parts = token.Split('.');
        if (parts.Length != 2 || !TryDecode(parts[0], out var payload) || !TryDecode(parts[1], out var mac)) return null;
        var expected = HMACSHA256.HashData(await vault.SecretAsync("consent-withdrawal", ct), payload);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac) || payload.Length < 34 || payload[0] != 1) return null;
        return new Claim(new Guid(payload.AsSpan(1, 16)), new Guid(payload.AsSpan(17, 16)), Encoding.UTF8.GetString(payload.AsSpan(33)));
    }

    private static byte[] Payload(Claim claim) =>
        [1, .. claim.ClientId.ToByteArray(), .. claim.ContactId.ToByteArray(), .. Encoding.UTF8.GetBytes(claim.Purpose)];

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        bytes = [];
        try { bytes = Convert.FromBase64String(base64); return true; }
        catch (FormatException) { return false; }
    }
}
