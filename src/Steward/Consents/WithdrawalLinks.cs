using System.Text;
using Steward.Crypto;

namespace Steward.Consents;

/// <summary>
/// Signed withdrawal links: whoever holds one can withdraw that one consent, with no login (Art. 7(3)). The token
/// carries ids only (client, contact, purpose) and an HMAC under a vault secret, so it cannot be forged or altered.
/// </summary>
public sealed class WithdrawalLinks(KeyVault vault)
{
    public sealed record Claim(Guid ClientId, Guid ContactId, string Purpose);

    public async Task<string> TokenAsync(Claim claim, CancellationToken ct) =>
        await SignedTokens.SignAsync(vault, "consent-withdrawal", Payload(claim), ct);

    public async Task<Claim?> ReadAsync(string? token, CancellationToken ct)
    {
        var payload = await SignedTokens.ReadAsync(vault, "consent-withdrawal", token, 400, ct);
        if (payload is null || payload.Length < 34 || payload[0] != 1) return null;
        return new Claim(new Guid(payload.AsSpan(1, 16)), new Guid(payload.AsSpan(17, 16)), Encoding.UTF8.GetString(payload.AsSpan(33)));
    }

    private static byte[] Payload(Claim claim) =>
        [1, .. claim.ClientId.ToByteArray(), .. claim.ContactId.ToByteArray(), .. Encoding.UTF8.GetBytes(claim.Purpose)];

}
