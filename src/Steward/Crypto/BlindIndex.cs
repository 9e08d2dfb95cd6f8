using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Steward.Crypto;

/// <summary>
/// Lookup without plaintext: HMAC-SHA256 of the normalised value under a per-client key derived from a root
/// secret in the key vault. The database sees only the MAC; equal values in two clients give unrelated MACs.
/// </summary>
public sealed class BlindIndex(KeyVault vault)
{
    private readonly ConcurrentDictionary<Guid, byte[]> _clientKeys = new();

    public async ValueTask<byte[]?> EmailAsync(Guid clientId, string? email, CancellationToken ct) =>
        email is null ? null : Mac(await ClientKeyAsync(clientId, ct), "email:" + NormalizeEmail(email));

    public async ValueTask<byte[]?> PhoneAsync(Guid clientId, string? phone, CancellationToken ct)
    {
        var normalized = phone is null ? null : NormalizePhone(phone);
        return string.IsNullOrEmpty(normalized) ? null : Mac(await ClientKeyAsync(clientId, ct), "phone:" + normalized);
    }

    /// <summary>Email addresses match whatever their case or surrounding white space.</summary>
    public static string NormalizeEmail(string email) => email.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();

    /// <summary>Phone numbers match on their digits and a leading plus: "+45 12-34 56 78" = "+4512345678".</summary>
    public static string NormalizePhone(string phone)
    {
        var trimmed = phone.Trim();
        var digits = new StringBuilder(trimmed.Length);
        if (trimmed.StartsWith('+')) digits.Append('+');
        foreach (var c in trimmed)
            if (char.IsAsciiDigit(c)) digits.Append(c);
        return digits.Length > (trimmed.StartsWith('+') ? 1 : 0) ? digits.ToString() : string.Empty;
    }

    // a keyed HMAC per thread, reused while the thread keeps to one client key: twice the one-shot's rate (PERFORMANCE.md)
    [ThreadStatic] private static byte[]? _macKey;
    [ThreadStatic] private static IncrementalHash? _mac;

    private static byte[] Mac(byte[] key, string value)
    {
        if (!ReferenceEquals(_macKey, key))
        {
            _mac?.Dispose();
            _mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            _macKey = key;
        }
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> bytes = rented is null ? stackalloc byte[512] : rented;
        bytes = bytes[..Encoding.UTF8.GetBytes(value, bytes)];
        _mac!.AppendData(bytes);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return _mac.GetHashAndReset();
    }

    private async ValueTask<byte[]> ClientKeyAsync(Guid clientId, CancellationToken ct)
    {
        if (_clientKeys.TryGetValue(clientId, out var key)) return key;
        var root = await vault.SecretAsync("blind-index-root", ct);
        key = HMACSHA256.HashData(root, Encoding.UTF8.GetBytes("steward/blind-index/v1/" + clientId.ToString("N", CultureInfo.InvariantCulture)));
        return _clientKeys.GetOrAdd(clientId, key);
    }
}
