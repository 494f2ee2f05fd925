using System.Buffers;
using BenchmarkDotNet.Attributes;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Bench;

/// <summary>
/// Parsing a typical ~900-byte INVITE with SDP from one buffer (stream framing and datagram), and the ACK and BYE
/// of its dialog (stream framing).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytesConfig))]
public partial class SipParseBenchmark
{
    private readonly SipParserLimits _limits = new();
    private byte[] _invite = [];
    private ReadOnlySequence<byte> _sequence;
    private ReadOnlySequence<byte> _ack;
    private ReadOnlySequence<byte> _bye;

    /// <summary>Builds the input once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        LoadAverage.Report(nameof(SipParseBenchmark));
        _invite = SipMessages.Invite();
        _sequence = new ReadOnlySequence<byte>(_invite);
        if (SipParser.TryParse(_sequence, _limits, out _, out var r, out _, out _) != SipParseResult.Complete)
        {
            throw new InvalidOperationException("benchmark input does not parse: " + r?.ReasonPhrase);
        }
        _ack = new ReadOnlySequence<byte>(SipMessages.AckFor2xx());
        _bye = new ReadOnlySequence<byte>(SipMessages.ByeInDialog());
        foreach (var m in new[] { _ack, _bye })
        {
            if (SipParser.TryParse(m, _limits, out _, out r, out _, out _) != SipParseResult.Complete)
            {
                throw new InvalidOperationException("benchmark input does not parse: " + r?.ReasonPhrase);
            }
        }
        if (FramingFloor() != _invite.Length)
        {
            throw new InvalidOperationException("framing floor does not frame the benchmark input");
        }
    }

    /// <summary>Bytes in the benchmark message.</summary>
    public int MessageBytes => _invite.Length;

    /// <summary>TCP/TLS path: single-segment ReadOnlySequence.</summary>
    [Benchmark(Baseline = true)]
    public SipMessage? ParseStream()
    {
        SipParser.TryParse(_sequence, _limits, out var message, out _, out _, out _);
        return message;
    }

    /// <summary>UDP path.</summary>
    [Benchmark]
    public SipMessage? ParseDatagram()
    {
        SipParser.TryParseDatagram(_invite, _limits, out var message, out _);
        return message;
    }

    /// <summary>The ACK of our 200 OK, TCP/TLS path.</summary>
    [Benchmark]
    public SipMessage? ParseAck()
    {
        SipParser.TryParse(_ack, _limits, out var message, out _, out _, out _);
        return message;
    }

    /// <summary>The caller's BYE, TCP/TLS path.</summary>
    [Benchmark]
    public SipMessage? ParseBye()
    {
        SipParser.TryParse(_bye, _limits, out var message, out _, out _, out _);
        return message;
    }

    /// <summary>The INVITE as a connection's read loop parses it: lent, then returned (TCP/TLS path).</summary>
    [Benchmark]
    public bool ParseStreamLent() => Lend(_sequence);

    /// <summary>The ACK as a connection's read loop parses it.</summary>
    [Benchmark]
    public bool ParseAckLent() => Lend(_ack);

    /// <summary>The BYE as a connection's read loop parses it.</summary>
    [Benchmark]
    public bool ParseByeLent() => Lend(_bye);

    private bool Lend(in ReadOnlySequence<byte> bytes)
    {
        var result = SipParser.TryParsePooled(bytes, _limits, out var message, out _, out _, out _);
        SipMessage.Return(message);
        return result == SipParseResult.Complete;
    }
}
