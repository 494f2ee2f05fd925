using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using OpenUM.Media;
using OpenUM.Media.Sdp;

namespace OpenUM.Bench;

/// <summary>
/// The SDP work of answering one incoming call, step by step and whole: decoding and parsing the load test's offer
/// (bench/sipp/call-and-hang-up.xml), answering it with the capabilities of an Unsecured dial plan (PCMU then
/// PCMA, telephone-event, plain RTP) and serializing the answer into the 200 OK's body bytes, each the way
/// AnsweredCall does it.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytesConfig))]
public class SdpBenchmark
{
    private const string Offer = "v=0\r\no=bench 17 1 IN IP4 127.0.0.1\r\ns=OpenUM bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 6000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n";

    // What the dial plan policy hands an Unsecured or SipSecured dial plan (MediaPolicy.Plain).
    private static readonly MediaCapabilities Plain = new([AudioCodec.Pcmu, AudioCodec.Pcma]);
    private static readonly IPAddress Local = IPAddress.Parse("127.0.0.1");
    private const int LocalPort = 40000;

    private byte[] _body = [];
    private SessionDescription _offer = null!;
    private SessionDescription _answer = null!;

    /// <summary>Parses and answers once, so each step has its input and the whole is known to succeed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        LoadAverage.Report(nameof(SdpBenchmark));
        _body = Encoding.UTF8.GetBytes(Offer);
        _offer = SessionDescription.Parse(Offer);
        var result = OfferAnswer.Answer(_offer, Plain, Local, LocalPort);
        if (!result.Success || result.Answer is null)
            throw new InvalidOperationException("benchmark offer is not answered: " + result.FailureReason);
        _answer = result.Answer;
        if (Whole().Length == 0)
            throw new InvalidOperationException("benchmark answer is empty");
    }

    /// <summary>The INVITE body parsed, as the call layer does.</summary>
    [Benchmark]
    public SessionDescription? Parse()
    {
        SessionDescription.TryParseUtf8(_body, out var sdp, out _);
        return sdp;
    }

    /// <summary>The parsed offer answered (fresh origin, codec, telephone-event, direction, ptime).</summary>
    [Benchmark]
    public OfferAnswerResult Answer() => OfferAnswer.Answer(_offer, Plain, Local, LocalPort);

    /// <summary>The answer written as the 200 OK's body bytes.</summary>
    [Benchmark]
    public byte[] Serialize() => _answer.ToBytes();

    /// <summary>All three for one call.</summary>
    [Benchmark(Baseline = true)]
    public byte[] Whole()
    {
        SessionDescription.TryParseUtf8(_body, out var sdp, out _);
        var result = OfferAnswer.Answer(sdp!, Plain, Local, LocalPort);
        return result.Answer!.ToBytes();
    }
}
