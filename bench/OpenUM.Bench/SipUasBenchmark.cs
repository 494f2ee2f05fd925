using System.Buffers;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Bench;

/// <summary>
/// What the SIP layer does for one call as the server runs it, without sockets: the gateway's INVITE from the
/// bytes the read loop hands over to our 200 OK serialized for the wire (validation, INVITE server transaction,
/// call, dialog, response), its ACK, and its BYE up to our 200. The SDP answer is an opaque payload and the call
/// handler accepts at once on the read loop, so no thread hop is measured.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytesConfig))]
public class SipUasBenchmark
{
    // Our To tag is random per call (16 hex digits): the ACK and BYE carry it where these zeros are.
    private static readonly string TagPlaceholder = new('0', 16);

    private static readonly byte[] SdpAnswer = Encoding.ASCII.GetBytes(
        "v=0\r\no=OpenUM 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\n" +
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");

    private readonly SipParserLimits _limits = new();
    private SipUserAgent _agent = null!;
    private ISipTransportSink _sink = null!;
    private CountingConnection _connection = null!;
    private byte[] _invite = null!;
    private byte[] _ack = null!;
    private byte[] _bye = null!;
    private int _ackTag;
    private int _byeTag;
    private IncomingCall? _call;
    private SipDialog? _dialog;

    /// <summary>A user agent whose call handler accepts every call with the SDP answer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        LoadAverage.Report(nameof(SipUasBenchmark));
        _agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, TimeProvider.System, NullLogger.Instance)
        {
            HandlerOnReadLoop = true,
            OnIncomingCall = call =>
            {
                _call = call;
                _dialog = call.Accept(SdpAnswer);
                return ValueTask.CompletedTask;
            },
        };
        _sink = _agent;
        _connection = new CountingConnection();
        _invite = SipMessages.Invite();
        _ack = SipMessages.AckFor2xx(TagPlaceholder);
        _bye = SipMessages.ByeInDialog(TagPlaceholder);
        var placeholder = Encoding.ASCII.GetBytes("tag=" + TagPlaceholder);
        _ackTag = _ack.AsSpan().IndexOf(placeholder) + 4;
        _byeTag = _bye.AsSpan().IndexOf(placeholder) + 4;

        // One call as a check: the 200 to the INVITE, nothing to the ACK, the 200 to the BYE, and nothing left over.
        Call();
        if (_connection.Sent != 2 || !_connection.Last.Span.StartsWith("SIP/2.0 200 OK\r\n"u8)
            || _agent.ActiveDialogs != 0 || !_dialog!.Terminated.IsCompleted)
        {
            throw new InvalidOperationException("the benchmark's call did not go INVITE-200-ACK-BYE-200");
        }
    }

    /// <summary>Stops the user agent's timer wheel.</summary>
    [GlobalCleanup]
    public void Cleanup() => _agent.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The INVITE from its bytes to our 200 OK on the wire; then the call is left as its INVITE transaction's Timer L
    /// and a BYE would leave it (both out of their tables), so every operation starts from the same state.
    /// </summary>
    [Benchmark]
    public void InviteTo200()
    {
        Receive(_invite);
        _dialog!.EndUnanswered(SipDialogEndReason.RemoteBye);
        EndInviteTransaction();
    }

    /// <summary>A whole call: INVITE to 200, the ACK, the BYE to its 200; then Timer L's end of the INVITE transaction.</summary>
    [Benchmark]
    public void Call()
    {
        Receive(_invite);
        var tag = _call!.LocalTag;
        Encoding.ASCII.GetBytes(tag, _ack.AsSpan(_ackTag, tag.Length));
        Encoding.ASCII.GetBytes(tag, _bye.AsSpan(_byeTag, tag.Length));
        Receive(_ack);
        Receive(_bye);
        EndInviteTransaction();
    }

    // The read loop's part: parse into a lent message, hand it to the stack, take it back.
    private void Receive(byte[] bytes)
    {
        if (SipParser.TryParsePooled(new ReadOnlySequence<byte>(bytes), _limits, out var message, out _, out _, out _) != SipParseResult.Complete)
        {
            throw new InvalidOperationException("benchmark input does not parse");
        }
        _sink.OnMessage(_connection, message!);
        SipMessage.Return(message);
    }

    // What Timer L does 64*T1 after the 200 (RFC 6026): the INVITE's branch is the same in every operation.
    private void EndInviteTransaction() => ((InviteServerTransaction)_call!.Request.ServerTransaction!).OnTransportError();

    // The gateway's TCP connection: counts what is sent to it and keeps the last message.
    private sealed class CountingConnection() : SipConnection(
        new SipConnectionInfo("tcp-bench", SipTransportKind.Tcp, new IPEndPoint(IPAddress.Parse(SipMessages.GatewayAddress), 5060),
            new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), null), TimeProvider.System)
    {
        public int Sent { get; private set; }

        public ReadOnlyMemory<byte> Last { get; private set; }

        public override bool IsReliable => true;

        public override bool Send(ReadOnlyMemory<byte> data)
        {
            Sent++;
            Last = data;
            return true;
        }

        public override void Close(bool graceful) => MarkClosed();
    }
}
