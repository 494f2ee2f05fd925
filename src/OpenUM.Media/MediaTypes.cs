using System.Net;
using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media;

/// <summary>Media direction of a stream (RFC 4566 §6, RFC 3264 §5.1).</summary>
public enum MediaDirection
{
    /// <summary>Send and receive (the default when no attribute is present).</summary>
    SendRecv,
    /// <summary>Send only.</summary>
    SendOnly,
    /// <summary>Receive only.</summary>
    RecvOnly,
    /// <summary>Neither send nor receive.</summary>
    Inactive,
}

/// <summary>Audio codecs OpenUM speaks; the value is the static RTP payload type (RFC 3551).</summary>
public enum AudioCodec
{
    /// <summary>G.711 µ-law.</summary>
    Pcmu = 0,
    /// <summary>G.711 A-law.</summary>
    Pcma = 8,
}

/// <summary>Whether a call's media must be SRTP (the dial plan's security mode decides).</summary>
public enum SrtpMode
{
    /// <summary>Never SRTP: a=crypto on RTP/AVP is ignored (plain answer); an RTP/SAVP-only offer is refused (488).</summary>
    Off,
    /// <summary>Secured dial plan: SRTP with SDES keys or the call is refused (488).</summary>
    Required,
}

/// <summary>What we can do, in our order of preference.</summary>
/// <param name="Codecs">Audio codecs, preferred first.</param>
/// <param name="TelephoneEvent">Offer and accept RFC 4733 telephone-event.</param>
/// <param name="Srtp">Whether the media must be SRTP.</param>
/// <param name="SrtpSuites">SRTP suites, preferred first; null means <see cref="OpenUM.Media.Srtp.SrtpSuites.DefaultPreference"/>.</param>
/// <param name="SrtpReplayWindow">Replay window for our SRTP contexts (64-32768 packets).</param>
public sealed record MediaCapabilities(IReadOnlyList<AudioCodec> Codecs, bool TelephoneEvent = true,
    SrtpMode Srtp = SrtpMode.Off, IReadOnlyList<SrtpSuite>? SrtpSuites = null, int SrtpReplayWindow = 128)
{
    /// <summary>PCMU then PCMA, with RFC 4733 telephone-event.</summary>
    public static MediaCapabilities Default { get; } = new([AudioCodec.Pcmu, AudioCodec.Pcma]);

    /// <summary>The SRTP suites in effect, preferred first, without duplicates.</summary>
    public IReadOnlyList<SrtpSuite> EffectiveSrtpSuites =>
        SrtpSuites is null ? OpenUM.Media.Srtp.SrtpSuites.DefaultPreference : [.. SrtpSuites.Distinct()];
}

/// <summary>Negotiated SRTP for one stream: the suite and one policy per direction.</summary>
/// <param name="Suite">The crypto suite both sides use.</param>
/// <param name="Send">Our fresh key (the one we sent in SDP), for protecting what we send.</param>
/// <param name="Receive">The peer's key from its SDP (with its MKI and lifetime), for what we receive.</param>
public sealed record SrtpSession(SrtpSuite Suite, SrtpPolicy Send, SrtpPolicy Receive)
{
    /// <summary>Suite and windows only; never key material.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"SrtpSession({SrtpSuites.Name(Suite)}, send window {Send.ReplayWindow}, receive window {Receive.ReplayWindow}, receive MKI {Receive.Key.Mki.Length} bytes)");
}

/// <summary>The outcome of an offer/answer exchange for the one audio stream we handle.</summary>
/// <param name="Codec">The audio codec.</param>
/// <param name="PayloadType">Its RTP payload type.</param>
/// <param name="TelephoneEventPayloadType">RFC 4733 payload type, or null.</param>
/// <param name="RemoteRtp">Where to send RTP.</param>
/// <param name="Direction">Our direction.</param>
/// <param name="PtimeMs">Packet time.</param>
/// <param name="Srtp">SRTP keys and suite when the stream is secured; null for plain RTP.</param>
public sealed record NegotiatedMedia(AudioCodec Codec, int PayloadType, int? TelephoneEventPayloadType,
    IPEndPoint RemoteRtp, MediaDirection Direction, int PtimeMs, SrtpSession? Srtp = null)
{
    /// <summary>True when we may send RTP (our direction allows it and the remote address is usable).</summary>
    public bool CanSend => Direction is MediaDirection.SendRecv or MediaDirection.SendOnly
        && RemoteRtp.Port != 0 && !RemoteRtp.Address.Equals(IPAddress.Any) && !RemoteRtp.Address.Equals(IPAddress.IPv6Any);

    /// <summary>Samples per packet at 8 kHz.</summary>
    public int SamplesPerFrame => PtimeMs * 8;
}

/// <summary>Result of <see cref="OfferAnswer.Answer"/>: an answer, or the status to reject the offer with.</summary>
public sealed record OfferAnswerResult(bool Success, SessionDescription? Answer, NegotiatedMedia? Media,
    int FailureStatus, string? FailureReason)
{
    internal static OfferAnswerResult Fail(string reason) => new(false, null, null, 488, reason);
}

/// <summary>Limits for one recording.</summary>
public sealed record RecordingLimits(TimeSpan MaxDuration, TimeSpan IdleTimeout, char? StopDigit = '#');

/// <summary>Why a recording ended.</summary>
public enum RecordingStopReason
{
    /// <summary>The caller hung up (the token was cancelled) or the session closed.</summary>
    Cancelled,
    /// <summary>The stop digit was pressed.</summary>
    StopDigit,
    /// <summary>Nothing but silence (or nothing at all) arrived for the idle timeout.</summary>
    IdleTimeout,
    /// <summary>The recorded audio reached the maximum duration.</summary>
    MaxDuration,
    /// <summary>
    /// The file could not be written (disk full, quota, read-only file system, I/O error): what had landed is kept
    /// with a header that says so, and <see cref="RecordingResult.WriteError"/> says why.
    /// </summary>
    WriteFailed,
}

/// <summary>A finished recording: why it stopped and how much audio the file holds.</summary>
public sealed record RecordingResult(RecordingStopReason Reason, TimeSpan Duration, string WavPath)
{
    /// <summary>
    /// Why writing failed, in a few words without the path ("no space left on device"), when <see cref="Reason"/> is
    /// <see cref="RecordingStopReason.WriteFailed"/>; <see cref="Duration"/> is then the audio that really landed.
    /// </summary>
    public string? WriteError { get; init; }
}

/// <summary>Counters of one media session (a snapshot).</summary>
/// <param name="PacketsReceived">Datagrams received on the RTP port.</param>
/// <param name="BytesReceived">Their bytes.</param>
/// <param name="PacketsSent">RTP packets sent.</param>
/// <param name="BytesSent">Their bytes.</param>
/// <param name="PacketsLost">Sequence numbers never received from the learned source (RFC 3550 A.3).</param>
/// <param name="Malformed">Datagrams that are not valid RTP (or are truncated RFC 4733 events).</param>
/// <param name="Ignored">Valid packets not used: payload types not negotiated, comfort noise, RTCP on the RTP port,
/// stray sequence numbers, and packets of a source still on probation.</param>
/// <param name="UnexpectedSource">Packets dropped because they came from a source the stream is not learned from
/// (an address media latching does not accept, or another source while one holds the stream).</param>
/// <param name="PayloadSizeRejected">Audio packets dropped because their size does not fit the negotiated ptime.</param>
public sealed record MediaStatistics(long PacketsReceived, long BytesReceived, long PacketsSent, long BytesSent,
    long PacketsLost, long Malformed, long Ignored, long UnexpectedSource = 0, long PayloadSizeRejected = 0);
