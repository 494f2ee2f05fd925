using System.Net;
using System.Text;
using OpenUM.Media;
using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;

namespace OpenUM.Fuzz;

/// <summary>
/// One a=crypto value (RFC 4568 §9.1), the part after "a=crypto:": the parse, the policy that decides whether we
/// use it, and what the answerer does with an accepted line (its key split into an SRTP master key and a receive
/// context); then the same value inside an RTP/SAVP offer, through OfferAnswer's line selection and diagnostics.
/// </summary>
internal static class SdesTarget
{
    private static readonly IPAddress Local = IPAddress.Parse("192.0.2.5");
    private static readonly MediaCapabilities Secured = new([AudioCodec.Pcmu, AudioCodec.Pcma], Srtp: SrtpMode.Required);

    private const string OfferHead =
        "v=0\r\no=gw 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 40000 RTP/SAVP 0 8\r\na=crypto:";

    public static void Run(ReadOnlySpan<byte> data)
    {
        // The value reaches the parser as text decoded from the SIP body.
        var value = Encoding.UTF8.GetString(data);
        _ = SdesCrypto.Peek(value);
        _ = SdesCrypto.Safe(value);
        if (SdesCrypto.TryParse(value, out var crypto, out var error))
        {
            if (crypto is null || error is not null)
                throw new InvariantException("an accepted a=crypto must come with a value and without an error");
            Use(crypto);
        }
        else if (error is null || crypto is not null)
        {
            throw new InvariantException("a refused a=crypto must come with an error and without a value");
        }

        // An SDP line cannot hold CR, LF or NUL (the SDP parser refuses them): anything else reaches SelectCrypto.
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') < 0 && SessionDescription.TryParse(OfferHead + value + "\r\n", out var offer, out _))
        {
            var result = OfferAnswer.Answer(offer!, Secured, Local, 30000);
            if (result.Success && result.Media?.Srtp is { } srtp)
            {
                using var receive = new SrtpContext(srtp.Receive);
            }
        }
    }

    private static void Use(SdesCrypto c)
    {
        _ = (c.ToString(), c.SuiteName, c.Tag, c.KeyDerivationRate, c.WindowSizeHint, c.UnknownMandatoryParams.Count);
        foreach (var key in c.Keys)
        {
            _ = (key.MkiBytes(), key.ToString(), key.Format(), key.HasMki);
            // A Try method on a parsed key answers false for a suite it does not fit; it must not throw.
            foreach (var suite in SrtpSuites.All)
            {
                if (key.TryToMasterKey(suite, out var fitted))
                    fitted!.Dispose();
            }
        }

        // Our own wire form of a value we accepted must parse to the same wire form (we echo tag and suite). The
        // canonical form may be a little longer than the peer's (unpadded base64 keys gain their padding), so a line
        // accepted at the length cap can format past it: that line is the peer's, never one we send.
        var formatted = c.Format();
        if (formatted.Length <= SdesCrypto.MaxLength
            && (!SdesCrypto.TryParse(formatted, out var again, out var error) || again!.Format() != formatted))
            throw new InvariantException($"a=crypto does not survive Format and parse ({error}): {c}");

        if (!SdesPolicy.IsAcceptable(c, out var why))
        {
            if (string.IsNullOrEmpty(why))
                throw new InvariantException("an unacceptable a=crypto must say why (the 488 Warning carries it)");
            return;
        }
        // OfferAnswer.KeyAnswer: an acceptable line's first key must split into the suite's master key.
        if (!c.Keys[0].TryToMasterKey(c.Suite!.Value, out var master) || master is null)
            throw new InvariantException($"an acceptable a=crypto has a key that does not fit its suite: {c}");
        var policy = new SrtpPolicy(master, SdesPolicy.ReceiveWindow(128, c.WindowSizeHint));
        using (new SrtpContext(policy))
        {
        }
        master.Dispose();
    }
}
