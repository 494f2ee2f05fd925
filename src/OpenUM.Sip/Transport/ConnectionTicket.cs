using System.Net;

namespace OpenUM.Sip.Transport;

// One connection's place in the budget, from accept (or connect) to close: before the SIP connection exists
// it stands for the bare socket (a handshake in progress), afterwards it follows the connection's activity
// and users so the budget can tell an idle connection from one carrying a call.
internal sealed class ConnectionTicket
{
    private readonly IDisposable? _socket;
    private volatile SipConnection? _connection;
    private int _ended;

    public ConnectionTicket(IPAddress address, AddressSlots slots, bool stranger, long since, IDisposable? socket)
    {
        Address = address;
        Slots = slots;
        Stranger = stranger;
        Since = since;
        _socket = socket;
    }

    public IPAddress Address { get; }

    public AddressSlots Slots { get; }

    // In the strangers' pool (an unknown address attempting TLS) until its certificate names a gateway.
    public bool Stranger { get; set; }

    public long Since { get; }

    // Set when the budget took the slot back to make room; the handshake or connection is being aborted.
    public bool Evicted { get; private set; }

    public long LastActivity => _connection?.LastActivity ?? Since;

    // No dialog and no transaction: closing it loses nothing a peer cannot simply reconnect for.
    public bool Idle => (_connection?.Users ?? 0) == 0;

    public void Attach(SipConnection connection) => _connection = connection;

    // True once, for whoever ends the ticket first (release or eviction); counts are given back exactly once.
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    public bool Ended => Volatile.Read(ref _ended) != 0;

    public void MarkEvicted() => Evicted = true;

    // Ends the handshake or the connection at once; its owner sees the failure and releases nothing twice.
    public void Abort()
    {
        if (_connection is { } connection)
        {
            connection.Close(graceful: false);
            return;
        }
        try
        {
            _socket?.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // Closed by its owner meanwhile.
        }
    }
}

// The tickets of one remote address, and its rate bucket; guarded by Gate.
internal sealed class AddressSlots(TokenBucket bucket)
{
    public readonly Lock Gate = new();
    public readonly List<ConnectionTicket> Tickets = new(4);
    public TokenBucket Bucket = bucket;
    public int Trusted;
    public int Strangers;
    public bool Removed; // swept from the table: admission must look the address up again

    // The trusted ticket whose connection was used least recently and carries nothing; null when none is idle.
    public ConnectionTicket? OldestIdle()
    {
        ConnectionTicket? oldest = null;
        foreach (var ticket in Tickets)
        {
            if (ticket.Stranger || ticket.Ended || !ticket.Idle) continue;
            if (oldest is null || ticket.LastActivity < oldest.LastActivity) oldest = ticket;
        }
        return oldest;
    }

    // The stranger whose handshake started first.
    public ConnectionTicket? OldestStranger()
    {
        ConnectionTicket? oldest = null;
        foreach (var ticket in Tickets)
        {
            if (!ticket.Stranger || ticket.Ended) continue;
            if (oldest is null || ticket.Since < oldest.Since) oldest = ticket;
        }
        return oldest;
    }
}
