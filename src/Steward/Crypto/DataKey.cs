using System.Security.Cryptography;
using System.Text;

namespace Steward.Crypto;

/// <summary>
/// One data subject's own AES-256-GCM key, unwrapped for the length of a use case. Every value it seals is bound
/// to the client, the subject and the field name, so ciphertext cannot be moved to another row or field.
/// Ciphertext layout: version 1 | nonce (12) | ciphertext | tag (16).
/// </summary>
public sealed class DataKey(Guid clientId, Guid subjectId, byte[] material) : IDisposable
{
    private const byte Version = 1;
    private const int Overhead = 1 + 12 + 16;
    private readonly AesGcm _aes = new(material, 16);
    private readonly byte[] _material = material;

    public Guid ClientId { get; } = clientId;
    public Guid SubjectId { get; } = subjectId;

    public byte[]? Seal(string field, string? value) =>
        value is null ? null : Seal(field, Encoding.UTF8.GetBytes(value));

    public byte[] Seal(string field, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[Overhead + plaintext.Length];
        output[0] = Version;
        var nonce = output.AsSpan(1, 12);
        Nonces.Fill(nonce);
        Span<byte> aad = stackalloc byte[32 + Encoding.UTF8.GetMaxByteCount(field.Length)];
        aad = AssociatedData(field, aad);
        _aes.Encrypt(nonce, plaintext, output.AsSpan(13, plaintext.Length), output.AsSpan(13 + plaintext.Length), aad);
        return output;
    }

    public string? OpenString(string field, byte[]? sealedValue)
    {
        if (sealedValue is null) return null;
        if (sealedValue.Length < Overhead || sealedValue[0] != Version)
            throw new CryptographicException("Unknown ciphertext format.");
        // decrypted on the stack (or a pooled buffer), wiped, and only the string kept: one allocation a value
        var length = sealedValue.Length - Overhead;
        var rented = length > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> plaintext = rented is null ? stackalloc byte[1024] : rented;
        plaintext = plaintext[..length];
        try
        {
            Decrypt(field, sealedValue, plaintext);
            return Encoding.UTF8.GetString(plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public byte[] Open(string field, ReadOnlySpan<byte> sealedValue)
    {
        if (sealedValue.Length < Overhead || sealedValue[0] != Version)
            throw new CryptographicException("Unknown ciphertext format.");
        var plaintext = new byte[sealedValue.Length - Overhead];
        Decrypt(field, sealedValue, plaintext);
        return plaintext;
    }

    private void Decrypt(string field, ReadOnlySpan<byte> sealedValue, Span<byte> plaintext)
    {
        Span<byte> aad = stackalloc byte[32 + Encoding.UTF8.GetMaxByteCount(field.Length)];
        aad = AssociatedData(field, aad);
        _aes.Decrypt(sealedValue.Slice(1, 12), sealedValue.Slice(13, plaintext.Length),
            sealedValue[(13 + plaintext.Length)..], plaintext, aad);
    }

    private Span<byte> AssociatedData(string field, Span<byte> buffer)
    {
        ClientId.TryWriteBytes(buffer[..16]);
        SubjectId.TryWriteBytes(buffer.Slice(16, 16));
        var written = Encoding.UTF8.GetBytes(field, buffer[32..]);
        return buffer[..(32 + written)];
    }

    /// <summary>A copy of the key, for a cache that makes one <see cref="DataKey"/> per use (AesGcm is not shared across threads).</summary>
    internal byte[] ExportMaterial() => (byte[])_material.Clone();

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_material);
    }
}
