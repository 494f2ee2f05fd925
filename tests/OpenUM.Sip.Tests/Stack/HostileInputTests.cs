using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// Bad input is contained to its connection; the agent keeps serving everyone else.
public sealed class HostileInputTests
{
    private readonly FakeTimeProvider _time = new();

    public static TheoryData<string> Inputs => new()
    {
        "\0\0\0\0\r\n\r\n",
        "INVITE\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999999\r\n\r\n",
        new string('A', 100_000),
        "INVITE sip:a@b SIP/2.0\r\n" + string.Concat(Enumerable.Repeat("X-Junk: 1\r\n", 5000)) + "\r\n",
        "INVITE sip:a@b SIP/3.0\r\nVia: SIP/2.0/TCP 1.2.3.4;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n",
        "BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        "CANCEL sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4;branch=z9hG4bKnone\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
        "ACK sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP 1.2.3.4;branch=z9hG4bK2\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=9\r\nCall-ID: y\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP evil.example;branch=z9hG4bK3;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>\r\nCall-ID: z\r\nCSeq: 4294967295 INVITE\r\nContact: *\r\nContent-Type: application/sdp\r\nContent-Length: 3\r\n\r\nv=0",
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Agent_survives_and_serves_the_next_connection(string input)
    {
        await using var agent = await StartAsync(_time);
        agent.OnIncomingCall = c =>
        {
            c.Reject(603);
            return ValueTask.CompletedTask;
        };
        await using (var hostile = await RawSipClient.ConnectAsync(agent.Tcp()))
        {
            await Until(() => agent.ActiveConnections == 1);
            try
            {
                await hostile.SendAsync(input);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                // The agent may already have closed it.
            }
        }
        // The agent has read everything up to our close: its read loop for that connection ended.
        await Until(() => agent.ActiveConnections == 0);

        await using var next = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(next.LocalEndPoint, agent.Tcp());
        await next.SendAsync(call.InDialog("OPTIONS", call.RequestUri));
        Assert.Equal(200, (await next.ReadAsync()).Status);
    }

    [Fact]
    public async Task Stray_response_is_dropped_and_the_connection_stays_usable()
    {
        await using var agent = await StartAsync(_time);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKnotours\r\n"
            + "From: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: q\r\nCSeq: 7 BYE\r\nContent-Length: 0\r\n\r\n");
        await peer.SendAsync(call.InDialog("OPTIONS", call.RequestUri));

        var first = await peer.ReadAsync();
        Assert.Equal(200, first.Status);
        Assert.Equal($"{call.CSeq} OPTIONS", first.CSeq);
    }

    [Fact]
    public async Task Throwing_incoming_call_handler_answers_500()
    {
        await using var agent = await StartAsync(_time);
        agent.OnIncomingCall = _ => throw new InvalidOperationException("handler bug");
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());

        await peer.SendAsync(call.Invite());

        Assert.Equal(500, (await peer.ReadUntilAsync(m => m.Status >= 200)).Status);
    }
}
