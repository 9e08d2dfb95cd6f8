using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Steward.Bench;

/// <summary>
/// Steward's crypto done straight on the platform primitives, for the raw limits: a new random 32-byte key per
/// contact, AES-GCM wrapped by the KEK, AES-GCM seals bound to client, contact and field, an HMAC-SHA256 blind
/// index and a SHA-256 chained audit hash. The byte formats are Steward's, so either side can read the other's
/// rows, but none of Steward's code runs here.
/// </summary>
internal sealed class RawCrypto : IDisposable
{
    private const int TagSize = 16;
    private readonly byte[] _kekId;
    private readonly byte[] _indexRoot;
    // AesGcm is not safe to share between threads: one KEK object per thread
    private readonly ThreadLocal<AesGcm> _kek;

    public RawCrypto(byte[] kek, string kekId, byte[] blindIndexRoot)
    {
        var material = (byte[])kek.Clone();
        _kek = new ThreadLocal<AesGcm>(() => new AesGcm(material, TagSize), trackAllValues: true);
        KekId = kekId;
        _kekId = Convert.FromHexString(kekId);
        _indexRoot = blindIndexRoot;
    }

    /// <summary>The KEK's id as the key store records it beside each wrapped key.</summary>
    public string KekId { get; }

    public sealed record SealedContact(byte[] Wrapped, byte[] EmailSealed, byte[] FirstNameSealed, byte[] EmailIndex);

    /// <summary>The per-client blind-index key, derived once per client from the deployment's root.</summary>
    public byte[] IndexKey(Guid clientId) => HMACSHA256.HashData(_indexRoot,
        Encoding.UTF8.GetBytes("steward/blind-index/v1/" + clientId.ToString("N", CultureInfo.InvariantCulture)));

    public static byte[] EmailIndex(byte[] indexKey, string email) =>
        HMACSHA256.HashData(indexKey, Encoding.UTF8.GetBytes("email:" + email.Trim().ToLowerInvariant()));

    /// <summary>A new contact's key, wrapped, and its two fields sealed under it; one CSPRNG call for key and nonces.</summary>
    public SealedContact Seal(Guid clientId, Guid contactId, byte[] indexKey, string email, string firstName)
    {
        Span<byte> random = stackalloc byte[32 + 3 * 12];
        RandomNumberGenerator.Fill(random);
        var key = random[..32];
        var wrapped = Wrap(clientId, contactId, key, random.Slice(32, 12));
        using var aes = new AesGcm(key, TagSize);
        var emailSealed = SealField(aes, clientId, contactId, "email", email, random.Slice(44, 12));
        var firstSealed = SealField(aes, clientId, contactId, "firstName", firstName, random.Slice(56, 12));
        CryptographicOperations.ZeroMemory(random);
        return new SealedContact(wrapped, emailSealed, firstSealed, EmailIndex(indexKey, email));
    }

    /// <summary>Unwraps the contact's key and opens its two fields.</summary>
    public (string Email, string FirstName) Open(Guid clientId, Guid contactId, byte[] wrapped, byte[] emailSealed,
        byte[] firstNameSealed)
    {
        Span<byte> key = stackalloc byte[32];
        Unwrap(clientId, contactId, wrapped, key);
        using var aes = new AesGcm(key, TagSize);
        CryptographicOperations.ZeroMemory(key);
        return (OpenField(aes, clientId, contactId, "email", emailSealed),
            OpenField(aes, clientId, contactId, "firstName", firstNameSealed));
    }

    /// <summary>Whether a stored wrapped key still opens (an integrity check after the write figures).</summary>
    public bool CanUnwrap(Guid clientId, Guid contactId, byte[] wrapped)
    {
        Span<byte> key = stackalloc byte[32];
        try
        {
            Unwrap(clientId, contactId, wrapped, key);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The audit event's hash: previous hash, big-endian sequence number, then the event's fields.</summary>
    public static byte[] ChainHash(byte[] previous, long seq, string content)
    {
        var text = Encoding.UTF8.GetBytes(content);
        var buffer = new byte[32 + 8 + text.Length];
        previous.CopyTo(buffer, 0);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(32), seq);
        text.CopyTo(buffer, 40);
        return SHA256.HashData(buffer);
    }

    // wrapped key: version 1 | KEK id (4) | nonce (12) | ciphertext (32) | tag (16); bound to client and contact
    private byte[] Wrap(Guid clientId, Guid contactId, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        var output = new byte[1 + 4 + 12 + key.Length + TagSize];
        output[0] = 1;
        _kekId.CopyTo(output, 1);
        nonce.CopyTo(output.AsSpan(5));
        Span<byte> context = stackalloc byte[46];
        WrapContext(clientId, contactId, context);
        _kek.Value!.Encrypt(nonce, key, output.AsSpan(17, key.Length), output.AsSpan(17 + key.Length), context);
        return output;
    }

    private void Unwrap(Guid clientId, Guid contactId, ReadOnlySpan<byte> wrapped, Span<byte> key)
    {
        if (wrapped.Length != 1 + 4 + 12 + 32 + TagSize || wrapped[0] != 1 || !wrapped.Slice(1, 4).SequenceEqual(_kekId))
            throw new CryptographicException("Not a key wrapped by this KEK.");
        Span<byte> context = stackalloc byte[46];
        WrapContext(clientId, contactId, context);
        _kek.Value!.Decrypt(wrapped.Slice(5, 12), wrapped.Slice(17, 32), wrapped[49..], key, context);
    }

    private static void WrapContext(Guid clientId, Guid contactId, Span<byte> context)
    {
        "steward/dek/v1"u8.CopyTo(context);
        clientId.TryWriteBytes(context.Slice(14, 16));
        contactId.TryWriteBytes(context.Slice(30, 16));
    }

    // sealed value: version 1 | nonce (12) | ciphertext | tag (16); bound to client, contact and field name
    private static byte[] SealField(AesGcm aes, Guid clientId, Guid contactId, string field, string value,
        ReadOnlySpan<byte> nonce)
    {
        var plaintext = Encoding.UTF8.GetBytes(value);
        var output = new byte[1 + 12 + plaintext.Length + TagSize];
        output[0] = 1;
        nonce.CopyTo(output.AsSpan(1));
        Span<byte> context = stackalloc byte[64];
        context = FieldContext(clientId, contactId, field, context);
        aes.Encrypt(nonce, plaintext, output.AsSpan(13, plaintext.Length), output.AsSpan(13 + plaintext.Length), context);
        return output;
    }

    private static string OpenField(AesGcm aes, Guid clientId, Guid contactId, string field, byte[] sealedValue)
    {
        var length = sealedValue.Length - 1 - 12 - TagSize;
        if (length < 0 || sealedValue[0] != 1) throw new CryptographicException("Unknown ciphertext format.");
        var plaintext = new byte[length];
        Span<byte> context = stackalloc byte[64];
        context = FieldContext(clientId, contactId, field, context);
        aes.Decrypt(sealedValue.AsSpan(1, 12), sealedValue.AsSpan(13, length), sealedValue.AsSpan(13 + length), plaintext, context);
        return Encoding.UTF8.GetString(plaintext);
    }

    private static Span<byte> FieldContext(Guid clientId, Guid contactId, string field, Span<byte> buffer)
    {
        clientId.TryWriteBytes(buffer[..16]);
        contactId.TryWriteBytes(buffer.Slice(16, 16));
        return buffer[..(32 + Encoding.UTF8.GetBytes(field, buffer[32..]))];
    }

    public void Dispose()
    {
        foreach (var aes in _kek.Values) aes.Dispose();
        _kek.Dispose();
    }
}
