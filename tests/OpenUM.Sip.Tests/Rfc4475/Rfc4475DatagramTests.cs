using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using OpenUM.Sip.Tests.Stack;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip.Tests.Rfc4475;

// Every RFC 4475 §3 message as one UDP datagram, the setting the RFC writes them for: the datagram parser, then
// the stack's handling, as SipUdpTransport hands a datagram over (complete -> OnMessage, refused -> OnRejected).
// The way back is a recording connection: the Via of these messages names hosts and ports of the RFC's
// example network, so a real socket would send the answers where no test can read them. What a broken Via
// gives as an address is tested on its own below, and through a real UDP socket once rport is added to it.
public sealed class Rfc4475DatagramTests
{
    private static readonly IPEndPoint Gateway = new(IPAddress.Loopback, 5060);
    private static readonly IPEndPoint Local = new(IPAddress.Loopback, 5080);

    public static TheoryData<string> Cases => Rfc4475Messages.Names(stream: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Message_gets_the_rfc_outcome_as_a_datagram(string name)
    {
        var expected = Rfc4475Messages.Get(name).Datagram!;
        await using var agent = await StartAsync();
        var reports = Rfc4475StreamTests.Reports(agent);
        var connection = new RecordingDatagramConnection();

        Deliver(agent, connection, Rfc4475Messages.Bytes(name));

        var sent = connection.Responses();
        Assert.Equal(expected.Statuses, sent.Select(r => r.Status).ToArray());
        if (sent.Count > 0) Rfc4475StreamTests.AssertFinal(sent[^1], expected);
        Assert.Equal(expected.Reports, Rfc4475StreamTests.Snapshot(reports));
    }

    [Fact]
    public async Task Baddn_with_its_header_section_ended_is_refused_for_its_display_names()
    {
        await using var agent = await StartAsync();
        var connection = new RecordingDatagramConnection();

        Deliver(agent, connection, [.. Rfc4475Messages.Bytes("baddn"), .. "\r\n"u8]);

        var answer = Assert.Single(connection.Responses());
        Assert.Equal((400, "Bad Header: From"), (answer.Status, answer.Reason));
    }

    [Fact]
    public async Task Datagram_without_a_via_has_no_address_and_is_dropped()
    {
        // Over UDP the response goes where the top Via says; with none there is nowhere to send it.
        await using var agent = await StartAsync();
        var reports = Rfc4475StreamTests.Reports(agent);
        var connection = new RecordingDatagramConnection();
        var text = Encoding.UTF8.GetString(Rfc4475Messages.Bytes("zeromf")).Replace(
            "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i\r\n", "", StringComparison.Ordinal);

        Deliver(agent, connection, Encoding.UTF8.GetBytes(text));

        Assert.Empty(connection.Responses());
        Assert.Equal([SipRejectionOutcome.Dropped], Rfc4475StreamTests.Snapshot(reports));
    }

    [Theory]
    [InlineData("badvers", "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw", "SIP/7.0/UDP c.example.com;rport;branch=z9hG4bKkdjuw", 505)]
    [InlineData("badinv01", "SIP/2.0/UDP 192.0.2.15;;,;,,", "SIP/2.0/UDP 192.0.2.15;rport;;,;,,", 400)]
    public async Task Over_a_real_socket_a_broken_via_asking_rport_is_answered_at_the_source_port(string name, string via, string withRPort,
        int status)
    {
        // The same messages with rport added to the Via that is their error: the answer comes back through the UDP
        // transport to the port the datagram came from (RFC 3581), read from a Via that does not parse.
        var agent = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null, UdpPort = 0 },
            new FakeTimeProvider(), NullLogger.Instance);
        await using var _ = agent;
        await agent.StartAsync(CancellationToken.None);
        var reports = Rfc4475StreamTests.Reports(agent);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var text = Encoding.UTF8.GetString(Rfc4475Messages.Bytes(name));
        Assert.Contains(via + "\r\n", text, StringComparison.Ordinal);

        await socket.SendToAsync(Encoding.UTF8.GetBytes(text.Replace(via + "\r\n", withRPort + "\r\n", StringComparison.Ordinal)),
            agent.LocalEndPoints[0]);
        var buffer = new byte[65536];
        using var guard = new CancellationTokenSource(StackHarness.HangGuard);
        var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), guard.Token);

        var answer = Encoding.UTF8.GetString(buffer, 0, received.ReceivedBytes);
        Assert.StartsWith($"SIP/2.0 {status} ", answer, StringComparison.Ordinal);
        Assert.Contains("Via: " + withRPort + "\r\n", answer, StringComparison.Ordinal);
        // The event is raised once the answer is handed to the socket, which may be after it arrived here.
        await StackHarness.Until(() => Rfc4475StreamTests.Snapshot(reports).Length > 0);
        Assert.Equal([SipRejectionOutcome.Answered], Rfc4475StreamTests.Snapshot(reports));
    }

    // The address an error response goes to when the Via is the error (RFC 3261 §18.2.2, RFC 3581 rport).
    [Theory]
    [InlineData("SIP/2.0/UDP 192.0.2.15;;,;,,", true, null, false)]                          // 3.1.2.1 badinv01
    [InlineData("SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw", true, null, false)]         // 3.1.2.16 badvers
    [InlineData("SIP  / 2.0 /UDP 192.0.2.2 : 5070 ; rport ; branch=z9hG4bK1", true, 5070, true)]
    [InlineData("SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK1;rport=", true, 5062, true)]
    [InlineData("SIP/2.0/UDP a.example.com:5061;received=x;;, SIP/2.0/UDP b.example.com:9;rport", true, 5061, false)]
    [InlineData("SIP/2.0/UDP", false, null, false)]
    [InlineData("SIP/2.0 192.0.2.1", false, null, false)]
    [InlineData("SIP/2.0/UDP bad_host", false, null, false)]
    [InlineData("SIP/2.0/UDP 192.0.2.1:99999", false, null, false)]
    public void Reply_address_is_read_from_a_broken_top_via(string via, bool found, int? port, bool rport)
    {
        Assert.Equal(found, SipVia.TryReadReplyAddress(via, out var p, out var r));
        if (found) Assert.Equal((port, rport), (p, r));
    }

    private static async Task<SipUserAgent> StartAsync()
    {
        // No listener at all: the only way in is Deliver, the only way out the recording connection.
        var agent = new SipUserAgent(new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = null },
            new FakeTimeProvider(), NullLogger.Instance);
        await agent.StartAsync(CancellationToken.None);
        return agent;
    }

    // What SipUdpTransport does with a datagram once admitted.
    private static void Deliver(SipUserAgent agent, SipConnection connection, byte[] datagram)
    {
        var sink = (ISipTransportSink)agent;
        var result = SipParser.TryParseDatagram(datagram, new SipParserLimits(), out var message, out var rejection);
        if (result == SipParseResult.Complete) sink.OnMessage(connection, message!);
        else sink.OnRejected(connection, rejection!);
    }

    private sealed class RecordingDatagramConnection() : SipConnection(
        new SipConnectionInfo("udp-test", SipTransportKind.Udp, Gateway, Local, null), TimeProvider.System)
    {
        private readonly List<byte[]> _sent = [];

        public override bool IsReliable => false;

        public override bool Send(ReadOnlyMemory<byte> data)
        {
            lock (_sent) _sent.Add(data.ToArray());
            return true;
        }

        public override void Close(bool graceful) => MarkClosed();

        public List<RawSipMessage> Responses()
        {
            lock (_sent)
            {
                return _sent.Select(bytes =>
                {
                    var text = Encoding.UTF8.GetString(bytes);
                    var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    return RawSipMessage.Parse(text[..split], text[(split + 4)..]);
                }).ToList();
            }
        }
    }
}
