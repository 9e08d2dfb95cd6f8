namespace Steward.Crypto;

/// <summary>
/// The key-encryption key (KEK) that wraps every data key. Never in source: from the environment
/// (<c>Steward__Keys__KeyEncryptionKey</c>, base64 of 32 bytes), from a file, or generated on first run.
/// </summary>
public sealed class KeyOptions
{
    public string? KeyEncryptionKey { get; set; }
    public string? KeyFile { get; set; }

    /// <summary>Earlier KEKs (base64) that still unwrap the keys they wrapped, until <c>steward keys rotate</c> re-wraps them.</summary>
    public string[] Retired { get; set; } = [];
}
