using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Sip.Tests.Transport;

// The send path of a TCP connection against a real socket peer: a send is written on the sender's thread when no
// write is in progress, queued behind it otherwise, and a write the socket cannot take continues asynchronously.
// The wheel runs on a fake clock, so the 5-s guard of a graceful close never fires unless a test moves the clock.
public sealed class StreamSendPathTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    // Small socket buffers (the kernel doubles them) so that a peer that does not read is felt after a few KiB.
    private const int SocketBuffer = 16 * 1024;

    private const int QueueCap = 4 * 1024 * 1024;

    [Fact]
    public async Task Concurrent_senders_each_get_every_message_out_whole_and_in_their_order()
    {
        await using var pair = await ConnectedPair.OpenAsync();
        const int Senders = 8, PerSender = 400;
        var lines = new List<string>();
        var expectedBytes = 0;
        for (var s = 0; s < Senders; s++)
        {
            for (var n = 0; n < PerSender; n++) expectedBytes += Message(s, n).Length;
        }
        var reading = pair.ReadAsync(expectedBytes);

        using var start = new Barrier(Senders);
        var senders = Enumerable.Range(0, Senders).Select(s => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            var refused = 0;
            for (var n = 0; n < PerSender; n++)
            {
                if (!pair.Connection.Send(Message(s, n))) refused++;
            }
            return refused;
        }, TaskCreationOptions.LongRunning)).ToArray();

        Assert.All(await Task.WhenAll(senders).WaitAsync(HangGuard), refused => Assert.Equal(0, refused));
        var received = Encoding.ASCII.GetString(await reading.WaitAsync(HangGuard));
        var next = new int[Senders];
        foreach (var line in received.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "ss nnnnn xxx...": a message cut by another sender's bytes breaks its length or its filler.
            var s = int.Parse(line.AsSpan(0, 2), provider: null);
            var n = int.Parse(line.AsSpan(3, 5), provider: null);
            Assert.Equal(Message(s, n), Encoding.ASCII.GetBytes(line + "\n"));
            Assert.Equal(next[s], n);
            next[s]++;
        }
        Assert.All(next, count => Assert.Equal(PerSender, count));
    }

    [Fact]
    public async Task What_the_read_loop_answers_to_the_messages_of_one_read_leaves_in_one_write()
    {
        await using var pair = await ConnectedPair.OpenAsync();
        pair.Sink.Answer = (connection, message) =>
            connection.Send(Encoding.ASCII.GetBytes($"answer to {message.CSeq!.Value.Number}\n"));
        var requests = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, 3).Select(Options)));
        const string Answers = "answer to 1\nanswer to 2\nanswer to 3\n";

        // One send(2) of three requests: on loopback one segment, which the read loop reads at once.
        Assert.Equal(requests.Length, pair.Peer.Send(requests));

        Assert.Equal(Answers, Encoding.ASCII.GetString(await pair.ReadAsync(Answers.Length).WaitAsync(HangGuard)));
        Assert.Equal(1, pair.Writes); // not one per answer: held until the read's three requests were handled
    }

    private static string Options(int cseq) =>
        $"OPTIONS sip:um@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-read-{cseq}\r\n" +
        $"From: <sip:gw@127.0.0.1>;tag=a{cseq}\r\nTo: <sip:um@127.0.0.1>\r\nCall-ID: read-{cseq}\r\n" +
        $"CSeq: {cseq} OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public async Task A_peer_that_stops_reading_does_not_hold_the_sender_and_gets_everything_once_it_reads()
    {
        await using var pair = await ConnectedPair.OpenAsync();
        var data = Pattern(1024 * 1024, seed: 1);

        // Far more than both socket buffers hold: a sender waiting for the peer would never get past this loop.
        var accepted = await Task.Run(() => SendInChunks(pair.Connection, data, 16 * 1024)).WaitAsync(HangGuard);

        Assert.Equal(data.Length, accepted);
        Assert.True(pair.Peer.Available < data.Length, "every send returned before the peer could have it all");
        Assert.False(pair.Closed.IsCompleted);
        Assert.Equal(data, await pair.ReadAsync(data.Length).WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_peer_that_never_reads_has_the_connection_closed_at_the_queue_cap()
    {
        await using var pair = await ConnectedPair.OpenAsync();
        var chunk = Pattern(64 * 1024, seed: 2);

        long accepted = 0;
        var refusedAt = -1;
        for (var i = 0; i < 2 * QueueCap / chunk.Length; i++)
        {
            if (!pair.Connection.Send(chunk))
            {
                refusedAt = i;
                break;
            }
            accepted += chunk.Length;
        }

        Assert.True(refusedAt > 0, "a send beyond the cap is refused");
        Assert.True(accepted >= QueueCap - chunk.Length, $"only {accepted} bytes were taken before the refusal");
        await pair.Closed.WaitAsync(HangGuard);
        Assert.Contains(2105, pair.Log.EventIds());
        Assert.False(pair.Connection.Send(chunk));
        // What was queued is dropped, not flushed: the peer sees the end before it could have it all.
        Assert.True(await pair.ReadToEndAsync().WaitAsync(HangGuard) < accepted);
    }

    [Fact]
    public async Task A_graceful_close_writes_out_what_was_queued_then_ends_the_connection()
    {
        await using var pair = await ConnectedPair.OpenAsync();
        var data = Pattern(512 * 1024, seed: 3);
        Assert.Equal(data.Length, SendInChunks(pair.Connection, data, 8 * 1024));

        pair.Connection.Close(graceful: true);

        Assert.False(pair.Connection.Send(data.AsMemory(0, 100)));
        Assert.False(pair.Closed.IsCompleted); // the queue is still going out: the peer has not read yet
        var received = await pair.ReadToEndBytesAsync().WaitAsync(HangGuard);
        Assert.Equal(data, received);
        await pair.Closed.WaitAsync(HangGuard);
        Assert.DoesNotContain(2105, pair.Log.EventIds());
    }

    [Fact]
    public async Task A_graceful_close_whose_queue_cannot_go_out_is_aborted_by_its_guard()
    {
        await using var pair = await ConnectedPair.OpenAsync();
        var data = Pattern(512 * 1024, seed: 4);
        SendInChunks(pair.Connection, data, 8 * 1024);

        pair.Connection.Close(graceful: true);
        Assert.False(pair.Closed.IsCompleted);
        pair.Time.Advance(TimeSpan.FromSeconds(6)); // past the close guard, the peer still not reading

        await pair.Closed.WaitAsync(HangGuard);
        Assert.True(await pair.ReadToEndAsync().WaitAsync(HangGuard) < data.Length);
    }

    private static int SendInChunks(SipConnection connection, byte[] data, int chunk)
    {
        var accepted = 0;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            var part = data.AsMemory(offset, Math.Min(chunk, data.Length - offset));
            if (!connection.Send(part)) break;
            accepted += part.Length;
        }
        return accepted;
    }

    // Sender s's message n: its numbers, then a filler of a length and letter of its own, then a line feed.
    private static byte[] Message(int s, int n) =>
        Encoding.ASCII.GetBytes($"{s:D2} {n:D5} {new string((char)('a' + s), 1 + (n * 37 % 300))}\n");

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    // A SipStreamConnection on the accepted side of a loopback TCP connection; the test holds the other side.
    private sealed class ConnectedPair : IAsyncDisposable
    {
        private readonly TimerWheel _wheel;
        private readonly Task _run;
        private readonly WriteCountingStream _stream;

        private ConnectedPair(Socket peer, Socket server)
        {
            Peer = peer;
            _wheel = new TimerWheel(Time);
            var manager = new SipTransportManager(Sink, _wheel, new SipUserAgentOptions(), Log);
            var info = new SipConnectionInfo("tcp-test", SipTransportKind.Tcp, (IPEndPoint)server.RemoteEndPoint!,
                (IPEndPoint)server.LocalEndPoint!, null);
            _stream = new WriteCountingStream(new NetworkStream(server, ownsSocket: false));
            Connection = new SipStreamConnection(server, _stream, info, manager);
            _run = Connection.RunAsync(Sink, new SipParserLimits());
        }

        public Socket Peer { get; }

        public FakeTimeProvider Time { get; } = new();

        public FakeLogger Log { get; } = new();

        public ClosingSink Sink { get; } = new();

        public SipStreamConnection Connection { get; }

        // Writes the connection made to its stream so far.
        public int Writes => _stream.Writes;

        public Task Closed => Sink.Closed.Task;

        public static async Task<ConnectedPair> OpenAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = SocketBuffer };
            var connecting = peer.ConnectAsync(listener.LocalEndPoint!);
            var server = await listener.AcceptAsync().WaitAsync(HangGuard);
            await connecting.WaitAsync(HangGuard);
            server.SendBufferSize = SocketBuffer;
            server.NoDelay = true;
            return new ConnectedPair(peer, server);
        }

        public async Task<byte[]> ReadAsync(int length)
        {
            var buffer = new byte[length];
            var read = 0;
            while (read < length)
            {
                var n = await Peer.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
                if (n == 0) throw new EndOfStreamException($"the connection ended after {read} of {length} bytes");
                read += n;
            }
            return buffer;
        }

        public async Task<byte[]> ReadToEndBytesAsync()
        {
            using var received = new MemoryStream();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var n = await Peer.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (n == 0) return received.ToArray();
                received.Write(buffer, 0, n);
            }
        }

        // Bytes read until the connection ends, by FIN or by reset.
        public async Task<long> ReadToEndAsync()
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            try
            {
                int n;
                while ((n = await Peer.ReceiveAsync(buffer.AsMemory(), SocketFlags.None)) > 0) total += n;
            }
            catch (SocketException)
            {
                // Reset: the connection ended with data still unread on our side.
            }
            return total;
        }

        public async ValueTask DisposeAsync()
        {
            Connection.Close(graceful: false);
            await _run.WaitAsync(HangGuard);
            Peer.Dispose();
            _wheel.Dispose();
        }
    }

    // The layer above the transport, reduced to what these tests watch: the end of the connection.
    private sealed class ClosingSink : ISipTransportSink
    {
        public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SipAddressAdmission AdmitAddress(IPAddress address, SipTransportKind kind) => SipAddressAdmission.Trusted;

        public void OnRefusedAddress(IPEndPoint remote, SipTransportKind kind) { }

        public bool Admit(SipConnectionInfo info) => true;

        public void OnRefused(SipConnectionInfo info) { }

        public void OnLimited(IPEndPoint remote, SipTransportKind kind, string limit) { }

        public void OnHandshakeFailed(SipConnectionInfo info, Exception error) { }

        public void OnOutgoingHandshakeFailed(SipConnectionInfo info, Exception error) { }

        // What the read loop does with a message (nothing unless a test says).
        public Action<SipConnection, SipMessage>? Answer { get; set; }

        public void OnMessage(SipConnection connection, SipMessage message) => Answer?.Invoke(connection, message);

        public void OnRejected(SipConnection connection, SipRejection rejection) { }

        public void OnClosed(SipConnection connection) => Closed.TrySetResult();
    }

    // The connection's stream, counting the writes that reach it.
    private sealed class WriteCountingStream(Stream inner) : Stream
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Increment(ref _writes);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writes);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
