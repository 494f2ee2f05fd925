using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using OpenUM.Sip.Tests.Stack;
using OpenUM.Sip.Transport;
using OpenUM.TestSupport.Pki;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Rfc4475;

// Every RFC 4475 §3 message sent as is over a real loopback TCP connection to the stack: the responses it gets,
// in order, then whether the connection is still usable. On TCP the connection itself is the way back
// (RFC 3261 §18.2.2), so what the Via says does not matter. "Nothing was sent" is proven without waiting: a probe
// OPTIONS follows on the same connection and the first thing read back must be the probe's 200.
public sealed class Rfc4475StreamTests
{
    private readonly FakeTimeProvider _time = new();

    public static TheoryData<string> Cases => Rfc4475Messages.Names(stream: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Message_gets_the_rfc_outcome_over_tcp(string name)
    {
        var expected = Rfc4475Messages.Get(name).Stream!;
        await using var agent = await StartAsync(_time);
        var reports = Reports(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());

        await peer.SendAsync(Rfc4475Messages.Bytes(name));

        await ExpectResponsesAsync(peer, expected);
        if (expected.Closes) Assert.True(await peer.ClosedWithoutDataAsync(), "the connection must close after the answer");
        else await ProbeAsync(peer, agent);
        Assert.Equal(expected.Reports, Snapshot(reports));
    }

    [Fact]
    public async Task Over_tls_the_connection_is_the_way_back_too()
    {
        // Same rule on SIP/TLS (RFC 3261 §18.2.2): broken Via (badinv01), wrong version (badvers), no From/To
        // (insuf) are answered on the connection; lost framing (ncl) is answered, then the connection closes.
        using var pki = new TestCa();
        var serverCert = pki.Issue("um.openum.test");
        var clientCert = pki.Issue("gw1.openum.test");
        await using var agent = await StartAsync(_time, o =>
        {
            o.TcpPort = null;
            o.TlsPort = 0;
            o.TlsServerOptions = _ => new SipTlsHandshake(new System.Net.Security.SslServerAuthenticationOptions
            {
                ServerCertificate = serverCert,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, c, _, _) => pki.Chains(c),
            });
        });
        foreach (var name in new[] { "badinv01", "badvers", "insuf", "ncl" })
        {
            var expected = Rfc4475Messages.Get(name).Stream!;
            await using var peer = await RawSipClient.ConnectTlsAsync(agent.LocalEndPoints[0], clientCert);
            await peer.SendAsync(Rfc4475Messages.Bytes(name));
            await ExpectResponsesAsync(peer, expected);
            if (expected.Closes) Assert.True(await peer.ClosedWithoutDataAsync(), name);
        }
    }

    [Fact]
    public async Task Clerr_waits_for_the_announced_body_and_closes_silently_when_none_comes()
    {
        // RFC 4475 §3.1.2.2: over a stream "there's not much the receiving party could do but wait for more data
        // on the stream and close the connection if none is forthcoming within a reasonable period of time": the
        // message deadline, counted from its first byte (the idle timeout is far longer).
        await using var agent = await StartAsync(_time, o => o.ConnectionLimits = o.ConnectionLimits with { MessageTimeout = TimeSpan.FromSeconds(30) });
        var reports = Reports(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var sent = _time.GetUtcNow();

        await peer.SendAsync(Rfc4475Messages.Bytes("clerr"));
        await Until(() =>
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            return agent.ActiveConnections == 0;
        });

        Assert.InRange(_time.GetUtcNow() - sent, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        Assert.True(await peer.ClosedWithoutDataAsync());
        Assert.Empty(Snapshot(reports));
    }

    [Fact]
    public async Task Baddn_is_refused_once_its_header_section_ends()
    {
        // The archive's baddn.dat stops after "l: 0" CRLF, without the blank line: on a stream the message is
        // not over yet. The CRLF that ends it makes it the RFC's 400 for unquoted non-token display names.
        await using var agent = await StartAsync(_time);
        var reports = Reports(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());

        await peer.SendAsync(Rfc4475Messages.Bytes("baddn"));
        await peer.SendAsync("\r\n");

        var answer = await peer.ReadAsync();
        Assert.Equal((400, "Bad Header: From"), (answer.Status, answer.Reason));
        Assert.Equal("baddn.31415@c.example.com", answer.Header("Call-ID"));
        await ProbeAsync(peer, agent);
        Assert.Equal([SipRejectionOutcome.Answered], Snapshot(reports));
    }

    [Fact]
    public async Task Request_without_any_via_is_still_answered_on_its_connection()
    {
        // Nothing to route a response by, but on TCP the connection is the route (RFC 3261 §18.2.2).
        await using var agent = await StartAsync(_time);
        var reports = Reports(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var bytes = Rfc4475Messages.Bytes("zeromf");
        var text = System.Text.Encoding.UTF8.GetString(bytes).Replace(
            "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i\r\n", "", StringComparison.Ordinal);

        await peer.SendAsync(text);

        var answer = await peer.ReadAsync();
        Assert.Equal((400, "Missing Header: Via"), (answer.Status, answer.Reason));
        Assert.Equal("39234321 OPTIONS", answer.CSeq);
        Assert.Empty(answer.All("Via"));
        await ProbeAsync(peer, agent);
        Assert.Equal([SipRejectionOutcome.Answered], Snapshot(reports));
    }

    [Fact]
    public async Task Invite_whose_contact_is_of_another_scheme_is_refused_as_a_dialog_target()
    {
        // RFC 4475 §3.3.4 makes <name:John_Smith> a valid Contact, and a REGISTER carrying it gets a 405 like any
        // REGISTER; an INVITE's Contact would become the target of every request of the dialog, and we cannot
        // send to name: URIs.
        await using var agent = await StartAsync(_time);
        var reports = Reports(agent);
        await using var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var text = System.Text.Encoding.UTF8.GetString(Rfc4475Messages.Bytes("esc01")).Replace(
            "Contact:\r\n  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>", "Contact: <name:John_Smith>",
            StringComparison.Ordinal);
        Assert.Contains("<name:John_Smith>", text, StringComparison.Ordinal);

        await peer.SendAsync(text);

        var answer = await peer.ReadAsync();
        Assert.Equal((400, "Bad Header: Contact"), (answer.Status, answer.Reason));
        await ProbeAsync(peer, agent);
        Assert.Empty(Snapshot(reports));
    }

    internal static async Task ExpectResponsesAsync(RawSipClient peer, Outcome expected)
    {
        for (var i = 0; i < expected.Statuses.Length; i++)
        {
            var response = await peer.ReadAsync();
            Assert.True(response.IsResponse, response.StartLine);
            Assert.Equal(expected.Statuses[i], response.Status);
            if (i == expected.Statuses.Length - 1) AssertFinal(response, expected);
        }
    }

    internal static void AssertFinal(RawSipMessage response, Outcome expected)
    {
        if (expected.Reason is { } reason) Assert.Equal(reason, response.Reason);
        foreach (var header in expected.Headers) Assert.False(string.IsNullOrEmpty(response.Header(header)), $"{response.Status} lacks {header}");
    }

    // The next thing on the connection is the answer to this OPTIONS: nothing else was sent before it.
    private static async Task ProbeAsync(RawSipClient peer, SipUserAgent agent)
    {
        var probe = new PeerCall(peer.LocalEndPoint, agent.Tcp());
        await peer.SendAsync(probe.InDialog("OPTIONS", probe.RequestUri));
        var answer = await peer.ReadAsync();
        Assert.Equal((200, probe.CallId), (answer.Status, answer.Header("Call-ID")));
    }

    internal static List<SipRejectionOutcome> Reports(SipUserAgent agent)
    {
        var reports = new List<SipRejectionOutcome>();
        agent.MessageRejected += (_, _, outcome) =>
        {
            lock (reports) reports.Add(outcome);
        };
        return reports;
    }

    internal static SipRejectionOutcome[] Snapshot(List<SipRejectionOutcome> reports)
    {
        lock (reports) return reports.ToArray();
    }
}
