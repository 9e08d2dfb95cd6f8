using System.Security.Cryptography;

namespace Steward.Crypto;

/// <summary>
/// Random 96-bit nonces drawn from a per-thread buffer of CSPRNG output: one RandomNumberGenerator call per
/// 341 nonces instead of one each, which costs four times the encryption itself (PERFORMANCE.md).
/// </summary>
internal static class Nonces
{
    private const int BufferSize = 4092;
    [ThreadStatic] private static byte[]? _buffer;
    [ThreadStatic] private static int _offset;

    public static void Fill(Span<byte> nonce)
    {
        var buffer = _buffer ??= new byte[BufferSize];
        if (_offset == 0 || _offset + nonce.Length > BufferSize)
        {
            RandomNumberGenerator.Fill(buffer);
            _offset = 0;
        }
        buffer.AsSpan(_offset, nonce.Length).CopyTo(nonce);
        // a nonce is never handed out twice: wipe what was taken
        buffer.AsSpan(_offset, nonce.Length).Clear();
        _offset += nonce.Length;
        if (_offset + nonce.Length > BufferSize) _offset = 0;
    }
}
