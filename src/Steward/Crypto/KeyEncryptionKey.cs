using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Crypto;

/// <summary>The KEK, loaded once. Its id (8 hex digits of a hash, not the key) is written beside every wrapped key.</summary>
/// <remarks>An AesGcm instance is not safe across threads (a shared one corrupts wraps under load), so each call makes its own.</remarks>
public sealed partial class KeyEncryptionKey : IDisposable
{
    public const string GeneratedFileName = "kek.key";
    private readonly byte[] _material;

    public KeyEncryptionKey(IOptions<KeyOptions> keys, IOptions<StorageOptions> storage, ILogger<KeyEncryptionKey> log)
    {
        var material = Load(keys.Value, storage.Value, log);
        Id = Convert.ToHexStringLower(SHA256.HashData([.. "steward-kek-id:"u8, .. material])[..4]);
        _material = material;
    }

    public string Id { get; }

    private static byte[] Load(KeyOptions keys, StorageOptions storage, ILogger log)
    {
        if (!string.IsNullOrWhiteSpace(keys.KeyEncryptionKey)) return Decode(keys.KeyEncryptionKey, "Steward:Keys:KeyEncryptionKey");
        if (!string.IsNullOrWhiteSpace(keys.KeyFile))
        {
            if (!File.Exists(keys.KeyFile)) throw new InvalidOperationException($"Steward:Keys:KeyFile '{keys.KeyFile}' does not exist.");
            return Decode(File.ReadAllText(keys.KeyFile), keys.KeyFile);
        }
        var path = Path.Combine(storage.FullDataDirectory, GeneratedFileName);
        if (File.Exists(path)) return Decode(File.ReadAllText(path), path);

        Directory.CreateDirectory(storage.FullDataDirectory);
        var key = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, Encoding.ASCII, options)) file.Write(Convert.ToBase64String(key));
        LogGenerated(log, path);
        return key;
    }

    private static byte[] Decode(string text, string source)
    {
        byte[] key;
        try { key = Convert.FromBase64String(text.Trim()); }
        catch (FormatException) { throw new InvalidOperationException($"The key-encryption key in {source} is not base64."); }
        return key.Length == 32 ? key
            : throw new InvalidOperationException($"The key-encryption key in {source} must be 32 bytes (base64), not {key.Length}.");
    }

    /// <summary>Wraps a data key: version 1 | KEK id (4) | nonce (12) | ciphertext | tag (16).</summary>
    public byte[] Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[1 + 4 + 12 + dataKey.Length + 16];
        output[0] = 1;
        Convert.FromHexString(Id).CopyTo(output, 1);
        var nonce = output.AsSpan(5, 12);
        Nonces.Fill(nonce);
        using var aes = new AesGcm(_material, 16);
        aes.Encrypt(nonce, dataKey, output.AsSpan(17, dataKey.Length), output.AsSpan(17 + dataKey.Length), associatedData);
        return output;
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        if (wrapped.Length < 33 || wrapped[0] != 1) throw new CryptographicException("Unknown wrapped-key format.");
        if (!Convert.ToHexStringLower(wrapped.Slice(1, 4)).Equals(Id, StringComparison.Ordinal))
            throw new CryptographicException("The key was wrapped by another key-encryption key.");
        var key = new byte[wrapped.Length - 33];
        using var aes = new AesGcm(_material, 16);
        aes.Decrypt(wrapped.Slice(5, 12), wrapped.Slice(17, key.Length), wrapped[(17 + key.Length)..], key, associatedData);
        return key;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_material);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "No key-encryption key was configured: generated one at {Path}. Keep it apart from the data and its backups, " +
        "or set Steward:Keys:KeyFile or Steward__Keys__KeyEncryptionKey.")]
    private static partial void LogGenerated(ILogger log, string path);
}
