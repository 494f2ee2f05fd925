using OpenUM.Media.Srtp;

namespace OpenUM.Media.Sdp;

/// <summary>
/// An offer we made, with the SDES keys behind its a=crypto lines: reading the answer needs them, and the SDP
/// alone cannot be trusted to carry them back (it may be re-serialised or logged).
/// </summary>
public sealed class LocalOffer
{
    internal LocalOffer(SessionDescription sdp, IReadOnlyList<OfferedCrypto> crypto, int replayWindow)
    {
        Sdp = sdp;
        Crypto = crypto;
        ReplayWindow = replayWindow;
    }

    /// <summary>The SDP to send.</summary>
    public SessionDescription Sdp { get; }

    /// <summary>The a=crypto lines offered (empty for a plain RTP offer).</summary>
    public IReadOnlyList<OfferedCrypto> Crypto { get; }

    /// <summary>Replay window for the SRTP contexts once the answer is read.</summary>
    public int ReplayWindow { get; }

    /// <summary>True when the offer is RTP/SAVP with SDES keys.</summary>
    public bool IsSecured => Crypto.Count > 0;

    /// <summary>The SDP and how many keys it carries; never key material.</summary>
    public override string ToString() => $"LocalOffer({Crypto.Count} a=crypto)";
}

/// <summary>One a=crypto line of our offer: its tag and our sending key for it (the suite is the key's).</summary>
public sealed record OfferedCrypto(int Tag, SrtpMasterKey Key);
