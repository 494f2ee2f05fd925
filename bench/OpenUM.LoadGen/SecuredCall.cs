using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenUM.Media;
using OpenUM.Media.Rtp;
using OpenUM.Media.Srtp;

namespace OpenUM.LoadGen;

/// <summary>
/// One call's media: its RTP socket, its SRTP context and the packet buffer it is sent from (all made at set-up), and
/// the state the pacer advances once per tick (the pacer also reads the socket: no receive loop per call). Only the
/// pacer thread sends and changes the state after <see cref="Start"/>; the set-up task asks it to stop
/// (<see cref="RequestStop"/>) and waits for <see cref="Stopped"/>.
/// </summary>
internal sealed class SecuredCall : IDisposable
{
    // The server plays its greeting and beep, then records and sends nothing: this long without a packet from it (or
    // this long without any) means the recording has started. Wall time, not ticks: a pacer that fell behind runs
    // its ticks in a burst.
    private static readonly long Quiet = Stopwatch.Frequency * 3 / 2;    // 1.5 s: a loaded server pauses its greeting
    private static readonly long GreetingLimit = Stopwatch.Frequency * 30; // 30 s
    // After the last frame, before BYE: what is in flight reaches the recorder before the BYE ends the recording.
    private const int GraceTicks = 25;           // 500 ms
    // The greeting is read every 100 ms (a few packets per read instead of an empty read per tick); once the signal
    // streams the server sends nothing, and what comes anyway is read once a second.
    private const int GreetingDrainEveryTicks = 5;
    private const int DrainEveryTicks = 50;

    private const int Idle = 0, Greeting = 1, Streaming = 2, Grace = 3, Stopping = 4, Done = 5;

    private readonly Socket _socket;
    private readonly byte[] _packet;
    private readonly byte[] _receiveBuffer = new byte[2048];
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SrtpContext? _srtp;
    private SocketAddress? _remote;
    private int _payloadType;
    private int _state;
    private long _answeredAt, _graceUntil;
    private long _lastReceivedAt, _received;
    private ushort _sequence;
    private uint _timestamp;
    private readonly uint _ssrc;

    public SecuredCall(int index, IPAddress localAddress, int framesToSend)
    {
        Index = index;
        FramesToSend = framesToSend;
        _socket = new Socket(localAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(localAddress, 0));
        _socket.Blocking = false; // the pacer reads it between sends
        LocalPort = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _packet = GC.AllocateUninitializedArray<byte>(RtpHeader.FixedSize + TestSignal.FrameSize + 64, pinned: true);
        _ssrc = (uint)Random.Shared.Next() | 1u;
        _timestamp = (uint)Random.Shared.Next();
        _sequence = (ushort)Random.Shared.Next();
    }

    public int Index { get; }

    public int LocalPort { get; }

    public int FramesToSend { get; }

    /// <summary>Frames sent (pacer thread; read after <see cref="Stopped"/>).</summary>
    public int FramesSent { get; private set; }

    /// <summary>Time from the answer to the first frame: the greeting, the beep and the quiet time after them.</summary>
    public TimeSpan? GreetingTime { get; private set; }

    /// <summary>Silent frames sent while the greeting played.</summary>
    public int SilenceSent { get; private set; }

    /// <summary>Sends that failed (socket errors, SRTP refusals).</summary>
    public int SendErrors { get; private set; }

    /// <summary>Completes when the pacer has sent every frame and the grace time has passed, or after a stop request.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Arms the call with the negotiated media; the pacer starts with it on its next tick.</summary>
    public void Start(NegotiatedMedia media)
    {
        _srtp = new SrtpContext(media.Srtp!.Send);
        _remote = media.RemoteRtp.Serialize();
        _payloadType = media.PayloadType;
        _answeredAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, Greeting);
    }

    /// <summary>Ends the media now (the server hung up); the pacer acknowledges through <see cref="Stopped"/>.</summary>
    public void RequestStop()
    {
        if (Interlocked.CompareExchange(ref _state, Stopping, Greeting) != Greeting
            && Interlocked.CompareExchange(ref _state, Stopping, Streaming) != Streaming
            && Interlocked.CompareExchange(ref _state, Stopping, Grace) != Grace)
            _stopped.TrySetResult(); // never started, or already done
    }

    /// <summary>
    /// Pacer thread, once per tick (<paramref name="now"/>: Stopwatch time): reads what the server sent, sends this
    /// call's next frame; true while the call streams the signal.
    /// </summary>
    public bool OnTick(long tick, long now)
    {
        switch (Volatile.Read(ref _state))
        {
            case Greeting:
                if (tick % GreetingDrainEveryTicks == Index % GreetingDrainEveryTicks)
                    Drain(now);
                if (now - _answeredAt < GreetingLimit && (_received == 0 || now - _lastReceivedAt < Quiet))
                {
                    SendSilence();
                    return false;
                }
                if (Interlocked.CompareExchange(ref _state, Streaming, Greeting) != Greeting)
                    return false;
                GreetingTime = Stopwatch.GetElapsedTime(_answeredAt, now);
                goto case Streaming;
            case Streaming:
                if (tick % DrainEveryTicks == Index % DrainEveryTicks)
                    Drain(now);
                SendFrame();
                if (FramesSent >= FramesToSend)
                {
                    _graceUntil = tick + GraceTicks;
                    Interlocked.CompareExchange(ref _state, Grace, Streaming);
                }
                return true;
            case Grace:
                if (tick >= _graceUntil && Interlocked.CompareExchange(ref _state, Done, Grace) == Grace)
                    _stopped.TrySetResult();
                return false;
            case Stopping:
                Volatile.Write(ref _state, Done);
                _stopped.TrySetResult();
                return false;
            default:
                return false;
        }
    }

    /// <summary>Pacer thread: <paramref name="ticks"/> ticks passed without a send; the RTP clock moves on by as much.</summary>
    public void Skip(long ticks)
    {
        if (Volatile.Read(ref _state) is Greeting or Streaming)
            _timestamp += (uint)(ticks * TestSignal.FrameSize);
    }

    // Reads and drops what the server sent (its greeting), without blocking and without an exception per empty read.
    private void Drain(long now)
    {
        while (_socket.Receive(_receiveBuffer, SocketFlags.None, out var error) > 0 || error == SocketError.MessageSize)
        {
            _received++;
            _lastReceivedAt = now;
        }
    }

    // A caller listening to the greeting still sends (silence): the server learns and validates its media source then,
    // as with a real phone, so that the first frames of the signal are not the ones spent on that.
    private void SendSilence()
    {
        int header = RtpHeader.Write(_packet, _payloadType, SilenceSent == 0, _sequence, _timestamp, _ssrc);
        _packet.AsSpan(header, TestSignal.FrameSize).Fill(0xFF); // µ-law zero
        SilenceSent++;
        Send(header);
    }

    private void SendFrame()
    {
        int header = RtpHeader.Write(_packet, _payloadType, false, _sequence, _timestamp, _ssrc);
        TestSignal.WriteFrame((uint)Index, (uint)FramesSent, _packet.AsSpan(header));
        FramesSent++;
        Send(header);
    }

    private void Send(int header)
    {
        var packet = _packet.AsSpan();
        _sequence++;
        _timestamp += TestSignal.FrameSize;
        if (_srtp!.ProtectRtp(packet, header + TestSignal.FrameSize, out int length) != SrtpStatus.Ok)
        {
            SendErrors++;
            return;
        }
        try
        {
            _socket.SendTo(packet[..length], SocketFlags.None, _remote!);
        }
        catch (SocketException)
        {
            SendErrors++;
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _srtp?.Dispose();
    }
}
