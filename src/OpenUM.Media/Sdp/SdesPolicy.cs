using System.Globalization;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Sdp;

/// <summary>Which parsed a=crypto lines we agree to use (secure by default), whether we answer or read an answer.</summary>
public static class SdesPolicy
{
    /// <summary>
    /// Longest MKI we accept, bytes. Every SRTP and SRTCP packet carries the MKI, so a long one only costs
    /// bandwidth; SDES peers use 1-4 bytes (a 32-bit counter), RFC 3711 does not need more to tell keys apart,
    /// and a 4-byte MKI is what the per-packet overhead of our media buffers is sized for.
    /// </summary>
    public const int MaxMkiLength = 4;

    /// <summary>
    /// Shortest key lifetime we accept, packets (2^20: about 5.8 hours of 20 ms audio). SDES has no rekeying short
    /// of a re-INVITE, which we do not send, so a shorter key would run out and silence a long call.
    /// </summary>
    public const ulong MinLifetime = 1UL << 20;

    /// <summary>Largest WSH we honour as our receive replay window (20 s of 20 ms audio; a larger hint is capped).</summary>
    public const int MaxHonouredWindowSizeHint = 1024;

    /// <summary>
    /// True when <paramref name="crypto"/> names a suite we implement and asks for nothing that weakens or
    /// changes SRTP: one key-param (with several, which need MKIs, the first is used), MKI of 1-4 bytes, lifetime
    /// 2^20..2^48, KDR absent or 0, WSH (honoured), "-" extensions (ignored). UNENCRYPTED_*, UNAUTHENTICATED_SRTP,
    /// FEC_ORDER/FEC_KEY, a non-zero KDR and unknown mandatory parameters make the line unacceptable.
    /// </summary>
    public static bool IsAcceptable(SdesCrypto crypto, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        reason = Check(crypto);
        return reason is null;
    }

    /// <summary>Our receive replay window: our own, raised to the peer's WSH up to <see cref="MaxHonouredWindowSizeHint"/>.</summary>
    public static int ReceiveWindow(int ours, int? windowSizeHint) =>
        Math.Max(ours, Math.Min(windowSizeHint ?? 0, MaxHonouredWindowSizeHint));

    private static string? Check(SdesCrypto c)
    {
        string name = SdesCrypto.Safe(c.SuiteName);
        if (c.Suite is not { } suite)
            return $"suite {name} is not implemented";
        var key = c.Keys[0];
        if (key.KeySalt.Length != SrtpSuites.Info(suite).MasterLength)
            return $"{name} key has the wrong length";
        if (key.MkiLength > MaxMkiLength)
            return string.Create(CultureInfo.InvariantCulture, $"{name} MKI of {key.MkiLength} bytes (we accept 1-{MaxMkiLength})");
        if (key.Lifetime is { } life && (life < MinLifetime || life > SrtpMasterKey.MaxSrtpPackets))
            return string.Create(CultureInfo.InvariantCulture, $"{name} key lifetime {life} packets (we accept 2^20 to 2^48)");
        if (c.UnencryptedSrtp)
            return $"{name} with UNENCRYPTED_SRTP";
        if (c.UnencryptedSrtcp)
            return $"{name} with UNENCRYPTED_SRTCP";
        if (c.UnauthenticatedSrtp)
            return $"{name} with UNAUTHENTICATED_SRTP";
        if (c.FecOrder is not null || c.HasFecKey)
            return $"{name} with FEC parameters (not supported)";
        if (c.KeyDerivationRate is { } kdr && kdr != 0)
            return string.Create(CultureInfo.InvariantCulture, $"{name} with KDR={kdr} (only 0 is supported)");
        if (c.UnknownMandatoryParams.Count > 0)
            return $"{name} with unknown session parameter {c.UnknownMandatoryParams[0]}";
        return null;
    }
}
