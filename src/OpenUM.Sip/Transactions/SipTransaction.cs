using Microsoft.Extensions.Logging;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Transactions;

// What transactions need from the stack: the clock, the timer values, and a way to leave the table.
internal interface ISipTransactionHost
{
    TimerWheel Wheel { get; }

    SipTimerValues Timers { get; }

    ILogger Logger { get; }

    void OnTransactionTerminated(SipTransaction transaction);
}

// Common shape of the four RFC 3261 §17 state machines: a key in the transaction table, the connection
// messages go out on, a lock that serialises network input, timer firings and TU calls.
internal abstract class SipTransaction
{
    protected readonly object Sync = new();
    private int _terminated;

    protected SipTransaction(ISipTransactionHost host, string key, SipConnection connection, SipMessage request)
    {
        Host = host;
        Key = key;
        Connection = connection;
        _request = request;
        connection.AddUser();
    }

    public string Key { get; }

    public SipConnection Connection { get; }

    // The request the transaction is for. An INVITE answered with a 2xx lets it go (ReleaseRequest): RFC 6026's Accepted
    // state only absorbs retransmissions for 64*T1, and at thousands of calls a second 32 s of requests is a heap.
    public SipMessage Request => _request ?? throw new InvalidOperationException("the transaction has let its request go");

    private SipMessage? _request;

    protected void ReleaseRequest() => _request = null;

    public bool IsTerminated => Volatile.Read(ref _terminated) != 0;

    protected ISipTransactionHost Host { get; }

    protected bool Reliable => Connection.IsReliable;

    protected TimerWheelEntry Schedule(TimeSpan delay, Action<object?> callback) =>
        Host.Wheel.Schedule(delay, callback, this);

    protected void Send(ReadOnlyMemory<byte> bytes) => Connection.Send(bytes);

    // Idempotent; removes the transaction from the table and releases the connection.
    protected void Terminate()
    {
        if (Interlocked.Exchange(ref _terminated, 1) != 0) return;
        OnTerminated();
        Connection.RemoveUser();
        Host.OnTransactionTerminated(this);
    }

    // Cancels the subclass's timers; called once, under no particular lock.
    protected abstract void OnTerminated();

    protected static void Stop(ref TimerWheelEntry? entry)
    {
        entry?.Cancel();
        entry = null;
    }
}
