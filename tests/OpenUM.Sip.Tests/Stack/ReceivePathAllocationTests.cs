using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;
using static OpenUM.Sip.Tests.Stack.StackHarness;

namespace OpenUM.Sip.Tests.Stack;

// An in-dialog ACK, and a BYE up to its dialog, cost a read loop no allocation: the message is lent, its values are
// read in place, the keys are written on the stack. Messages are driven through the transport sink as a read loop
// hands them over.
public sealed class ReceivePathAllocationTests
{
    private static readonly IPEndPoint Gateway = new(IPAddress.Parse("192.0.2.10"), 5060);
    private static readonly IPEndPoint Local = new(IPAddress.Parse("192.0.2.1"), 5060);
    private static readonly SipParserLimits Limits = new();

    [Fact]
    public async Task Receiving_the_ack_of_an_answered_call_allocates_nothing()
    {
        await using var agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, new FakeTimeProvider(), NullLogger.Instance);
        var sink = (ISipTransportSink)agent;
        var connection = new RecordingConnection();
        var (call, dialog) = await AnswerAsync(agent, connection);
        var ack = new ReadOnlySequence<byte>(Bytes(call.AckFor2xx(call.RequestUri, call.CSeq)));

        Receive(sink, connection, ack); // confirms the dialog: the retransmission timers stop
        await dialog.Confirmed.Guard();

        Assert.Equal(0, SteadyStateAllocation(() => Receive(sink, connection, ack)));
        Assert.Equal(1, agent.ActiveDialogs);
    }

    [Fact]
    public async Task Matching_a_bye_to_its_dialog_allocates_nothing_and_answering_it_ends_the_dialog()
    {
        await using var agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, new FakeTimeProvider(), NullLogger.Instance);
        var sink = (ISipTransportSink)agent;
        var connection = new RecordingConnection();
        var (call, dialog) = await AnswerAsync(agent, connection);
        var bye = new ReadOnlySequence<byte>(Bytes(call.InDialog("BYE", call.RequestUri)));

        SipDialog? matched = null;
        Assert.Equal(0, SteadyStateAllocation(() => matched = Match(agent, connection, bye)));
        Assert.Same(dialog, matched);
        // The same lent BYE, handled: the stack keeps its own copy for the transaction and answers 200.
        Receive(sink, connection, bye);
        Assert.Equal(SipDialogEndReason.RemoteBye, (await dialog.Terminated.Guard()).Reason);
        Assert.Contains(connection.Sent, m => m.StartsWith("SIP/2.0 200", StringComparison.Ordinal) && m.Contains(" BYE\r\n"));
    }

    private static async Task<(PeerCall Call, SipDialog Dialog)> AnswerAsync(SipUserAgent agent, RecordingConnection connection)
    {
        var incoming = CaptureCall(agent);
        var call = new PeerCall(Gateway, Local) { RPort = true };
        Receive(agent, connection, new ReadOnlySequence<byte>(Bytes(call.Invite())));
        var ic = await incoming.Task.Guard();
        var dialog = ic.Accept(Bytes(PeerCall.Offer));
        call.ToTag = dialog.LocalTag;
        return (call, dialog);
    }

    // Bytes allocated by 100 runs of `receive` on this thread once the JIT has optimized the code it runs, as a
    // server's read loops run it after their first calls: code the JIT has not optimized yet boxes where optimized
    // code does not, and it is optimized in the background after some calls. Rounds are retried on this same thread
    // (its spare message and array pool cache warm) until one allocates nothing, for at most about 20 s (a hang
    // guard, not a timing): the last round's figure otherwise.
    private static long SteadyStateAllocation(Action receive)
    {
        long allocated = -1;
        for (var round = 0; round < 200 && allocated != 0; round++)
        {
            if (round > 0) Thread.Sleep(100);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++) receive();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        return allocated;
    }

    // As the read loop does it: parse into a lent message, hand it over, return it.
    private static void Receive(ISipTransportSink sink, SipConnection connection, ReadOnlySequence<byte> bytes)
    {
        // Not Assert.Equal: comparing the enums through it allocates, inside the measured loop.
        if (SipParser.TryParsePooled(bytes, Limits, out var message, out var rejection, out _, out _) != SipParseResult.Complete)
        {
            Assert.Fail("the test message does not parse: " + rejection?.ReasonPhrase);
        }
        sink.OnMessage(connection, message!);
        SipMessage.Return(message);
    }

    private static SipDialog? Match(SipUserAgent agent, SipConnection connection, ReadOnlySequence<byte> bytes)
    {
        SipParser.TryParsePooled(bytes, Limits, out var message, out _, out _, out _);
        var dialog = agent.MatchInDialog(connection, message!);
        SipMessage.Return(message);
        return dialog;
    }

    // The gateway's TCP connection; what is sent is kept as text.
    private sealed class RecordingConnection() : SipConnection(
        new SipConnectionInfo("tcp-test", SipTransportKind.Tcp, Gateway, Local, null), TimeProvider.System)
    {
        public List<string> Sent { get; } = [];

        public override bool IsReliable => true;

        public override bool Send(ReadOnlyMemory<byte> data)
        {
            lock (Sent) Sent.Add(Encoding.UTF8.GetString(data.Span));
            return true;
        }

        public override void Close(bool graceful) => MarkClosed();
    }
}
