using System.Buffers.Binary;

namespace OpenUM.Media.Srtp;

/// <summary>
/// One direction (our sending side OR our receiving side) of one media stream, all SSRCs in it (RFC 3711, RFC 6188,
/// RFC 7714). Packets are transformed in place; no call allocates after the first packet of an SSRC.
/// Not thread-safe: one context is used by one thread at a time.
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>How many SSRCs one context tracks; packets of further SSRCs get <see cref="SrtpStatus.TooManySsrcs"/>.</summary>
    public const int MaxSsrcs = 16;

    private readonly SrtpSuiteInfo _info;
    private readonly byte[] _mki;
    private readonly int _window;
    private readonly ulong _lifetime;
    // Each half's session keys are derived on its first packet: most contexts need one half only (a call's receive-RTP
    // context no SRTCP keys, the RTCP port's context no SRTP keys; a peer that sends no RTCP none there at all), and each
    // set holds an AES-CM and an HMAC state. Until both exist the master key and salt are kept here (zeroed once both
    // are derived, or on Dispose), so the policy's key may be disposed meanwhile.
    private SrtpSessionKeys? _rtp;
    private SrtpSessionKeys? _rtcp;
    private byte[]? _masterKey, _masterSalt;
    private readonly SrtpCryptoPath _cryptoPath;
    private readonly SrtpStreamTable _streams = new(MaxSsrcs);
    private ulong _used;
    private bool _disposed;

    /// <summary>Derives the session keys from <paramref name="policy"/>'s master key.</summary>
    public SrtpContext(SrtpPolicy policy)
        : this(policy, SrtpCryptoPath.Auto)
    {
    }

    /// <summary>As the public constructor, choosing the HMAC-SHA1 implementation (tests compare both).</summary>
    internal SrtpContext(SrtpPolicy policy, SrtpCryptoPath cryptoPath)
        : this(Usable(policy).Key.Suite, policy.Key.Mki.Span, policy.Key.Lifetime, policy.ReplayWindow, rtp: null, rtcp: null)
    {
        _masterKey = policy.Key.Key.ToArray();
        _masterSalt = policy.Key.Salt.ToArray();
        _cryptoPath = cryptoPath;
    }

    private static SrtpPolicy Usable(SrtpPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // A disposed key is all zeros: deriving from it would silently use a known key.
        ObjectDisposedException.ThrowIf(policy.Key.IsDisposed, policy.Key);
        return policy;
    }

    /// <summary>A context over ready session keys (known-answer tests; null halves only from the public constructor).</summary>
    internal SrtpContext(SrtpSuite suite, ReadOnlySpan<byte> mki, ulong? lifetime, int replayWindow, SrtpSessionKeys? rtp, SrtpSessionKeys? rtcp)
    {
        _info = SrtpSuites.Info(suite);
        _mki = mki.ToArray();
        _window = replayWindow;
        _lifetime = lifetime ?? SrtpMasterKey.MaxSrtpPackets;
        Suite = suite;
        _rtp = rtp;
        _rtcp = rtcp;
        RtpOverhead = _mki.Length + _info.RtpTagLength;
        RtcpOverhead = 4 + _mki.Length + _info.RtcpTagLength;
    }

    /// <summary>Makes the next SRTCP packet of <paramref name="ssrc"/> use index <paramref name="lastIndex"/> + 1 (known-answer tests).</summary>
    internal void SetLastRtcpIndex(uint ssrc, uint lastIndex) => StateFor(ssrc, create: true)!.SendRtcpIndex = lastIndex;

    /// <summary>The suite of the key.</summary>
    public SrtpSuite Suite { get; }

    /// <summary>Bytes SRTP adds to an RTP packet: MKI length + RTP tag length.</summary>
    public int RtpOverhead { get; }

    /// <summary>Bytes SRTCP adds to an RTCP packet: 4 (E|index) + MKI length + RTCP tag length.</summary>
    public int RtcpOverhead { get; }

    /// <summary>Packets protected or authenticated so far under this key (counted against its lifetime).</summary>
    public ulong PacketCount => _used;

    /// <summary>True when HMAC-SHA1 runs on the libcrypto binding rather than the portable path.</summary>
    internal bool UsesNativeHmac => Rtp.Auth?.IsNative ?? false;

    /// <summary>True when AES-GCM runs on the libcrypto binding rather than the BCL's AesGcm.</summary>
    internal bool UsesNativeGcm => Rtp.Aead?.IsNative ?? false;

    /// <summary>Zeroes and releases all session keys.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _rtp?.Dispose();
        _rtcp?.Dispose();
        ForgetMasterKey();
    }

    /// <summary>True once the SRTP session keys exist (tests: the RTCP port's context never needs them).</summary>
    internal bool HasRtpKeys => _rtp is not null;

    /// <summary>True once the SRTCP session keys exist (tests: a context that saw no RTCP has none).</summary>
    internal bool HasRtcpKeys => _rtcp is not null;

    private SrtpSessionKeys Rtp => _rtp ??= DeriveKeys(SrtpKeyDerivation.RtpEncryption);

    private SrtpSessionKeys Rtcp => _rtcp ??= DeriveKeys(SrtpKeyDerivation.RtcpEncryption);

    private SrtpSessionKeys DeriveKeys(byte encLabel)
    {
        // Unreachable without keys (callers check _disposed first); never derive from an absent (all-zero) key.
        if (_masterKey is null || _masterSalt is null)
            throw new ObjectDisposedException(nameof(SrtpContext));
        var keys = SrtpSessionKeys.Derive(_info, _masterKey, _masterSalt, encLabel, _cryptoPath);
        // The caller stores this half; the master key is needed only while the other half is still missing.
        if ((encLabel == SrtpKeyDerivation.RtpEncryption ? _rtcp : _rtp) is not null)
            ForgetMasterKey();
        return keys;
    }

    private void ForgetMasterKey()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_masterKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_masterSalt);
        (_masterKey, _masterSalt) = (null, null);
    }

    private bool Exhausted => _used >= _lifetime;

    /// <summary>RTP header length (fixed + CSRCs + extension), or -1 when it is not RTP v2 or runs past the end.</summary>
    internal static int RtpHeaderLength(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 12 || (packet[0] >> 6) != 2)
            return -1;
        int hl = 12 + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (hl + 4 > packet.Length)
                return -1;
            hl += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(hl + 2)..]);
        }
        return hl <= packet.Length ? hl : -1;
    }

    /// <summary>RFC 3550 §5.1: with P set, the last octet counts the padding including itself, within the payload.</summary>
    private static bool PaddingValid(ReadOnlySpan<byte> packet, int headerLength)
    {
        if ((packet[0] & 0x20) == 0)
            return true;
        int pad = packet[^1];
        return pad != 0 && pad <= packet.Length - headerLength;
    }

    private SrtpStreamState? StateFor(uint ssrc, bool create)
    {
        var s = _streams.Find(ssrc);
        return s is null && create ? _streams.Add(ssrc) : s;
    }

    // GCM IV (RFC 7714 §8.1 / §9.1): salt XOR (00 00 || SSRC || 48-bit value); the value is ROC||SEQ for SRTP
    // and 00 00 || 0 || 31-bit index for SRTCP, so both are one 48-bit number in the last six bytes.
    private static void GcmNonce(ReadOnlySpan<byte> salt12, uint ssrc, ulong low48, Span<byte> nonce)
    {
        salt12[..12].CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], BinaryPrimitives.ReadUInt32BigEndian(nonce[2..]) ^ ssrc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[6..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(nonce[6..]) ^ (ushort)(low48 >> 32)));
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], BinaryPrimitives.ReadUInt32BigEndian(nonce[8..]) ^ (uint)low48);
    }

    /// <summary>The GCM IV for a 48-bit SRTP index or 31-bit SRTCP index (known-answer tests).</summary>
    internal static void GcmNonceForTest(ReadOnlySpan<byte> salt12, uint ssrc, ulong low48, Span<byte> nonce) => GcmNonce(salt12, ssrc, low48, nonce);
}
