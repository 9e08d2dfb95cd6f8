using System.Buffers.Binary;
using System.Security.Cryptography;
using Steward.Crypto;

namespace Steward.Backups;

/// <summary>
/// A backup file: a short header (magic, backup id) and then the snapshot in sealed chunks of at most 1 MiB, each
/// AES-256-GCM under the backup's own key with its index and whether it is the last as associated data, so chunks
/// cannot be reordered, dropped or cut off unnoticed. Written and read as a stream: a large database never sits in
/// memory, and no byte of the snapshot (not even the SQLite header) reaches the file in clear.
/// Chunk layout: last (1) | length of the sealed chunk (4, big-endian) | sealed chunk.
/// </summary>
public static class BackupFile
{
    private static readonly byte[] Magic = "STEWARD-BACKUP-1"u8.ToArray();
    public const int ChunkSize = 1 << 20;

    public static Stream OpenWrite(Stream file, Guid backupId, DataKey key) => new Writer(file, backupId, key);

    public static Stream OpenRead(Stream file, Guid backupId, DataKey key)
    {
        Span<byte> header = stackalloc byte[Magic.Length + 16];
        file.ReadExactly(header);
        if (!header[..Magic.Length].SequenceEqual(Magic) || new Guid(header[Magic.Length..]) != backupId)
            throw new CryptographicException("Not this backup's file.");
        return new Reader(file, key);
    }

    private static string Field(long index, bool last) => $"backup/chunk/{index}/{(last ? "last" : "more")}";

    private sealed class Writer : Stream
    {
        private readonly Stream _file;
        private readonly DataKey _key;
        private readonly byte[] _buffer = new byte[ChunkSize];
        private int _filled;
        private long _index;
        private bool _closed;

        public Writer(Stream file, Guid backupId, DataKey key)
        {
            (_file, _key) = (file, key);
            _file.Write(Magic);
            _file.Write(backupId.ToByteArray());
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0)
            {
                // a full buffer is sealed only when more follows, so the last chunk is always known as last
                if (_filled == ChunkSize) Seal(last: false);
                var take = Math.Min(data.Length, ChunkSize - _filled);
                data[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                data = data[take..];
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void Seal(bool last)
        {
            var sealedChunk = _key.Seal(Field(_index++, last), _buffer.AsSpan(0, _filled));
            Span<byte> prefix = stackalloc byte[5];
            prefix[0] = last ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt32BigEndian(prefix[1..], sealedChunk.Length);
            _file.Write(prefix);
            _file.Write(sealedChunk);
            _filled = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closed)
            {
                _closed = true;
                Seal(last: true);
                _file.Flush();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed class Reader(Stream file, DataKey key) : Stream
    {
        private byte[] _chunk = [];
        private int _position;
        private long _index;
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_position == _chunk.Length)
            {
                if (_ended) return 0;
                Next();
            }
            var take = Math.Min(buffer.Length, _chunk.Length - _position);
            _chunk.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => ValueTask.FromResult(Read(buffer.Span));

        private void Next()
        {
            Span<byte> prefix = stackalloc byte[5];
            try
            {
                file.ReadExactly(prefix);
            }
            catch (EndOfStreamException)
            {
                throw new CryptographicException("The backup file is cut short.");
            }
            var last = prefix[0] == 1;
            var length = BinaryPrimitives.ReadInt32BigEndian(prefix[1..]);
            if (prefix[0] > 1 || length is < 0 or > ChunkSize + 64) throw new CryptographicException("The backup file is damaged.");
            var sealedChunk = new byte[length];
            try
            {
                file.ReadExactly(sealedChunk);
            }
            catch (EndOfStreamException)
            {
                throw new CryptographicException("The backup file is cut short.");
            }
            _chunk = key.Open(Field(_index++, last), sealedChunk);
            _position = 0;
            if (last)
            {
                _ended = true;
                if (file.ReadByte() != -1) throw new CryptographicException("The backup file has data after its last chunk.");
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
