using System.Net.Sockets;

namespace OpenUM.Interop.Tests.Harness;

// The streams under the flood's SslStreams (the partial holding the API documents the class).
public static partial class StrangerFlood
{
    // The transport under SslStream: notes what the server's first TLS record was (0x16 handshake whose first
    // message is 0x02 ServerHello, or 0x15 alert) and whether the connection was reset, so that a failed
    // handshake can be classified without reading exception messages.
    private sealed class WatchedStream(NetworkStream inner) : Stream
    {
        private int _seen;
        private byte _type, _message;

        public byte FirstRecordType => _seen > 0 ? _type : (byte)0;
        public bool ServerHelloSeen => _seen >= 6 && _type == 0x16 && _message == 0x02;
        public bool Reset { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n;
            try { n = await inner.ReadAsync(buffer, ct); }
            catch (IOException e) when (e.InnerException is SocketException) { Reset = true; throw; }
            for (int i = 0; i < n && _seen < 6; i++, _seen++)
            {
                if (_seen == 0) _type = buffer.Span[i];
                else if (_seen == 5) _message = buffer.Span[i];
            }
            return n;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            try { await inner.WriteAsync(buffer, ct); }
            catch (IOException e) when (e.InnerException is SocketException) { Reset = true; throw; }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, default).GetAwaiter().GetResult();
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    // Records the first write (the ClientHello) and never answers.
    private sealed class CaptureStream : Stream
    {
        public TaskCompletionSource<byte[]> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Written.TrySetResult(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.TrySetResult(buffer.AsSpan(offset, count).ToArray());
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
        public override void Flush() { }
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
