namespace OpenUM.Media.Session;

/// <summary>SRTP/SRTCP rejections of one media session, per stream.</summary>
/// <param name="RtpAuthenticationFailures">SRTP packets whose tag did not verify (forged, corrupted or wrong ROC).</param>
/// <param name="RtpReplays">SRTP packets already received or older than the replay window.</param>
/// <param name="RtpOther">SRTP packets malformed, with an unknown MKI, or past the key lifetime.</param>
/// <param name="RtcpAuthenticationFailures">SRTCP packets whose tag did not verify.</param>
/// <param name="RtcpReplays">SRTCP packets replayed.</param>
/// <param name="RtcpOther">SRTCP packets malformed, with an unknown MKI, or past the key lifetime.</param>
/// <param name="RtcpPackets">RTCP packets accepted (authenticated, when SRTP is on).</param>
public sealed record SrtpStatistics(long RtpAuthenticationFailures, long RtpReplays, long RtpOther,
    long RtcpAuthenticationFailures, long RtcpReplays, long RtcpOther, long RtcpPackets)
{
    /// <summary>All rejected packets, both streams.</summary>
    public long Rejected => RtpAuthenticationFailures + RtpReplays + RtpOther + RtcpAuthenticationFailures + RtcpReplays + RtcpOther;
}
