using System.Net;
using System.Security.Cryptography;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Sdp;

// SDES (RFC 4568) keying for the audio stream: choosing an offered a=crypto line, keying our answer, making
// secured offers and reading their answers.
public static partial class OfferAnswer
{
    /// <summary>Most a=crypto lines read from one m= section (real offers carry 1-6).</summary>
    public const int MaxCryptoLines = 16;

    // What went wrong with SRTP across the offer's streams, to give the 488 a precise reason.
    private sealed class SrtpDiagnostics
    {
        public bool SawCrypto;
        public string? Rejected;
        public readonly List<string> Offered = [];

        public void AddOffered(string? suite)
        {
            suite ??= "?";
            if (Offered.Count < 8 && !Offered.Contains(suite))
                Offered.Add(suite);
        }

        public string Reason(IReadOnlyList<SrtpSuite> accepted, bool sawAudio) =>
            Rejected is not null ? "crypto attribute rejected: " + Rejected
            : SawCrypto ? $"No acceptable SRTP crypto suite (offered {string.Join(", ", Offered)}; accepted {string.Join(", ", accepted.Select(SrtpSuites.Name))})"
            : sawAudio ? "Secured dial plan requires SRTP; the offer has no a=crypto"
            : "No audio stream offered";
    }

    private static void Validate(MediaCapabilities caps)
    {
        if (caps.Srtp == SrtpMode.Off)
            return;
        if (caps.EffectiveSrtpSuites.Count == 0)
            throw new ArgumentException("SRTP is required but no suite is allowed", nameof(caps));
        if (caps.SrtpReplayWindow is < SrtpPolicy.MinReplayWindow or > SrtpPolicy.MaxReplayWindow)
            throw new ArgumentOutOfRangeException(nameof(caps), caps.SrtpReplayWindow, "SRTP replay window must be 64..32768");
    }

    // The first line, in OUR preference order of suites, that is acceptable; null (and diagnostics) otherwise.
    private static SdesCrypto? SelectCrypto(SdpMedia m, IReadOnlyList<SrtpSuite> prefs, SrtpDiagnostics diag)
    {
        var values = m.GetAttributes("crypto").Take(MaxCryptoLines + 1).ToList();
        if (values.Count == 0)
            return null;
        diag.SawCrypto = true;
        if (values.Count > MaxCryptoLines)
        {
            diag.Rejected ??= $"more than {MaxCryptoLines} a=crypto lines in one m= section";
            return null;
        }
        var parsed = new List<SdesCrypto>(values.Count);
        foreach (var v in values)
        {
            if (SdesCrypto.TryParse(v, out var c, out var error))
            {
                diag.AddOffered(SdesCrypto.Safe(c!.SuiteName));
                parsed.Add(c);
                continue;
            }
            // A broken line for a suite we would take explains the failure better than the suite list.
            var (tag, suiteText) = SdesCrypto.Peek(v);
            diag.AddOffered(suiteText);
            if (suiteText is not null && SrtpSuites.TryParse(suiteText, out var s) && prefs.Contains(s.Value))
                diag.Rejected ??= $"tag {tag ?? "?"} {suiteText}: {error}";
        }
        for (int i = 0; i < parsed.Count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (parsed[i].Tag == parsed[j].Tag)
                {
                    diag.Rejected ??= $"tag {parsed[i].Tag} used by two a=crypto lines";
                    return null;
                }
            }
        }
        foreach (var suite in prefs)
        {
            foreach (var c in parsed)
            {
                if (c.Suite != suite)
                    continue;
                if (SdesPolicy.IsAcceptable(c, out var why))
                    return c;
                diag.Rejected ??= $"tag {c.Tag} {why}";
            }
        }
        return null;
    }

    // Adds our a=crypto (offer's tag and suite spelling, a fresh key) and returns both directions' policies.
    private static SrtpSession KeyAnswer(SdpMedia accepted, SdesCrypto offered, MediaCapabilities caps)
    {
        var suite = offered.Suite!.Value;
        var ours = SrtpMasterKey.Generate(suite);
        // The offer's spelling of the suite is echoed: an offerer that used an alias matches on its own name.
        var line = new SdesCrypto(offered.Tag, suite, SdesKeyParam.FromMasterKey(ours), offered.SuiteName);
        InsertBeforeDirection(accepted, new SdpAttribute("crypto", line.Format()));
        if (!offered.Keys[0].TryToMasterKey(suite, out var peer))
            throw new InvalidOperationException("an accepted a=crypto line has a key of the wrong length");
        return new SrtpSession(suite, new SrtpPolicy(ours, caps.SrtpReplayWindow),
            new SrtpPolicy(peer!, SdesPolicy.ReceiveWindow(caps.SrtpReplayWindow, offered.WindowSizeHint)));
    }

    private static void InsertBeforeDirection(SdpMedia m, SdpAttribute attribute)
    {
        int at = m.Attributes.FindIndex(a => a.Value is null && SessionDescription.ParseDirection(a.Name) is not null);
        m.Attributes.Insert(at >= 0 ? at : m.Attributes.Count, attribute);
    }

    /// <summary>
    /// Our offer (UAC side) with the state needed to read its answer. With <see cref="SrtpMode.Required"/> the
    /// stream is RTP/SAVP with one a=crypto per preferred suite (tags 1..n, a fresh CSPRNG key each).
    /// </summary>
    public static LocalOffer CreateOffer(MediaCapabilities caps, IPAddress localAddress, int localRtpPort)
    {
        ArgumentNullException.ThrowIfNull(caps);
        Validate(caps);
        bool secured = caps.Srtp == SrtpMode.Required;
        var sdp = BuildOffer(caps, localAddress, localRtpPort, secured ? "RTP/SAVP" : "RTP/AVP");
        var offered = new List<OfferedCrypto>();
        if (secured)
        {
            var m = sdp.Media[0];
            int tag = 1;
            foreach (var suite in caps.EffectiveSrtpSuites)
            {
                var key = SrtpMasterKey.Generate(suite);
                offered.Add(new OfferedCrypto(tag, key));
                InsertBeforeDirection(m, new SdpAttribute("crypto", new SdesCrypto(tag, suite, SdesKeyParam.FromMasterKey(key)).Format()));
                tag++;
            }
        }
        return new LocalOffer(sdp, offered, caps.SrtpReplayWindow);
    }

    // The answer's a=crypto must name a tag we offered with that tag's suite, carry a key of the right length
    // and pass the same policy as an offer would; Send is our offered key for the tag, Receive the answerer's.
    private static SrtpSession? ReadAnswerCrypto(LocalOffer local, SdpMedia a, out string? error)
    {
        var values = a.GetAttributes("crypto").Take(2).ToList();
        if (values.Count != 1)
        {
            error = values.Count == 0 ? "answer has no a=crypto for the SRTP stream" : "answer has more than one a=crypto";
            return null;
        }
        if (!SdesCrypto.TryParse(values[0], out var c, out var parseError))
        {
            error = "answer a=crypto: " + parseError;
            return null;
        }
        var offered = local.Crypto.FirstOrDefault(o => o.Tag == c!.Tag);
        if (offered is null)
        {
            error = $"answer a=crypto tag {c!.Tag} matches no offered line";
            return null;
        }
        if (c!.Suite != offered.Key.Suite)
        {
            error = $"answer a=crypto tag {c.Tag} names {SdesCrypto.Safe(c.SuiteName)}, we offered {SrtpSuites.Name(offered.Key.Suite)} with that tag";
            return null;
        }
        if (!SdesPolicy.IsAcceptable(c, out var why))
        {
            error = "answer a=crypto: " + why;
            return null;
        }
        var suite = offered.Key.Suite;
        c.Keys[0].TryToMasterKey(suite, out var peer);
        var ours = offered.Key;
        // An answerer must use its own key (RFC 4568 §6.1); an echo of ours means a broken peer.
        if (CryptographicOperations.FixedTimeEquals(peer!.Key.Span, ours.Key.Span))
        {
            error = "answer a=crypto repeats our own key";
            return null;
        }
        error = null;
        return new SrtpSession(suite, new SrtpPolicy(ours, local.ReplayWindow),
            new SrtpPolicy(peer, SdesPolicy.ReceiveWindow(local.ReplayWindow, c.WindowSizeHint)));
    }
}
