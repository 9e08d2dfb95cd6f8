using System.Security.Cryptography;

namespace Steward.Crypto;

/// <summary>
/// Random 96-bit nonces drawn from a per-thread buffer of CSPRNG output: one RandomNumberGenerator call per
/// 341 nonces instead of one each, which costs four times the encryption itself (PERFORMANCE.md).
/// </summary>
internal static class Nonces
{
    private const int BufferSize = 4092;
    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_offset;

    public static void Fill(Span<byte> nonce)
    {
        var buffer = t_buffer ??= new byte[BufferSize];
        if (t_offset == 0 || t_offset + nonce.Length > BufferSize)
        {
            RandomNumberGenerator.Fill(buffer);
            t_offset = 0;
        }
        buffer.AsSpan(t_offset, nonce.Length).CopyTo(nonce);
        // a nonce is never handed out twice: wipe what was taken
        buffer.AsSpan(t_offset, nonce.Length).Clear();
        t_offset += nonce.Length;
        if (t_offset + nonce.Length > BufferSize) t_offset = 0;
    }
}
