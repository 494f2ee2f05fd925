using System.Collections.Concurrent;
using System.Net;

namespace OpenUM.Sip.Transport;

// Who may hold which connections, so that no stranger can exhaust what the gateways need:
// - every inbound connection first takes a token from its address's bucket (ConnectionRatePerAddress);
// - trusted peers (addresses of configured gateways, and our own outbound connections) share the
//   established budget, capped per address; at a cap the least recently used idle connection (no dialog,
//   no transaction) is evicted to make room, so idle or silent connections never lock a gateway out;
// - strangers (unknown addresses allowed to attempt TLS) have a separate pool for their handshakes, a quarter
//   of the trusted one, a few per address and a global handshake rate: they never evict a trusted connection
//   and a trusted connection never waits for them. Among themselves the oldest handshake makes room, so
//   silent strangers cannot hold the pool against a gateway with a dynamic address either.
// The total derives from the descriptors the process may open (DescriptorLimit), so we refuse before
// accept(2) fails with EMFILE for everyone.
internal sealed class ConnectionBudget
{
    internal const int StrangersPerAddress = 8;
    internal const double StrangerHandshakesPerSecond = 100;
    private const int MaxAddresses = 65_536;
    private const int SweepAbove = 4_096;

    private readonly ConcurrentDictionary<IPAddress, AddressSlots> _addresses = new();
    private readonly TimeProvider _time;
    private readonly long _frequency;
    private readonly int _descriptorShare;
    private readonly Action<ConnectionTicket> _evicted;
    private readonly Lock _strangerGate = new();
    private TokenBucket _strangerHandshakes;
    private volatile Caps _caps;
    private int _trusted, _strangers, _addressCount;
    private long _lastSweep;

    private sealed record Caps(int Trusted, int Strangers, int PerAddress, double Rate, double Burst);

    public ConnectionBudget(SipConnectionLimits limits, TimeProvider time, int descriptorShare, Action<ConnectionTicket> evicted)
    {
        _time = time;
        _frequency = time.TimestampFrequency;
        _descriptorShare = descriptorShare;
        _evicted = evicted;
        _caps = CapsFor(limits);
        _lastSweep = time.GetTimestamp();
        _strangerHandshakes = new TokenBucket(StrangerHandshakesPerSecond, _lastSweep);
    }

    public void Apply(SipConnectionLimits limits) => _caps = CapsFor(limits);

    private Caps CapsFor(SipConnectionLimits limits)
    {
        int total = Math.Max(1, Math.Min(limits.MaxConnections, _descriptorShare));
        double rate = Math.Max(1, limits.ConnectionRatePerAddress);
        return new Caps(total, Math.Max(4, total / 4), Math.Max(1, limits.MaxConnectionsPerAddress), rate, 2 * rate);
    }

    /// <summary>The cap on trusted connections in force (configured, bounded by the descriptor share).</summary>
    public int TrustedCap => _caps.Trusted;

    public int StrangerCap => _caps.Strangers;

    public int Trusted => Volatile.Read(ref _trusted);

    public int Strangers => Volatile.Read(ref _strangers);

    /// <summary>
    /// A slot for a new connection from <paramref name="address"/>, or null with the limit that refused it.
    /// <paramref name="socket"/> is closed if the slot is later evicted before a connection is attached.
    /// </summary>
    public ConnectionTicket? TryAdmit(IPAddress address, bool stranger, bool inbound, IDisposable? socket, out string? refusal)
    {
        var caps = _caps;
        long now = _time.GetTimestamp();
        if (Slots(address, stranger, caps, now) is not { } first)
        {
            refusal = "addresses";
            return null;
        }
        if (inbound)
        {
            lock (first.Gate)
            {
                if (!first.Bucket.TryTake(now, caps.Rate, caps.Burst, _frequency))
                {
                    refusal = "connection rate";
                    return null;
                }
            }
        }
        return stranger ? AdmitStranger(address, caps, now, socket, out refusal) : AdmitTrusted(address, caps, now, socket, out refusal);
    }

    private ConnectionTicket? AdmitTrusted(IPAddress address, Caps caps, long now, IDisposable? socket, out string? refusal)
    {
        if (!TakeTrusted(caps))
        {
            refusal = "total";
            return null;
        }
        while (true)
        {
            var slots = Slots(address, stranger: false, caps, now)!;
            ConnectionTicket? victim = null;
            ConnectionTicket ticket;
            lock (slots.Gate)
            {
                if (slots.Removed) continue;
                if (slots.Trusted >= caps.PerAddress && (victim = EvictLocked(slots)) is null)
                {
                    Interlocked.Decrement(ref _trusted);
                    refusal = "per-address";
                    return null;
                }
                ticket = new ConnectionTicket(address, slots, stranger: false, now, socket);
                slots.Tickets.Add(ticket);
                slots.Trusted++;
            }
            if (victim is not null) Evicted(victim);
            refusal = null;
            return ticket;
        }
    }

    private ConnectionTicket? AdmitStranger(IPAddress address, Caps caps, long now, IDisposable? socket, out string? refusal)
    {
        lock (_strangerGate)
        {
            if (!_strangerHandshakes.TryTake(now, StrangerHandshakesPerSecond, StrangerHandshakesPerSecond, _frequency))
            {
                refusal = "stranger handshake rate";
                return null;
            }
        }
        if (!TakeStranger(caps))
        {
            refusal = "strangers";
            return null;
        }
        while (true)
        {
            if (Slots(address, stranger: true, caps, now) is not { } slots)
            {
                Interlocked.Decrement(ref _strangers);
                refusal = "addresses";
                return null;
            }
            ConnectionTicket? victim = null;
            ConnectionTicket ticket;
            lock (slots.Gate)
            {
                if (slots.Removed) continue;
                if (slots.Strangers >= StrangersPerAddress && (victim = TakeOldestStrangerLocked(slots)) is null)
                {
                    Interlocked.Decrement(ref _strangers);
                    refusal = "strangers per address";
                    return null;
                }
                ticket = new ConnectionTicket(address, slots, stranger: true, now, socket);
                slots.Tickets.Add(ticket);
                slots.Strangers++;
            }
            if (victim is not null) EvictedStranger(victim);
            refusal = null;
            return ticket;
        }
    }

    // One slot of the strangers' pool, the oldest stranger's handshake anywhere making room when it is full.
    private bool TakeStranger(Caps caps)
    {
        for (int evictions = 0; ; )
        {
            int n = Volatile.Read(ref _strangers);
            if (n < caps.Strangers)
            {
                if (Interlocked.CompareExchange(ref _strangers, n + 1, n) == n) return true;
                continue;
            }
            if (++evictions > 4 || !EvictOldestStranger()) return false;
        }
    }

    private bool EvictOldestStranger()
    {
        ConnectionTicket? oldest = null;
        foreach (var pair in _addresses)
        {
            lock (pair.Value.Gate)
            {
                if (pair.Value.OldestStranger() is { } candidate && (oldest is null || candidate.Since < oldest.Since)) oldest = candidate;
            }
        }
        if (oldest is null) return false;
        ConnectionTicket? victim;
        lock (oldest.Slots.Gate)
        {
            victim = oldest.Stranger ? TakeOldestStrangerLocked(oldest.Slots, oldest) : null;
        }
        if (victim is not null) EvictedStranger(victim);
        return true; // evicted, or it moved on meanwhile: look again
    }

    // Under slots.Gate: takes `which` (or the address's oldest stranger) out of the pool; its slot passes to the caller.
    private static ConnectionTicket? TakeOldestStrangerLocked(AddressSlots slots, ConnectionTicket? which = null)
    {
        var victim = which ?? slots.OldestStranger();
        if (victim is null || !victim.TryEnd()) return null;
        victim.MarkEvicted();
        slots.Tickets.Remove(victim);
        slots.Strangers--;
        return victim;
    }

    private void EvictedStranger(ConnectionTicket victim)
    {
        Interlocked.Decrement(ref _strangers);
        victim.Abort();
    }

    /// <summary>A stranger whose certificate named a gateway moves to the trusted budget; false = no room (refuse it).</summary>
    public bool TryPromote(ConnectionTicket ticket)
    {
        var caps = _caps;
        if (!TakeTrusted(caps)) return false;
        var slots = ticket.Slots;
        ConnectionTicket? victim = null;
        lock (slots.Gate)
        {
            if (ticket.Ended || (slots.Trusted >= caps.PerAddress && (victim = EvictLocked(slots)) is null))
            {
                Interlocked.Decrement(ref _trusted);
                return false;
            }
            ticket.Stranger = false;
            slots.Strangers--;
            slots.Trusted++;
        }
        Interlocked.Decrement(ref _strangers);
        if (victim is not null) Evicted(victim);
        return true;
    }

    /// <summary>Gives the slot back (once; an evicted ticket was given back by the eviction).</summary>
    public void Release(ConnectionTicket ticket)
    {
        if (!ticket.TryEnd()) return;
        bool stranger;
        lock (ticket.Slots.Gate)
        {
            ticket.Slots.Tickets.Remove(ticket);
            stranger = ticket.Stranger;
            if (stranger) ticket.Slots.Strangers--;
            else ticket.Slots.Trusted--;
        }
        Interlocked.Decrement(ref stranger ? ref _strangers : ref _trusted);
    }

    // One trusted slot out of the total, evicting the least recently used idle connection anywhere when full.
    private bool TakeTrusted(Caps caps)
    {
        for (int evictions = 0; ; )
        {
            int n = Volatile.Read(ref _trusted);
            if (n < caps.Trusted)
            {
                if (Interlocked.CompareExchange(ref _trusted, n + 1, n) == n) return true;
                continue;
            }
            if (++evictions > 4 || !EvictOldestIdle()) return false;
        }
    }

    private bool EvictOldestIdle()
    {
        ConnectionTicket? oldest = null;
        foreach (var pair in _addresses)
        {
            lock (pair.Value.Gate)
            {
                if (pair.Value.OldestIdle() is { } candidate && (oldest is null || candidate.LastActivity < oldest.LastActivity))
                    oldest = candidate;
            }
        }
        if (oldest is null) return false;
        ConnectionTicket? victim;
        lock (oldest.Slots.Gate)
        {
            victim = oldest.Idle && Take(oldest.Slots, oldest) ? oldest : null;
        }
        if (victim is null) return true; // it ended or got busy meanwhile: look again
        Evicted(victim);
        return true;
    }

    // Under slots.Gate: takes the address's least recently used idle ticket out (its trusted slot stays with
    // the caller, who takes the place of it in the per-address count).
    private static ConnectionTicket? EvictLocked(AddressSlots slots)
    {
        var victim = slots.OldestIdle();
        return victim is not null && Take(slots, victim) ? victim : null;
    }

    private static bool Take(AddressSlots slots, ConnectionTicket victim)
    {
        if (!victim.TryEnd()) return false;
        victim.MarkEvicted();
        slots.Tickets.Remove(victim);
        slots.Trusted--;
        return true;
    }

    private void Evicted(ConnectionTicket victim)
    {
        Interlocked.Decrement(ref _trusted);
        _evicted(victim);
        victim.Abort();
    }

    private AddressSlots? Slots(IPAddress address, bool stranger, Caps caps, long now)
    {
        if (_addresses.TryGetValue(address, out var slots)) return slots;
        if (Volatile.Read(ref _addressCount) >= SweepAbove) Sweep(caps, now);
        // Addresses of trusted peers are few (the gateways); an address-spraying stranger must not grow the table.
        if (stranger && Volatile.Read(ref _addressCount) >= MaxAddresses) return null;
        var created = new AddressSlots(new TokenBucket(caps.Burst, now));
        slots = _addresses.GetOrAdd(address, created);
        if (ReferenceEquals(slots, created)) Interlocked.Increment(ref _addressCount);
        return slots;
    }

    // At most once a second: forget addresses with no connection whose bucket is full again.
    private void Sweep(Caps caps, long now)
    {
        long last = Volatile.Read(ref _lastSweep);
        if (now - last < _frequency || Interlocked.CompareExchange(ref _lastSweep, now, last) != last) return;
        foreach (var pair in _addresses)
        {
            lock (pair.Value.Gate)
            {
                if (pair.Value.Tickets.Count != 0 || !pair.Value.Bucket.IsFull(now, caps.Rate, caps.Burst, _frequency)) continue;
                pair.Value.Removed = true;
            }
            if (_addresses.TryRemove(pair)) Interlocked.Decrement(ref _addressCount);
        }
    }
}
