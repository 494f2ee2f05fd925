using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Tests.Transport;

// The budget's rules on a fake clock, without sockets: rates, caps, eviction order, the strangers' pool.
public sealed class ConnectionBudgetTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<ConnectionTicket> _evicted = [];

    private ConnectionBudget Budget(SipConnectionLimits limits, int descriptorShare = 100_000) =>
        new(limits, _time, descriptorShare, t => _evicted.Add(t));

    private static IPAddress Ip(int n) => new([10, 0, (byte)(n >> 8), (byte)n]);

    private sealed class FakeSocket : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void An_address_gets_a_burst_of_twice_its_rate_then_one_token_per_interval()
    {
        var budget = Budget(new SipConnectionLimits { ConnectionRatePerAddress = 5 });
        int admitted = 0;
        string? refusal = null;
        for (int i = 0; i < 20; i++)
            if (budget.TryAdmit(Ip(1), stranger: false, inbound: true, null, out refusal) is not null) admitted++;
        Assert.Equal(10, admitted);
        Assert.Equal("connection rate", refusal);
        Assert.NotNull(budget.TryAdmit(Ip(2), stranger: false, inbound: true, null, out _)); // its own bucket

        _time.Advance(TimeSpan.FromMilliseconds(200)); // one token at 5/s
        Assert.NotNull(budget.TryAdmit(Ip(1), stranger: false, inbound: true, null, out _));
        Assert.Null(budget.TryAdmit(Ip(1), stranger: false, inbound: true, null, out _));
        Assert.NotNull(budget.TryAdmit(Ip(1), stranger: false, inbound: false, null, out _)); // outbound takes no token
    }

    [Fact]
    public void At_the_per_address_cap_the_oldest_ticket_is_evicted_and_its_socket_closed()
    {
        var budget = Budget(new SipConnectionLimits { MaxConnectionsPerAddress = 3 });
        var sockets = Enumerable.Range(0, 4).Select(_ => new FakeSocket()).ToArray();
        var tickets = new List<ConnectionTicket>();
        for (int i = 0; i < 3; i++)
        {
            tickets.Add(budget.TryAdmit(Ip(1), false, true, sockets[i], out _)!);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var fourth = budget.TryAdmit(Ip(1), false, true, sockets[3], out _);

        Assert.NotNull(fourth);
        Assert.Same(tickets[0], Assert.Single(_evicted));
        Assert.True(tickets[0].Evicted);
        Assert.True(sockets[0].Disposed);
        Assert.False(sockets[1].Disposed);
        Assert.Equal(3, budget.Trusted);
        budget.Release(tickets[0]); // its owner notices later: given back once only
        Assert.Equal(3, budget.Trusted);
        budget.Release(fourth);
        Assert.Equal(2, budget.Trusted);
    }

    [Fact]
    public void At_the_total_cap_the_least_recently_used_ticket_anywhere_is_evicted()
    {
        var budget = Budget(new SipConnectionLimits { MaxConnections = 3 });
        var first = budget.TryAdmit(Ip(1), false, true, null, out _)!;
        _time.Advance(TimeSpan.FromSeconds(1));
        budget.TryAdmit(Ip(2), false, true, null, out _);
        budget.TryAdmit(Ip(3), false, true, null, out _);

        Assert.NotNull(budget.TryAdmit(Ip(4), false, true, null, out _));

        Assert.Same(first, Assert.Single(_evicted));
        Assert.Equal(3, budget.Trusted);
    }

    [Fact]
    public void The_total_follows_the_descriptor_share_when_it_is_smaller()
    {
        var budget = Budget(new SipConnectionLimits { MaxConnections = 10_000 }, descriptorShare: 40);
        Assert.Equal(40, budget.TrustedCap);
        Assert.Equal(10, budget.StrangerCap);
        budget.Apply(new SipConnectionLimits { MaxConnections = 20 });
        Assert.Equal(20, budget.TrustedCap);
    }

    [Fact]
    public void Strangers_have_their_own_pool_where_the_oldest_makes_room_and_never_evict_a_gateway()
    {
        var budget = Budget(new SipConnectionLimits { MaxConnections = 16, MaxConnectionsPerAddress = 2 }); // 4 strangers
        for (int i = 0; i < 16; i++) Assert.NotNull(budget.TryAdmit(Ip(100 + i), false, true, null, out _));
        _evicted.Clear();
        var sockets = Enumerable.Range(0, 5).Select(_ => new FakeSocket()).ToArray();
        var strangers = new List<ConnectionTicket>();
        for (int i = 0; i < 4; i++)
        {
            strangers.Add(budget.TryAdmit(Ip(i), stranger: true, inbound: true, sockets[i], out _)!);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var fifth = budget.TryAdmit(Ip(9), stranger: true, inbound: true, sockets[4], out _);

        Assert.NotNull(fifth);
        Assert.True(strangers[0].Evicted && sockets[0].Disposed);
        Assert.False(sockets[1].Disposed);
        Assert.Empty(_evicted); // no gateway connection was touched
        Assert.Equal(16, budget.Trusted);
        Assert.Equal(4, budget.Strangers);
        budget.Release(strangers[0]);
        Assert.Equal(4, budget.Strangers);
    }

    [Fact]
    public void A_stranger_may_hold_only_a_few_handshakes_per_address_its_oldest_making_room()
    {
        var budget = Budget(new SipConnectionLimits());
        var first = budget.TryAdmit(Ip(1), stranger: true, inbound: true, null, out _)!;
        for (int i = 1; i < ConnectionBudget.StrangersPerAddress; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.NotNull(budget.TryAdmit(Ip(1), stranger: true, inbound: true, null, out _));
        }
        Assert.NotNull(budget.TryAdmit(Ip(1), stranger: true, inbound: true, null, out _));
        Assert.True(first.Evicted);
        Assert.Equal(ConnectionBudget.StrangersPerAddress, budget.Strangers);
    }

    [Fact]
    public void Strangers_share_a_global_handshake_rate()
    {
        var budget = Budget(new SipConnectionLimits());
        int admitted = 0;
        for (int i = 0; i < 1000; i++)
        {
            if (budget.TryAdmit(Ip(i), stranger: true, inbound: true, null, out var refusal) is { } ticket)
            {
                admitted++;
                budget.Release(ticket);
            }
            else Assert.Equal("stranger handshake rate", refusal);
        }
        Assert.Equal((int)ConnectionBudget.StrangerHandshakesPerSecond, admitted);
    }

    [Fact]
    public void A_promoted_stranger_counts_as_trusted_and_may_make_room_at_its_address()
    {
        var budget = Budget(new SipConnectionLimits { MaxConnectionsPerAddress = 1 });
        var old = budget.TryAdmit(Ip(1), false, true, null, out _)!;
        var stranger = budget.TryAdmit(Ip(1), true, true, null, out _)!;

        Assert.True(budget.TryPromote(stranger));

        Assert.False(stranger.Stranger);
        Assert.Same(old, Assert.Single(_evicted));
        Assert.Equal((1, 0), (budget.Trusted, budget.Strangers));
        budget.Release(stranger);
        Assert.Equal((0, 0), (budget.Trusted, budget.Strangers));
    }

    [Fact]
    public void Every_slot_comes_back_when_released()
    {
        var budget = Budget(new SipConnectionLimits { MaxConnections = 8 });
        var tickets = Enumerable.Range(0, 50).Select(i => budget.TryAdmit(Ip(i % 5), i % 3 == 0, true, null, out _)).OfType<ConnectionTicket>().ToList();
        foreach (var t in tickets) budget.Release(t);
        Assert.Equal((0, 0), (budget.Trusted, budget.Strangers));
    }
}
