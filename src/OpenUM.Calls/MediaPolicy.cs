using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Srtp;

namespace OpenUM.Calls;

/// <summary>
/// SEC-3 in one place for both directions: what media a call of a dial plan may use, whether the server answers
/// (a gateway's call) or offers (Play on Phone), so inbound and outbound calls cannot drift apart.
/// </summary>
public static class MediaPolicy
{
    private static readonly AudioCodec[] Codecs = [AudioCodec.Pcmu, AudioCodec.Pcma];

    /// <summary>G.711 (PCMU, PCMA) with telephone-event and no SRTP: Unsecured and SipSecured dial plans.</summary>
    public static MediaCapabilities Plain { get; } = new(Codecs);

    /// <summary>
    /// A Secured dial plan requires SRTP with the server's suite preference (<see cref="UmServer.SrtpCryptoSuites"/>)
    /// and replay window; SipSecured and Unsecured never use SRTP (SDES offered on RTP/AVP gets plain RTP; an
    /// RTP/SAVP-only offer gets 488; an outgoing offer is plain).
    /// </summary>
    public static MediaCapabilities CapabilitiesFor(DialPlan dialPlan, UmServer? server)
    {
        ArgumentNullException.ThrowIfNull(dialPlan);
        if (dialPlan.VoipSecurity != VoipSecurity.Secured)
            return Plain;
        IReadOnlyList<SrtpSuite>? suites = null;
        if (server is { SrtpCryptoSuites.Count: > 0 })
        {
            // Validated when configured; a name this build does not know (store edited by hand) is skipped, and a
            // list with no known name at all falls back to the built-in order rather than refusing every call.
            suites = [.. server.SrtpCryptoSuites.Select(n => SrtpSuites.TryParse(n, out var s) ? s : null).OfType<SrtpSuite>()];
            if (suites.Count == 0)
                suites = null;
        }
        return new MediaCapabilities(Codecs, true, SrtpMode.Required, suites,
            server?.SrtpReplayWindow ?? UmServer.DefaultSrtpReplayWindow);
    }
}
