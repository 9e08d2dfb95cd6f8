using System.Security.Cryptography;
using Steward.Clients;

namespace Steward.Crypto;

/// <summary>
/// Tokens for links that work without a login (withdrawal, resubscribe, consent receipt, package download):
/// <c>base64url(payload) "." base64url(HMAC-SHA256(vault secret of the purpose, payload))</c>. Payloads carry ids
/// only, never personal data; the MAC makes them unforgeable and unalterable. One secret per purpose, so a token
/// minted for one kind of link is worthless as another.
/// </summary>
public static class SignedTokens
{
    public static async Task<string> SignAsync(KeyVault vault, string purpose, byte[] payload, CancellationToken ct) =>
        SignUp.Base64Url(payload) + "." + SignUp.Base64Url(HMACSHA256.HashData(await vault.SecretAsync(purpose, ct), payload));

    /// <summary>The payload of a well-formed token whose MAC checks out, else null.</summary>
    public static async Task<byte[]?> ReadAsync(KeyVault vault, string purpose, string? token, int maxLength, CancellationToken ct)
    {
        if (token is null || token.Length > maxLength) return null;
        var parts = token.Split('.');
        if (parts.Length != 2 || !TryDecode(parts[0], out var payload) || !TryDecode(parts[1], out var mac)) return null;
        var expected = HMACSHA256.HashData(await vault.SecretAsync(purpose, ct), payload);
        return CryptographicOperations.FixedTimeEquals(expected, mac) ? payload : null;
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        bytes = [];
        try { bytes = Convert.FromBase64String(base64); return true; }
        catch (FormatException) { return false; }
    }
}
