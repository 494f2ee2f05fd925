namespace OpenUM.Sip.Transport;

// One path to a peer: a TCP/TLS stream, or a (socket, remote endpoint) pair for UDP. Transactions and
// dialogs hold on to it so responses go back the way the request came (RFC 3261 §18.2.2).
internal abstract class SipConnection
{
    private readonly CancellationTokenSource _closed = new();
    private int _users;
    private long _lastActivity;

    protected SipConnection(SipConnectionInfo info, TimeProvider time)
    {
        Info = info;
        Time = time;
        _lastActivity = time.GetTimestamp();
    }

    public SipConnectionInfo Info { get; }

    protected TimeProvider Time { get; }

    // RFC 3261 §17: reliable transports (TCP/TLS) do not retransmit requests (Timer A/E) or non-2xx
    // responses (Timer G), and the absorb timers D, I, J, K are zero.
    public abstract bool IsReliable { get; }

    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => _closed.IsCancellationRequested;

    // Transactions and dialogs using this connection; an idle connection is closed only when zero.
    public int Users => Volatile.Read(ref _users);

    public void AddUser() => Interlocked.Increment(ref _users);

    public void RemoveUser() => Interlocked.Decrement(ref _users);

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Touch() => Volatile.Write(ref _lastActivity, Time.GetTimestamp());

    // Queues bytes for sending without waiting; false if the connection is closed or overloaded.
    public abstract bool Send(ReadOnlyMemory<byte> data);

    // Closes the connection; queued bytes are flushed first when graceful.
    public abstract void Close(bool graceful);

    protected void MarkClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (AggregateException)
        {
            // A registration callback threw; it is the callback owner's fault, not the transport's.
        }
    }

    public override string ToString() => $"{Info.Id} {Info.Transport} {Info.Remote}";
}
