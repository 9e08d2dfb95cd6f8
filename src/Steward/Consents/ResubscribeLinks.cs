using System.Buffers.Binary;
using System.Text;
using Steward.Crypto;

namespace Steward.Consents;

/// <summary>
/// Signed links that let a subject on the suppression list give a fresh, explicit marketing consent (Art. 21(3),
/// Art. 7(1)): mailed to the address that submitted the widget, so only its holder can confirm. The token carries
/// ids, the widget version, the purposes and an expiry, under an HMAC with a vault secret.
/// </summary>
public sealed class ResubscribeLinks(KeyVault vault)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public sealed record Claim(Guid ClientId, Guid ContactId, Guid WidgetId, int WidgetVersion, DateTimeOffset ExpiresAt, List<string> Purposes);

    public async Task<string> TokenAsync(Claim claim, CancellationToken ct) =>
        await SignedTokens.SignAsync(vault, "consent-resubscribe", Payload(claim), ct);

    public async Task<Claim?> ReadAsync(string? token, CancellationToken ct)
    {
        var payload = await SignedTokens.ReadAsync(vault, "consent-resubscribe", token, 2000, ct);
        if (payload is null || payload.Length < 61 || payload[0] != 1) return null;
        var span = payload.AsSpan();
        return new Claim(new Guid(span.Slice(1, 16)), new Guid(span.Slice(17, 16)), new Guid(span.Slice(33, 16)),
            BinaryPrimitives.ReadInt32LittleEndian(span.Slice(49, 4)),
            DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64LittleEndian(span.Slice(53, 8))),
            [.. Encoding.UTF8.GetString(span[61..]).Split(',', StringSplitOptions.RemoveEmptyEntries)]);
    }

    private static byte[] Payload(Claim claim)
    {
        var purposes = Encoding.UTF8.GetBytes(string.Join(',', claim.Purposes));
        var payload = new byte[61 + purposes.Length];
        payload[0] = 1;
        claim.ClientId.TryWriteBytes(payload.AsSpan(1, 16));
        claim.ContactId.TryWriteBytes(payload.AsSpan(17, 16));
        claim.WidgetId.TryWriteBytes(payload.AsSpan(33, 16));
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(49, 4), claim.WidgetVersion);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(53, 8), claim.ExpiresAt.ToUnixTimeSeconds());
        purposes.CopyTo(payload, 61);
        return payload;
    }

}
