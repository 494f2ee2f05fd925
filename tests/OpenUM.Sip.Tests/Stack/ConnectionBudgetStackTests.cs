using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Transport;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// The connection budget and the message deadline on the real TCP listener: what a peer that opens too many
// connections, too fast, or trickles its bytes can and cannot hold.
public sealed class ConnectionBudgetStackTests
{
    private static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Third = IPAddress.Parse("127.0.0.3");
    private readonly FakeTimeProvider _time = new();

    private Task<SipUserAgent> StartAsync(Func<SipConnectionLimits, SipConnectionLimits> limits) =>
        StackHarness.StartAsync(_time, o => o.ConnectionLimits = limits(o.ConnectionLimits));

    private static async Task<int> OptionsAsync(RawSipClient client, IPEndPoint target)
    {
        var call = new PeerCall(client.LocalEndPoint, target);
        await client.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        return (await client.ReadAsync()).Status;
    }

    [Fact]
    public async Task At_the_per_address_cap_the_least_recently_used_idle_connection_makes_room()
    {
        await using var agent = await StartAsync(l => l with { MaxConnectionsPerAddress = 2 });
        await using var call = await EstablishAsync(agent);          // carries a dialog: never evicted
        await using var idle = await RawSipClient.ConnectAsync(agent.Tcp());
        await Until(() => agent.ActiveConnections == 2);

        await using var next = await RawSipClient.ConnectAsync(agent.Tcp());

        Assert.Equal(200, await OptionsAsync(next, agent.Tcp()));
        Assert.True(await idle.ClosedWithoutDataAsync());
        Assert.False(call.Dialog.Terminated.IsCompleted);
        await call.Peer.SendAsync(call.Call.InDialog("OPTIONS", call.Ok.ContactUri()!));
        Assert.Equal(200, (await call.Peer.ReadUntilAsync(m => m.CSeq.EndsWith("OPTIONS", StringComparison.Ordinal))).Status);
    }

    [Fact]
    public async Task Without_an_idle_connection_the_per_address_cap_refuses_the_new_one()
    {
        await using var agent = await StartAsync(l => l with { MaxConnectionsPerAddress = 1 });
        var limited = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionLimited += (_, _, limit) => limited.TrySetResult(limit);
        await using var call = await EstablishAsync(agent);

        await using var refused = await RawSipClient.ConnectAsync(agent.Tcp());

        Assert.True(await refused.ClosedWithoutDataAsync());
        Assert.Equal("per-address", await limited.Task.Guard());
        Assert.False(call.Dialog.Terminated.IsCompleted);
    }

    [Fact]
    public async Task At_the_total_cap_the_least_recently_used_idle_connection_of_any_address_makes_room()
    {
        await using var agent = await StartAsync(l => l with { MaxConnections = 2 });
        await using var oldest = await RawSipClient.ConnectAsync(agent.Tcp(), Second);
        await Until(() => agent.ActiveConnections == 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        await using var newer = await RawSipClient.ConnectAsync(agent.Tcp(), Third);
        Assert.Equal(200, await OptionsAsync(newer, agent.Tcp()));

        await using var third = await RawSipClient.ConnectAsync(agent.Tcp());

        Assert.Equal(200, await OptionsAsync(third, agent.Tcp()));
        Assert.True(await oldest.ClosedWithoutDataAsync());
        Assert.Equal(200, await OptionsAsync(newer, agent.Tcp()));
    }

    [Fact]
    public async Task An_address_opening_connections_too_fast_waits_for_its_bucket_others_do_not()
    {
        await using var agent = await StartAsync(l => l with { ConnectionRatePerAddress = 2 }); // bursts of 4
        var limited = new TaskCompletionSource<(IPEndPoint Remote, string Limit)>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.ConnectionLimited += (remote, _, limit) => limited.TrySetResult((remote, limit));
        var burst = new List<RawSipClient>();
        for (int i = 0; i < 4; i++) burst.Add(await RawSipClient.ConnectAsync(agent.Tcp()));
        await Until(() => agent.ActiveConnections == 4);

        await using var fifth = await RawSipClient.ConnectAsync(agent.Tcp());
        Assert.True(await fifth.ClosedWithoutDataAsync());
        var (remote, limit) = await limited.Task.Guard();
        Assert.Equal("connection rate", limit);
        Assert.Equal(fifth.LocalEndPoint.Port, remote.Port);

        await using var other = await RawSipClient.ConnectAsync(agent.Tcp(), Second);
        Assert.Equal(200, await OptionsAsync(other, agent.Tcp()));

        _time.Advance(TimeSpan.FromSeconds(1)); // two tokens back
        await using var later = await RawSipClient.ConnectAsync(agent.Tcp());
        Assert.Equal(200, await OptionsAsync(later, agent.Tcp()));
        foreach (var c in burst) await c.DisposeAsync();
    }

    [Fact]
    public async Task A_message_trickled_byte_by_byte_is_closed_at_the_message_deadline()
    {
        await using var agent = await StartAsync(l => l with { MessageTimeout = TimeSpan.FromSeconds(5) });
        await using var client = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(client.LocalEndPoint, agent.Tcp());
        byte[] message = Encoding.UTF8.GetBytes(call.InDialog("OPTIONS", call.RequestUri));
        var start = _time.GetUtcNow();
        int sent = 0;
        await Until(() => agent.ActiveConnections == 1);

        // One byte per (fake) second, each byte resetting the idle timer: only the message deadline can end it.
        while (agent.ActiveConnections == 1 && sent < message.Length)
        {
            try
            {
                await client.SendAsync(message[sent..(sent + 1)]);
            }
            catch (IOException)
            {
                break; // closed under us
            }
            sent++;
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        await Until(() => agent.ActiveConnections == 0);

        var after = _time.GetUtcNow() - start;
        Assert.True(sent < message.Length, $"all {message.Length} bytes were accepted");
        Assert.InRange(after, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(8));
        Assert.True(await client.ClosedWithoutDataAsync());
    }

    [Fact]
    public async Task Keep_alive_line_breaks_start_no_message_deadline()
    {
        await using var agent = await StartAsync(l => l with { MessageTimeout = TimeSpan.FromSeconds(5) });
        await using var client = await RawSipClient.ConnectAsync(agent.Tcp());
        await client.SendAsync("\r\n\r\n");
        await Task.Delay(50);

        for (int i = 0; i < 6; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(10);
        }

        Assert.Equal(1, agent.ActiveConnections);
        Assert.Equal(200, await OptionsAsync(client, agent.Tcp()));
    }

    [Fact]
    public async Task A_message_completed_in_time_clears_its_deadline()
    {
        await using var agent = await StartAsync(l => l with { MessageTimeout = TimeSpan.FromSeconds(5) });
        await using var client = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(client.LocalEndPoint, agent.Tcp());
        string options = call.InDialog("OPTIONS", call.RequestUri);
        await client.SendAsync(options[..40]);
        await Task.Delay(50);
        _time.Advance(TimeSpan.FromSeconds(3));

        await client.SendAsync(options[40..]);
        Assert.Equal(200, (await client.ReadAsync()).Status);
        for (int i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(10);
        }

        Assert.Equal(200, await OptionsAsync(client, agent.Tcp()));
    }
}
