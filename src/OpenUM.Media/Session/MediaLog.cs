using System.Net;
using Microsoft.Extensions.Logging;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Session;

// Media event ids live in 2301-2399 (SIP uses 21xx, call control 20xx).
// No payload ever goes into a log: no audio, no DTMF digits (PINs). Addresses and ports are logged for operations.
internal static partial class MediaLog
{
    /// <summary>
    /// Rate limit without a timer: the 1st, 10th, 100th, ... occurrence of a kind is logged, so a flood of forged or
    /// stray packets costs a handful of lines while a single one is still visible.
    /// </summary>
    public static bool IsPowerOfTen(long n)
    {
        while (n >= 10 && n % 10 == 0)
            n /= 10;
        return n == 1;
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Debug, Message = "RTP session on port {LocalPort} opened")]
    public static partial void SessionOpened(ILogger logger, int localPort);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information,
        Message = "RTP on port {LocalPort} latched to {Source} (SDP said {SdpRemote}) after {Probation} packets in sequence")]
    public static partial void Latched(ILogger logger, int localPort, IPEndPoint source, IPEndPoint sdpRemote, int probation);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Debug, Message = "RTP on port {LocalPort}: new SSRC {Ssrc:X8}")]
    public static partial void SsrcChanged(ILogger logger, int localPort, uint ssrc);

    // Never the digit: key presses carry PINs (subscriber access), and logs are kept and shipped far more widely.
    [LoggerMessage(EventId = 2304, Level = LogLevel.Debug, Message = "RTP on port {LocalPort}: DTMF event received")]
    public static partial void DtmfReceived(ILogger logger, int localPort);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Information,
        Message = "Recording {WavPath} stopped: {Reason}, {Duration} of audio")]
    public static partial void RecordingStopped(ILogger logger, string wavPath, RecordingStopReason reason, TimeSpan duration);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Warning, Message = "RTP receive on port {LocalPort} failed")]
    public static partial void ReceiveFailed(ILogger logger, int localPort, Exception exception);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Warning, Message = "RTP send from port {LocalPort} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, int localPort, string error);

    [LoggerMessage(EventId = 2308, Level = LogLevel.Error, Message = "A DtmfReceived or FaxToneDetected handler threw")]
    public static partial void DtmfHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2309, Level = LogLevel.Error, Message = "Media clock tick failed for a session; it is removed from pacing")]
    public static partial void TickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2310, Level = LogLevel.Warning,
        Message = "Media clock fell {Behind} behind; pacing restarted from now")]
    public static partial void ClockResync(ILogger logger, TimeSpan behind);

    // No stack trace: a full disk is an operating condition, not a bug; the call layer says what becomes of the message.
    [LoggerMessage(EventId = 2311, Level = LogLevel.Warning,
        Message = "Recording {WavPath} could not be written ({Error}); the {Kept} of audio written before are kept")]
    public static partial void RecordingWriteFailed(ILogger logger, string wavPath, string error, TimeSpan kept);

    // Never key material or payload: the status and a count are what an operator needs.
    [LoggerMessage(EventId = 2312, Level = LogLevel.Warning,
        Message = "{Stream} packet on port {LocalPort} rejected: {Status} ({Count} so far)")]
    public static partial void SrtpRejected(ILogger logger, int localPort, string stream, SrtpStatus status, long count);

    [LoggerMessage(EventId = 2313, Level = LogLevel.Warning, Message = "SRTP send on port {LocalPort} stopped: {Status}")]
    public static partial void SrtpSendStopped(ILogger logger, int localPort, SrtpStatus status);

    // Rate-limited by the caller (1st, 10th, 100th, ...): strangers choose how many packets they send.
    [LoggerMessage(EventId = 2314, Level = LogLevel.Warning,
        Message = "RTP on port {LocalPort}: packet from {Source} dropped, {Reason} ({Count} so far)")]
    public static partial void UnexpectedSource(ILogger logger, int localPort, IPEndPoint source, string reason, long count);

    [LoggerMessage(EventId = 2315, Level = LogLevel.Warning,
        Message = "RTP on port {LocalPort}: nothing was heard from the caller ({Recording}), but {Count} packets from {Source} were dropped under media latching {MediaLatching}: {Advice}")]
    public static partial void NothingHeard(ILogger logger, int localPort, string recording, long count, IPEndPoint source,
        MediaLatching mediaLatching, string advice);

    [LoggerMessage(EventId = 2316, Level = LogLevel.Warning,
        Message = "RTP on port {LocalPort} switched from {Previous} to {Source} after {Probation} packets in sequence ({Count} switches in this call)")]
    public static partial void SourceSwitched(ILogger logger, int localPort, IPEndPoint? previous, IPEndPoint source, int probation, long count);

    [LoggerMessage(EventId = 2317, Level = LogLevel.Warning,
        Message = "RTP on port {LocalPort}: audio packet of {Length} bytes dropped, ptime {PtimeMs} ms allows {MinLength}-{MaxLength} ({Count} so far)")]
    public static partial void PayloadSizeRejected(ILogger logger, int localPort, int length, int ptimeMs, int minLength, int maxLength, long count);

    [LoggerMessage(EventId = 2318, Level = LogLevel.Warning,
        Message = "Recording {WavPath}: the RTP stream claimed more audio than time passed; {GapNotFilled} of timestamp gaps not filled with silence, {AudioDropped} of audio beyond the elapsed time dropped")]
    public static partial void RecordingClamped(ILogger logger, string wavPath, TimeSpan gapNotFilled, TimeSpan audioDropped);

    [LoggerMessage(EventId = 2319, Level = LogLevel.Warning,
        Message = "RTP receive loop on port {LocalPort} ended by closing its socket: {Reason}")]
    public static partial void ReceiveLoopNotWoken(ILogger logger, int localPort, string reason);
}
