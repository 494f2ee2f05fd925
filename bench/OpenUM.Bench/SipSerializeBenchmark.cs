using System.Buffers;
using BenchmarkDotNet.Attributes;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Bench;

/// <summary>Serializing a 200 OK with SDP answer into a reused buffer writer.</summary>
[MemoryDiagnoser]
public class SipSerializeBenchmark
{
    private readonly ArrayBufferWriter<byte> _writer = new(2048);
    private SipMessage _ok = null!;

    /// <summary>Builds the 200 OK once, as the dialog layer would.</summary>
    [GlobalSetup]
    public void Setup()
    {
        SipParser.TryParse(new ReadOnlySequence<byte>(SipMessages.Invite()), new SipParserLimits(), out var invite, out _, out _, out _);
        _ok = SipMessage.CreateResponse(invite!, 200);
        _ok.Headers.Set("To", invite!.To!.WithTag("8321234356").ToString());
        _ok.Headers.Add("Contact", "<sip:5000@192.0.2.50:5060;transport=tcp>");
        _ok.Headers.Add("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO");
        _ok.Headers.Add("Supported", "timer");
        _ok.Headers.Add("User-Agent", "OpenUM");
        _ok.Headers.Add("Content-Type", "application/sdp");
        _ok.Body = "v=0\r\no=OpenUM 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"u8.ToArray();
    }

    /// <summary>WriteTo into a reset ArrayBufferWriter.</summary>
    [Benchmark]
    public int Serialize200Ok()
    {
        _writer.ResetWrittenCount();
        _ok.WriteTo(_writer);
        return _writer.WrittenCount;
    }
}
