using System.Buffers;
using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Bench;

/// <summary>
/// The receive path of the in-dialog ACK and BYE without sockets: the bytes as a connection's read loop hands them
/// to the parser (the message lent, and returned once handled, as the read loop does), then what the user agent
/// does with the message until it has found the call's dialog.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytesConfig))]
public class SipReceiveBenchmark
{
    private readonly SipParserLimits _limits = new();
    private SipUserAgent _agent = null!;
    private ISipTransportSink _sink = null!;
    private NullConnection _connection = null!;
    private SipDialog _dialog = null!;
    private ReadOnlySequence<byte> _ack;
    private ReadOnlySequence<byte> _bye;
    private ReadOnlySequence<byte> _invite;

    /// <summary>A user agent holding the dialog the INVITE of <see cref="SipMessages"/> set up.</summary>
    [GlobalSetup]
    public void Setup()
    {
        LoadAverage.Report(nameof(SipReceiveBenchmark));
        _agent = new SipUserAgent(new SipUserAgentOptions { TcpPort = null }, TimeProvider.System, NullLogger.Instance);
        _sink = _agent;
        _connection = new NullConnection();
        _invite = new ReadOnlySequence<byte>(SipMessages.Invite());
        var invite = Parse(_invite);
        _dialog = SipDialog.ForUas(_agent, _connection, invite, SipMessages.LocalTag);
        _agent.AddDialog(_dialog);
        _ack = new ReadOnlySequence<byte>(SipMessages.AckFor2xx());
        _bye = new ReadOnlySequence<byte>(SipMessages.ByeInDialog());
        if (_agent.MatchInDialog(_connection, Parse(_ack)) != _dialog || _agent.MatchInDialog(_connection, Parse(_bye)) != _dialog)
        {
            throw new InvalidOperationException("the benchmark's ACK and BYE do not match their dialog");
        }
    }

    /// <summary>Stops the user agent's timer wheel.</summary>
    [GlobalCleanup]
    public void Cleanup() => _agent.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The whole receive path of the ACK of our 200 OK: parse, the transport sink (top Via stamped, transaction key,
    /// INVITE transaction looked up, dialog found and told).
    /// </summary>
    [Benchmark]
    public void ReceiveAck()
    {
        SipParser.TryParsePooled(_ack, _limits, out var message, out _, out _, out _);
        _sink.OnMessage(_connection, message!);
        SipMessage.Return(message);
    }

    /// <summary>
    /// The caller's BYE up to its dialog: parse, top Via stamped, transaction key, transaction table (not a
    /// retransmission), dialog table. Answering it (a server transaction and a 200 OK) is not included.
    /// </summary>
    [Benchmark]
    public SipDialog? MatchBye()
    {
        SipParser.TryParsePooled(_bye, _limits, out var message, out _, out _, out _);
        var dialog = _agent.MatchInDialog(_connection, message!);
        SipMessage.Return(message);
        return dialog;
    }

    /// <summary>
    /// The INVITE as the read loop parses it (lent, returned after the call), and the copy the stack keeps once it
    /// starts a call (<c>Own</c>): what a new call costs in message bytes and header index.
    /// </summary>
    [Benchmark]
    public SipMessage ParseInviteAndKeep()
    {
        SipParser.TryParsePooled(_invite, _limits, out var message, out _, out _, out _);
        var kept = message!.Own();
        SipMessage.Return(message);
        return kept;
    }

    private SipMessage Parse(ReadOnlySequence<byte> bytes) =>
        SipParser.TryParse(bytes, _limits, out var m, out var r, out _, out _) == SipParseResult.Complete
            ? m!
            : throw new InvalidOperationException("benchmark input does not parse: " + r?.ReasonPhrase);

    // The gateway's TCP connection; whatever is sent to it is dropped.
    private sealed class NullConnection() : SipConnection(
        new SipConnectionInfo("tcp-bench", SipTransportKind.Tcp, new IPEndPoint(IPAddress.Parse(SipMessages.GatewayAddress), 5060),
            new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5060), null), TimeProvider.System)
    {
        public override bool IsReliable => true;

        public override bool Send(ReadOnlyMemory<byte> data) => true;

        public override void Close(bool graceful) => MarkClosed();
    }
}
