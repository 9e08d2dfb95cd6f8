using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Steward.Data;

namespace Steward.Crypto;

/// <summary>
/// The key ring of key-encryption keys: the current KEK wraps every new data key; retired ones still unwrap the
/// keys they wrapped until a rotation has re-wrapped them all. Each key's id (8 hex digits of a hash, not the key)
/// is written beside every wrapped key, so unwrapping picks the right one.
/// </summary>
/// <remarks>
/// Keys come from configuration (<see cref="KeyOptions"/>) or, when none is configured, from files in the data
/// directory: <c>kek.key</c> (current) and <c>kek-retired-*.key</c>. In that second mode the ring follows the files,
/// so a rotation run by <c>steward keys rotate</c> reaches running servers without a restart.
/// An AesGcm instance is not safe across threads (a shared one corrupts wraps under load), so each call makes its own.
/// </remarks>
public sealed partial class KeyEncryptionKey : IDisposable
{
    public const string GeneratedFileName = "kek.key";
    public const string RetiredFilePrefix = "kek-retired-";

    private readonly KeyOptions _options;
    private readonly string _directory;
    private readonly ILogger _log;
    private readonly Lock _reload = new();
    private Ring _ring;
    private DateTime _currentWritten;

    private sealed record Ring(string CurrentId, byte[] Current, Dictionary<string, byte[]> All);

    public KeyEncryptionKey(IOptions<KeyOptions> keys, IOptions<StorageOptions> storage, ILogger<KeyEncryptionKey> log)
    {
        _options = keys.Value;
        _directory = storage.Value.FullDataDirectory;
        _log = log;
        _ring = Load();
    }

    /// <summary>The id of the current KEK, the one new keys are wrapped with.</summary>
    public string Id => Current.CurrentId;

    /// <summary>Every KEK id the ring can unwrap: the current one and the retired ones.</summary>
    public IReadOnlyCollection<string> Ids => Current.All.Keys;

    /// <summary>Keys kept in files of the data directory (no KEK configured): rotation can make and retire them itself.</summary>
    public bool IsGenerated => string.IsNullOrWhiteSpace(_options.KeyEncryptionKey) && string.IsNullOrWhiteSpace(_options.KeyFile);

    private Ring Current
    {
        get
        {
            // a stat per call: cheap next to the crypto and the commit, and a rotation reaches this process at once
            if (IsGenerated && File.GetLastWriteTimeUtc(Path.Combine(_directory, GeneratedFileName)) != _currentWritten) Reload();
            return _ring;
        }
    }

    public static string IdOf(ReadOnlySpan<byte> material) =>
        Convert.ToHexStringLower(SHA256.HashData([.. "steward-kek-id:"u8, .. material])[..4]);

    private void Reload()
    {
        lock (_reload)
        {
            // a current key file that vanished is an operator's mistake: keep what is loaded, never make a new one
            if (File.Exists(Path.Combine(_directory, GeneratedFileName))) _ring = Load();
        }
    }

    private Ring Load()
    {
        var all = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] current;
        if (!IsGenerated)
        {
            current = !string.IsNullOrWhiteSpace(_options.KeyEncryptionKey)
                ? Decode(_options.KeyEncryptionKey, "Steward:Keys:KeyEncryptionKey")
                : File.Exists(_options.KeyFile) ? Decode(File.ReadAllText(_options.KeyFile), _options.KeyFile)
                : throw new InvalidOperationException($"Steward:Keys:KeyFile '{_options.KeyFile}' does not exist.");
            for (var i = 0; i < _options.Retired.Length; i++) Add(all, Decode(_options.Retired[i], $"Steward:Keys:Retired:{i}"));
        }
        else
        {
            var path = Path.Combine(_directory, GeneratedFileName);
            if (!File.Exists(path))
            {
                WriteKeyFile(path, RandomNumberGenerator.GetBytes(32));
                LogGenerated(_log, path);
            }
            _currentWritten = File.GetLastWriteTimeUtc(path);
            current = Decode(File.ReadAllText(path), path);
            foreach (var file in Directory.EnumerateFiles(_directory, RetiredFilePrefix + "*.key")) Add(all, Decode(File.ReadAllText(file), file));
        }
        return new Ring(Add(all, current), current, all);
    }

    private static string Add(Dictionary<string, byte[]> ring, byte[] material)
    {
        var id = IdOf(material);
        ring[id] = material;
        return id;
    }

    /// <summary>
    /// Generated mode only: makes a new current KEK and keeps the old one as retired, so that both unwrap until
    /// every key is re-wrapped. Answers the new id.
    /// </summary>
    public string RotateGenerated()
    {
        if (!IsGenerated) throw new InvalidOperationException("The KEK is configured: set the new one as Steward:Keys:KeyEncryptionKey and the old one under Steward:Keys:Retired.");
        lock (_reload)
        {
            var old = _ring;
            WriteKeyFile(Path.Combine(_directory, RetiredFilePrefix + old.CurrentId + ".key"), old.Current, overwrite: true);
            var next = RandomNumberGenerator.GetBytes(32);
            var temp = Path.Combine(_directory, GeneratedFileName + ".new");
            WriteKeyFile(temp, next, overwrite: true);
            File.Move(temp, Path.Combine(_directory, GeneratedFileName), overwrite: true);
            _ring = Load();
            return _ring.CurrentId;
        }
    }

    /// <summary>Generated mode only: deletes a retired KEK's file. Call only once no key is wrapped under it.</summary>
    public void DestroyRetired(string id)
    {
        if (!IsGenerated) return;
        lock (_reload)
        {
            if (id == _ring.CurrentId) throw new InvalidOperationException("The current KEK is never destroyed.");
            var path = Path.Combine(_directory, RetiredFilePrefix + id + ".key");
            if (File.Exists(path))
            {
                // overwrite before deleting: the file system may keep the blocks, but not the key in them
                File.WriteAllBytes(path, new byte[64]);
                File.Delete(path);
            }
            _ring = Load();
        }
    }

    private static void WriteKeyFile(string path, byte[] key, bool overwrite = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = overwrite ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new StreamWriter(path, Encoding.ASCII, options);
        file.Write(Convert.ToBase64String(key));
    }

    private static byte[] Decode(string text, string source)
    {
        byte[] key;
        try { key = Convert.FromBase64String(text.Trim()); }
        catch (FormatException) { throw new InvalidOperationException($"The key-encryption key in {source} is not base64."); }
        return key.Length == 32 ? key
            : throw new InvalidOperationException($"The key-encryption key in {source} must be 32 bytes (base64), not {key.Length}.");
    }

    /// <summary>The KEK id a wrapped key was made under.</summary>
    public static string WrappedBy(ReadOnlySpan<byte> wrapped) =>
        wrapped.Length < 33 || wrapped[0] != 1 ? throw new CryptographicException("Unknown wrapped-key format.")
            : Convert.ToHexStringLower(wrapped.Slice(1, 4));

    /// <summary>Wraps a data key under the current KEK: version 1 | KEK id (4) | nonce (12) | ciphertext | tag (16).</summary>
    public byte[] Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        var ring = Current;
        using var aes = new AesGcm(ring.Current, 16);
        return WrapWith(aes, Convert.FromHexString(ring.CurrentId), dataKey, associatedData);
    }

    private static byte[] WrapWith(AesGcm aes, ReadOnlySpan<byte> kekId, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[1 + 4 + 12 + dataKey.Length + 16];
        output[0] = 1;
        kekId.CopyTo(output.AsSpan(1, 4));
        var nonce = output.AsSpan(5, 12);
        Nonces.Fill(nonce);
        aes.Encrypt(nonce, dataKey, output.AsSpan(17, dataKey.Length), output.AsSpan(17 + dataKey.Length), associatedData);
        return output;
    }

    /// <summary>
    /// Wraps many new keys (a batch of an import) under the current KEK with one AesGcm and one look at the key file
    /// for the whole batch, not one of each per key. Every key of the batch is wrapped by the KEK named by
    /// <see cref="BatchWrap.Id"/>, even if a rotation lands meanwhile. For one caller on one thread (AesGcm is not
    /// thread-safe), for one batch: dispose it when the batch is done. Each wrap still draws its own nonce.
    /// </summary>
    public BatchWrap Wrapper()
    {
        var ring = Current;
        return new BatchWrap(ring.CurrentId, ring.Current);
    }

    public sealed class BatchWrap : IDisposable
    {
        private readonly byte[] _id;
        private readonly AesGcm _aes;

        internal BatchWrap(string id, byte[] material)
        {
            Id = id;
            _id = Convert.FromHexString(id);
            _aes = new AesGcm(material, 16);
        }

        /// <summary>The id of the KEK this batch wraps under, to store beside each wrapped key.</summary>
        public string Id { get; }

        public byte[] Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData) => WrapWith(_aes, _id, dataKey, associatedData);

        public void Dispose() => _aes.Dispose();
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
    {
        var key = new byte[wrapped.Length - 33];
        using var aes = new AesGcm(MaterialOf(WrappedBy(wrapped)), 16);
        aes.Decrypt(wrapped.Slice(5, 12), wrapped.Slice(17, key.Length), wrapped[(17 + key.Length)..], key, associatedData);
        return key;
    }

    /// <summary>
    /// Unwraps many keys (a page of an export) with one AesGcm per KEK instead of one per key (PERFORMANCE.md:
    /// +1.65 µs an object). For one caller on one thread, for one batch: dispose it when the batch is done.
    /// </summary>
    public BatchUnwrap Unwrapper() => new(this);

    private byte[] MaterialOf(string id)
    {
        if (Current.All.TryGetValue(id, out var material)) return material;
        // another process may have rotated since this one loaded its ring
        if (IsGenerated) Reload();
        return _ring.All.TryGetValue(id, out material) ? material
            : throw new CryptographicException($"The key was wrapped by key-encryption key {id}, which this key ring does not hold.");
    }

    public sealed class BatchUnwrap(KeyEncryptionKey kek) : IDisposable
    {
        private readonly Dictionary<string, AesGcm> _byId = new(StringComparer.Ordinal);

        public byte[] Unwrap(ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> associatedData)
        {
            var id = WrappedBy(wrapped);
            if (!_byId.TryGetValue(id, out var aes)) _byId[id] = aes = new AesGcm(kek.MaterialOf(id), 16);
            var key = new byte[wrapped.Length - 33];
            aes.Decrypt(wrapped.Slice(5, 12), wrapped.Slice(17, key.Length), wrapped[(17 + key.Length)..], key, associatedData);
            return key;
        }

        public void Dispose()
        {
            foreach (var aes in _byId.Values) aes.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var material in _ring.All.Values) CryptographicOperations.ZeroMemory(material);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "No key-encryption key was configured: generated one at {Path}. Keep it apart from the data and its backups, " +
        "or set Steward:Keys:KeyFile or Steward__Keys__KeyEncryptionKey.")]
    private static partial void LogGenerated(ILogger log, string path);
}
