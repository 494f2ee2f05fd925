using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// Read loops of different connections run concurrently. These tests run the second loop's message inside the
// first one's handling, at the point where a real race could put it, through the transport sink.
public sealed class CancelRaceTests
{
    private static readonly IPEndPoint Gateway = new(IPAddress.Parse("192.0.2.10"), 5060);
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.1"), 5060);

    [Fact]
    public async Task Cancel_handled_while_the_invite_is_being_set_up_still_cancels_the_call()
    {
        var time = new FakeTimeProvider();
        await using var agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, time, NullLogger.Instance);
        var sink = (ISipTransportSink)agent;
        var incoming = CaptureCall(agent);
        var call = new PeerCall(Gateway, Local);
        var invite = Parse(call.Invite());
        var cancel = Parse(call.Cancel());
        var connection = new ScriptedConnection();
        // The CANCEL (from the gateway's other connection) is handled as the 100 Trying goes out, 200 ms into a call
        // not yet answered: the INVITE transaction is findable by then.
        connection.OnSend = text =>
        {
            if (text.StartsWith("SIP/2.0 100", StringComparison.Ordinal)) sink.OnMessage(connection, cancel);
        };

        sink.OnMessage(connection, invite);
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Contains(connection.Sent, m => m.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && m.Contains(" CANCEL\r\n"));
        Assert.Contains(connection.Sent, m => m.StartsWith("SIP/2.0 487", StringComparison.Ordinal) && m.Contains(" INVITE\r\n"));
        var ic = await incoming.Task.Guard();
        await Cancelled(ic.Cancelled).Guard();
        Assert.Equal(SipDialogEndReason.Cancelled, (await ic.Accept(Bytes(Answer)).Terminated.Guard()).Reason);
    }

    [Fact]
    public async Task Cancel_repeated_on_another_connection_as_soon_as_its_481_leaves_cancels_the_invite_behind_it()
    {
        await using var agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, new FakeTimeProvider(), NullLogger.Instance);
        var sink = (ISipTransportSink)agent;
        var incoming = CaptureCall(agent);
        var call = new PeerCall(Gateway, Local);
        var a = new ScriptedConnection("tcp-a");
        var b = new ScriptedConnection("tcp-b");
        // The CANCEL overtook its INVITE on connection b. On TCP the 481's transaction ends as the 481 is sent
        // (Timer J is zero, §17.2.2), and a send may be on the wire before Send returns: the gateway can get it, send
        // the INVITE and the same CANCEL again on connection a, and have them handled, in that moment.
        var reacted = false;
        b.OnSend = text =>
        {
            if (reacted || !text.StartsWith("SIP/2.0 481", StringComparison.Ordinal)) return;
            reacted = true;
            sink.OnMessage(a, Parse(call.Invite()));
            sink.OnMessage(a, Parse(call.Cancel()));
        };

        sink.OnMessage(b, Parse(call.Cancel()));

        Assert.True(reacted);
        // The repeated CANCEL is a new transaction, not a retransmission of the one that ended with the 481.
        Assert.Single(b.Sent);
        Assert.Contains(a.Sent, m => m.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && m.Contains(" CANCEL\r\n"));
        Assert.Contains(a.Sent, m => m.StartsWith("SIP/2.0 487", StringComparison.Ordinal) && m.Contains(" INVITE\r\n"));
        await Cancelled((await incoming.Task.Guard()).Cancelled).Guard();
    }

    [Fact]
    public async Task A_100_due_as_the_call_is_answered_never_follows_its_200()
    {
        var time = new FakeTimeProvider();
        await using var agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, time, NullLogger.Instance);
        var sink = (ISipTransportSink)agent;
        var incoming = CaptureCall(agent);
        var call = new PeerCall(Gateway, Local);
        var connection = new ScriptedConnection();
        sink.OnMessage(connection, Parse(call.Invite()));
        var ic = await incoming.Task.Guard();
        // The 200 ms timer sends the 100 as the call is answered on another thread: the 100 is held just before it
        // reaches the connection until the answer has either gone out or is waiting for the transaction.
        Task? answer = null;
        var contentions = Monitor.LockContentionCount;
        connection.BeforeSend = text =>
        {
            if (!text.StartsWith("SIP/2.0 100", StringComparison.Ordinal)) return;
            answer = Task.Run(() => ic.Accept(Bytes(Answer)));
            SpinWait.SpinUntil(() => answer.IsCompleted || Monitor.LockContentionCount > contentions, HangGuard);
        };

        time.Advance(TimeSpan.FromMilliseconds(200));
        await answer!.Guard();

        lock (connection.Sent)
        {
            Assert.Equal(["SIP/2.0 100", "SIP/2.0 200"], connection.Sent.Select(m => m[..11]));
        }
    }

    private static SipMessage Parse(string text)
    {
        var outcome = SipParser.TryParseDatagram(Encoding.UTF8.GetBytes(text), new SipParserLimits(), out var message, out var rejection);
        Assert.True(outcome == SipParseResult.Complete, rejection?.ReasonPhrase);
        return message!;
    }

    // A reliable connection that records what is sent and lets a test act at that moment.
    private sealed class ScriptedConnection(string id = "tcp-test") : SipConnection(
        new SipConnectionInfo(id, SipTransportKind.Tcp, Gateway, Local, null), TimeProvider.System)
    {
        public List<string> Sent { get; } = [];

        public Action<string>? OnSend { get; set; }

        public Action<string>? BeforeSend { get; set; }

        public override bool IsReliable => true;

        public override bool Send(ReadOnlyMemory<byte> data)
        {
            var text = Encoding.UTF8.GetString(data.Span);
            BeforeSend?.Invoke(text);
            lock (Sent) Sent.Add(text);
            OnSend?.Invoke(text);
            return true;
        }

        public override void Close(bool graceful) => MarkClosed();
    }
}
