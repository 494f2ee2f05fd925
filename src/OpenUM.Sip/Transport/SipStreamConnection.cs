using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transport;

// A TCP or TLS connection: the stream (NetworkStream, or SslStream wrapping it) is framed with
// System.IO.Pipelines; reading and writing run as two loops. Sends are queued so a timer callback or
// a read loop never waits on a slow peer. A message must be complete MessageTimeout after its first
// byte, so a peer trickling bytes (slowloris) cannot hold the connection by resetting the idle timer.
internal sealed class SipStreamConnection : SipConnection
{
    // A peer that stops reading must not make us buffer without bound.
    private const long MaxQueuedBytes = 4 * 1024 * 1024;

    // A graceful close that cannot flush (peer not reading) becomes an abort after this long.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<ReadOnlyMemory<byte>> _sendQueue =
        Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private readonly ILogger _logger;
    private readonly TimerWheel _wheel;
    private readonly SipTransportManager _manager;
    private TimerWheelEntry? _closeGuard;
    private TimerWheelEntry? _messageDeadline;
    private long _messageStarted;
    private long _pendingBytes;
    private long _queuedBytes;
    private int _closing;

    public SipStreamConnection(Socket socket, Stream stream, SipConnectionInfo info, SipTransportManager manager)
        : base(info, manager.Wheel.TimeProvider)
    {
        _manager = manager;
        _wheel = manager.Wheel;
        _socket = socket;
        _stream = stream;
        _logger = manager.Logger;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public override bool IsReliable => true;

    public override bool Send(ReadOnlyMemory<byte> data)
    {
        if (IsClosed || Volatile.Read(ref _closing) != 0) return false;
        if (Interlocked.Add(ref _queuedBytes, data.Length) > MaxQueuedBytes)
        {
            SipLog.SendQueueOverflow(_logger, Info.Id, Info.Remote);
            Close(graceful: false);
            return false;
        }
        return _sendQueue.Writer.TryWrite(data);
    }

    public override void Close(bool graceful)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            if (!graceful) _abort.Cancel();
            return;
        }
        _sendQueue.Writer.TryComplete();
        if (!graceful)
        {
            _abort.Cancel();
            return;
        }
        // The write loop drains the queue, then shuts the socket; the read loop then ends.
        try
        {
            _closeGuard = _wheel.Schedule(CloseGrace, static s => ((SipStreamConnection)s!)._abort.Cancel(), this);
        }
        catch (ObjectDisposedException)
        {
            _abort.Cancel(); // the stack is shutting down
        }
    }

    // Runs until the peer disconnects or the connection is closed; never throws.
    public Task RunAsync(ISipTransportSink sink, SipParserLimits limits) => Completion = RunCoreAsync(sink, limits);

    // The connection's whole life, for an orderly shutdown of the stack.
    public Task Completion { get; private set; } = Task.CompletedTask;

    private async Task RunCoreAsync(ISipTransportSink sink, SipParserLimits limits)
    {
        var writeLoop = WriteLoopAsync();
        try
        {
            await ReadLoopAsync(sink, limits).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Peer reset, or we closed it: normal end of a connection.
        }
        catch (Exception ex)
        {
            _manager.LogFailure(ex, Info.Id, Info.Remote);
        }
        Close(graceful: true);
        try
        {
            await writeLoop.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _manager.LogFailure(ex, Info.Id, Info.Remote);
        }
        Shutdown();
        try
        {
            sink.OnClosed(this);
        }
        catch (Exception ex)
        {
            _manager.LogFailure(ex, Info.Id, Info.Remote);
        }
    }

    private async Task ReadLoopAsync(ISipTransportSink sink, SipParserLimits limits)
    {
        var token = _abort.Token;
        while (!IsClosing)
        {
            var result = await _reader.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            Touch();
            bool completed = false;
            while (true)
            {
                var outcome = SipParser.TryParsePooled(buffer, limits, out var message, out var rejection,
                    out var consumed, out var examined);
                if (outcome == SipParseResult.Complete && message is not null)
                {
                    buffer = buffer.Slice(consumed);
                    completed = true;
                    sink.OnMessage(this, message);
                    SipMessage.Return(message); // lent for the call above only
                    continue;
                }
                if (outcome == SipParseResult.Invalid && rejection is not null)
                {
                    sink.OnRejected(this, rejection);
                    if (!rejection.CanContinue)
                    {
                        _reader.AdvanceTo(buffer.End);
                        Close(graceful: true);
                        return;
                    }
                    buffer = buffer.Slice(consumed);
                    continue;
                }
                // Incomplete: a parser that lets the buffer grow past the cap would let a peer pin memory.
                if (buffer.Length > (long)limits.MaxMessageBytes + limits.MaxBodyBytes)
                {
                    SipLog.FramingLost(_logger, Info.Id, Info.Remote, buffer.Length);
                    _reader.AdvanceTo(buffer.End);
                    Close(graceful: false);
                    return;
                }
                WatchMessage(buffer.Slice(consumed), completed);
                _reader.AdvanceTo(consumed, examined);
                break;
            }
            if (result.IsCompleted || result.IsCanceled) return;
        }
    }

    private bool IsClosing => Volatile.Read(ref _closing) != 0;

    // Arms the message deadline when a message has started (bytes other than keep-alive CRLFs are waiting), keeps
    // it while the same message grows, re-arms it for a message that started after one completed, and drops it
    // when nothing is pending. Complete messages in one read (the usual case) cost no timer at all.
    private void WatchMessage(in ReadOnlySequence<byte> pending, bool completed)
    {
        bool started = !IsOnlyLineBreaks(pending);
        Volatile.Write(ref _pendingBytes, started ? pending.Length : 0);
        if (_messageDeadline is not null && (!started || completed))
        {
            _messageDeadline.Cancel();
            _messageDeadline = null;
        }
        if (!started || _messageDeadline is not null) return;
        _messageStarted = Time.GetTimestamp();
        try
        {
            _messageDeadline = _wheel.Schedule(_manager.Limits.MessageTimeout, static s => ((SipStreamConnection)s!).OnMessageDeadline(), this);
        }
        catch (ObjectDisposedException)
        {
            // The stack is shutting down; the connection goes with it.
        }
    }

    private static bool IsOnlyLineBreaks(in ReadOnlySequence<byte> pending)
    {
        foreach (var segment in pending)
        {
            if (segment.Span.IndexOfAnyExcept((byte)'\r', (byte)'\n') >= 0) return false;
        }
        return true;
    }

    // On the wheel's thread: the message is still incomplete at its deadline.
    private void OnMessageDeadline()
    {
        if (IsClosed || IsClosing) return;
        _manager.LogMessageTimeout(this, Time.GetElapsedTime(_messageStarted), Volatile.Read(ref _pendingBytes));
        Close(graceful: false);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _sendQueue.Reader;
        var token = _abort.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var data))
                {
                    Interlocked.Add(ref _queuedBytes, -data.Length);
                    _writer.Write(data.Span);
                }
                var flush = await _writer.FlushAsync(token).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer went away while we were writing.
        }
        finally
        {
            // Ends the read loop as well: closing the socket fails the pending read.
            MarkClosing();
            _abort.Cancel();
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already reset by the peer.
            }
            _reader.CancelPendingRead();
        }
    }

    private void MarkClosing()
    {
        Interlocked.Exchange(ref _closing, 1);
        _sendQueue.Writer.TryComplete();
    }

    private void Shutdown()
    {
        _closeGuard?.Cancel();
        _messageDeadline?.Cancel();
        MarkClosed();
        try
        {
            _reader.Complete();
            _writer.Complete();
            _stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Disposal of a broken stream can throw; the socket is gone either way.
        }
        _socket.Dispose();
    }
}
