using System.Net;

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

/// <summary>What we can do, in our order of preference.</summary>
public sealed record MediaCapabilities(IReadOnlyList<AudioCodec> Codecs, bool TelephoneEvent = true)
{
    /// <summary>PCMU then PCMA, with RFC 4733 telephone-event.</summary>
    public static MediaCapabilities Default { get; } = new([AudioCodec.Pcmu, AudioCodec.Pcma]);
}

/// <summary>The outcome of an offer/answer exchange for the one audio stream we handle.</summary>
public sealed record NegotiatedMedia(AudioCodec Codec, int PayloadType, int? TelephoneEventPayloadType,
    IPEndPoint RemoteRtp, MediaDirection Direction, int PtimeMs)
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
}

/// <summary>A finished recording: why it stopped and how much audio the file holds.</summary>
public sealed record RecordingResult(RecordingStopReason Reason, TimeSpan Duration, string WavPath);

/// <summary>Counters of one media session (a snapshot).</summary>
public sealed record MediaStatistics(long PacketsReceived, long BytesReceived, long PacketsSent, long BytesSent,
    long PacketsLost, long Malformed, long Ignored);
