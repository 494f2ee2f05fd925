using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transport;

// A TCP or TLS connection: the stream (NetworkStream, or SslStream wrapping it) is framed with
// System.IO.Pipelines. Reading runs as a loop. A send is written at once on the sender's thread when nothing else is
// being written (the usual case: the socket takes it, no thread hand-off); otherwise it is queued behind the write in
// progress, and a write the socket cannot take at once (a slow peer) goes on asynchronously, so a timer callback or a
// read loop never waits on a peer. A message must be complete MessageTimeout after its first byte, so a peer trickling
// bytes (slowloris) cannot hold the connection by resetting the idle timer.
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
    private readonly SendQueue _sendQueue = new();
    private readonly TaskCompletionSource _writesEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
    private int _writesFinished;

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
        var queued = _sendQueue.TryAdd(data, out bool writer);
        if (!writer) return queued;
        // This thread now owns the writer until the queue is empty or a write has to wait. The read loop, answering
        // one of the messages of its read, keeps the role until it has handled them all (Release).
        if (t_reading == this) _holding = true;
        else Drain();
        return queued;
    }

    // The connection whose read loop runs on this thread, while it handles the messages of one read: what it sends
    // meanwhile (a BYE's 200, a CANCEL's 200 and 487) goes out in one write, one TLS record and one send(2) for all.
    [ThreadStatic] private static SipStreamConnection? t_reading;
    private bool _holding; // the read loop holds the writer's role with data queued (read loop only)

    private void Release()
    {
        t_reading = null;
        if (!_holding) return;
        _holding = false;
        Drain();
    }

    public override void Close(bool graceful)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            if (!graceful) _abort.Cancel();
            return;
        }
        // Without a write in progress nothing is left to flush: the write side ends here. Otherwise its writer ends it
        // once the queue is out, or fails when the abort below (or the close guard) cancels its write.
        bool idle = _sendQueue.Complete();
        if (!graceful)
        {
            _abort.Cancel();
            if (idle) FinishWrites();
            return;
        }
        if (idle)
        {
            FinishWrites();
            return;
        }
        // The writer at work writes the queue out, then shuts the socket; the read loop then ends.
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
            await _writesEnded.Task.ConfigureAwait(false);
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
            Touch();
            t_reading = this;
            try
            {
                if (!HandleRead(sink, limits, result.Buffer)) return;
            }
            finally
            {
                Release();
            }
            if (result.IsCompleted || result.IsCanceled) return;
        }
    }

    // The messages of one read, handled in order; false when the connection is to end.
    private bool HandleRead(ISipTransportSink sink, SipParserLimits limits, ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            var outcome = SipParser.TryParsePooled(buffer, limits, out var message, out var rejection,
                out var consumed, out var examined);
            if (outcome == SipParseResult.Complete && message is not null)
            {
                buffer = buffer.Slice(consumed);
                // The deadline was this message's, and it came in time: dropped before it is handled (a slow handler
                // must not let the deadline cut the connection).
                if (_messageDeadline is not null)
                {
                    _messageDeadline.Cancel();
                    _messageDeadline = null;
                }
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
                    return false;
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
                return false;
            }
            WatchMessage(buffer.Slice(consumed));
            _reader.AdvanceTo(consumed, examined);
            return true;
        }
    }

    private bool IsClosing => Volatile.Read(ref _closing) != 0;

    // Arms the message deadline when a message has started (bytes other than keep-alive CRLFs are waiting), keeps
    // it while the same message grows, re-arms it for a message that started after one completed, and drops it
    // when nothing is pending. Complete messages in one read (the usual case) cost no timer at all.
    private void WatchMessage(in ReadOnlySequence<byte> pending)
    {
        bool started = !IsOnlyLineBreaks(pending);
        Volatile.Write(ref _pendingBytes, started ? pending.Length : 0);
        if (_messageDeadline is not null && !started)
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

    // Writes the queue out on the calling thread, which the queue made its writer. A flush the socket cannot take at once
    // continues asynchronously (DrainLaterAsync), so no sender waits on the peer.
    private void Drain()
    {
        try
        {
            while (true)
            {
                if (!_sendQueue.TakeAll(_writer, out long bytes, out bool ended))
                {
                    if (ended) FinishWrites();
                    return;
                }
                Interlocked.Add(ref _queuedBytes, -bytes);
                var flush = _writer.FlushAsync(_abort.Token);
                if (!flush.IsCompleted)
                {
                    _ = DrainLaterAsync(flush);
                    return;
                }
                if (flush.Result is { IsCompleted: false, IsCanceled: false }) continue;
                FinishWrites();
                return;
            }
        }
        catch (Exception ex)
        {
            WriteFailed(ex);
        }
    }

    private async Task DrainLaterAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            var result = await flush.ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                FinishWrites();
                return;
            }
        }
        catch (Exception ex)
        {
            WriteFailed(ex);
            return;
        }
        Drain();
    }

    private void WriteFailed(Exception ex)
    {
        // The peer went away while we were writing, or we aborted; anything else is worth a (throttled) report.
        if (ex is not (IOException or SocketException or OperationCanceledException or ObjectDisposedException))
            _manager.LogFailure(ex, Info.Id, Info.Remote);
        FinishWrites();
    }

    // The write side is done (queue out after a close, a write failed, or aborted): ends the read loop as well, since
    // shutting the socket fails the pending read. Runs once.
    private void FinishWrites()
    {
        if (Interlocked.Exchange(ref _writesFinished, 1) != 0) return;
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
        _writesEnded.TrySetResult();
    }

    private void MarkClosing()
    {
        Interlocked.Exchange(ref _closing, 1);
        _sendQueue.Complete();
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
