using System.Net;
using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests;

// SDES offer/answer. Keys in the offers are the RFC 4568 example keys as reproduced in sipsorcery-org/sipsorcery
// test/unit/net/SDP/SDPSecurityDescriptionUnitTest.cs @ ef0fd22722036ae6ced29c71108f75fce2b1935d.
public class OfferAnswerSrtpTests
{
    private const string Key128 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
    private const string Key128b = "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    private const string Key256 = "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj/Jl+xZQ4qrEUAzDN67dOAQ==";
    private const string KeyGcm128 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==";
    private static readonly IPAddress Local = IPAddress.Parse("198.51.100.7");
    private static readonly MediaCapabilities Secured = MediaCapabilities.Default with { Srtp = SrtpMode.Required };

    private static SessionDescription Offer(string media) =>
        SessionDescription.Parse(SdpExamples.Crlf("v=0", "o=gw 100 200 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0") + media);

    private static SessionDescription SavpOffer(params string[] cryptoValues) =>
        Offer("m=audio 4000 RTP/SAVP 0 8\r\n" + string.Concat(cryptoValues.Select(v => "a=crypto:" + v + "\r\n")));

    private static byte[] KeySalt(SrtpMasterKey k) => [.. k.Key.ToArray(), .. k.Salt.ToArray()];

    private static SdesCrypto AnswerCrypto(OfferAnswerResult r)
    {
        var value = Assert.Single(r.Answer!.Media[0].GetAttributes("crypto"));
        Assert.True(SdesCrypto.TryParse(value, out var c, out var error), error);
        return c!;
    }

    [Fact]
    public void SavpOfferIsAnsweredWithTheOffersTagAndAFreshKey()
    {
        var r = OfferAnswer.Answer(SavpOffer("5 AES_CM_128_HMAC_SHA1_80 inline:" + Key128), Secured, Local, 30000);
        Assert.True(r.Success, r.FailureReason);
        Assert.Equal("RTP/SAVP", r.Answer!.Media[0].Protocol);
        var c = AnswerCrypto(r);
        Assert.Equal(5, c.Tag);
        Assert.Equal("AES_CM_128_HMAC_SHA1_80", c.SuiteName);
        Assert.Empty(c.SessionParams);
        var ours = Assert.Single(c.Keys);
        Assert.NotEqual(Convert.FromBase64String(Key128), ours.KeySalt.ToArray());

        var srtp = r.Media!.Srtp!;
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_80, srtp.Suite);
        Assert.Equal(Convert.FromBase64String(Key128), KeySalt(srtp.Receive.Key));
        Assert.Equal(ours.KeySalt.ToArray(), KeySalt(srtp.Send.Key));
        Assert.Equal(128, srtp.Send.ReplayWindow);
        Assert.Equal(128, srtp.Receive.ReplayWindow);
        Assert.DoesNotContain(Key128, r.Media.ToString(), StringComparison.Ordinal);
        Assert.True(SessionDescription.TryParse(r.Answer.ToString(), out _, out var err), err);
    }

    [Fact]
    public void OurSuitePreferenceDecidesNotTheOfferOrder()
    {
        var offer = SavpOffer("1 AES_CM_128_HMAC_SHA1_32 inline:" + Key128, "2 AEAD_AES_128_GCM inline:" + KeyGcm128,
            "3 AES_CM_128_HMAC_SHA1_80 inline:" + Key128b);
        // The default preference puts the interoperable AES_CM_128_HMAC_SHA1_80 first, wherever the offer has it.
        var r = OfferAnswer.Answer(offer, Secured, Local, 30000);
        Assert.Equal(3, AnswerCrypto(r).Tag);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_80, r.Media!.Srtp!.Suite);
        Assert.Equal(14, r.Media.Srtp.Send.Key.Salt.Length);

        var gcmFirst = Secured with { SrtpSuites = [SrtpSuite.AeadAes128Gcm, SrtpSuite.AesCm128HmacSha1_80] };
        r = OfferAnswer.Answer(offer, gcmFirst, Local, 30000);
        Assert.Equal(2, AnswerCrypto(r).Tag);
        Assert.Equal(SrtpSuite.AeadAes128Gcm, r.Media!.Srtp!.Suite);
        Assert.Equal(12, r.Media.Srtp.Send.Key.Salt.Length);
    }

    [Fact]
    public void UnacceptableLineIsSkippedForAnAcceptableOne()
    {
        var offer = SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " UNENCRYPTED_SRTP",
            "2 AES_CM_128_HMAC_SHA1_80 inline:" + Key128b, "3 F8_128_HMAC_SHA1_80 inline:" + Key128);
        var r = OfferAnswer.Answer(offer, Secured, Local, 30000);
        Assert.True(r.Success, r.FailureReason);
        Assert.Equal(2, AnswerCrypto(r).Tag);
        Assert.Equal(Convert.FromBase64String(Key128b)[..16], r.Media!.Srtp!.Receive.Key.Key.ToArray());
    }

    [Fact]
    public void AvpWithCryptoIsSecuredOnRtpAvp()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "\r\n"), Secured, Local, 30000);
        Assert.True(r.Success, r.FailureReason);
        Assert.Equal("RTP/AVP", r.Answer!.Media[0].Protocol);
        Assert.Equal(1, AnswerCrypto(r).Tag);
        Assert.NotNull(r.Media!.Srtp);
    }

    [Theory]
    [InlineData(" WSH=512", 512)]
    [InlineData(" WSH=64", 128)]
    [InlineData(" WSH=1000000", SdesPolicy.MaxHonouredWindowSizeHint)]
    public void WindowSizeHintSetsTheReceiveWindow(string param, int expected)
    {
        var r = OfferAnswer.Answer(SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + param), Secured, Local, 30000);
        Assert.Equal(expected, r.Media!.Srtp!.Receive.ReplayWindow);
        Assert.Equal(128, r.Media.Srtp.Send.ReplayWindow);
    }

    [Fact]
    public void PeerMkiAndLifetimeGoIntoTheReceivePolicy()
    {
        var r = OfferAnswer.Answer(SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|2^20|1066:4"), Secured, Local, 30000);
        Assert.Equal(new byte[] { 0, 0, 4, 0x2A }, r.Media!.Srtp!.Receive.Key.Mki.ToArray());
        Assert.Equal(1UL << 20, r.Media.Srtp.Receive.Key.Lifetime);
        Assert.True(r.Media.Srtp.Send.Key.Mki.IsEmpty);
        Assert.False(AnswerCrypto(r).Keys[0].HasMki);
    }

    [Fact]
    public void AliasSuiteNameIsEchoed()
    {
        var r = OfferAnswer.Answer(SavpOffer("1 AES_CM_256_HMAC_SHA1_80 inline:" + Key256), Secured, Local, 30000);
        Assert.Equal("AES_CM_256_HMAC_SHA1_80", AnswerCrypto(r).SuiteName);
        Assert.Equal(SrtpSuite.Aes256CmHmacSha1_80, r.Media!.Srtp!.Suite);
        Assert.Equal(46, AnswerCrypto(r).Keys[0].KeySalt.Length);
    }

    [Fact]
    public void PlainOfferToSecuredDialPlanIs488NoCrypto()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\n"), Secured, Local, 30000);
        Assert.False(r.Success);
        Assert.Equal(488, r.FailureStatus);
        Assert.Equal("Secured dial plan requires SRTP; the offer has no a=crypto", r.FailureReason);
        r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/SAVP 0\r\n"), Secured, Local, 30000);
        Assert.Equal("Secured dial plan requires SRTP; the offer has no a=crypto", r.FailureReason);
    }

    [Fact]
    public void UnknownSuitesOnlyIs488NoAcceptableSuite()
    {
        var r = OfferAnswer.Answer(SavpOffer("1 F8_128_HMAC_SHA1_80 inline:" + Key128, "2 AES_CM_HMAC_SHA1_80 inline:" + Key128), Secured, Local, 30000);
        Assert.Equal(488, r.FailureStatus);
        Assert.Equal("No acceptable SRTP crypto suite (offered F8_128_HMAC_SHA1_80, AES_CM_HMAC_SHA1_80; accepted AES_CM_128_HMAC_SHA1_80, "
            + "AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_256_CM_HMAC_SHA1_80, AES_256_CM_HMAC_SHA1_32, AES_CM_128_HMAC_SHA1_32)", r.FailureReason);

        var gcmOnly = Secured with { SrtpSuites = [SrtpSuite.AeadAes256Gcm] };
        r = OfferAnswer.Answer(SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128), gcmOnly, Local, 30000);
        Assert.Equal("No acceptable SRTP crypto suite (offered AES_CM_128_HMAC_SHA1_80; accepted AEAD_AES_256_GCM)", r.FailureReason);
    }

    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " UNENCRYPTED_SRTP", "UNENCRYPTED_SRTP")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " UNAUTHENTICATED_SRTP", "UNAUTHENTICATED_SRTP")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " KDR=10", "KDR=10")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "|2^20|1:32", "MKI of 32 bytes")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhc", "21 bytes")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + " NEW_PARAM=1", "NEW_PARAM=1")]
    public void RejectedCryptoIs488WithTheCause(string crypto, string cause)
    {
        var r = OfferAnswer.Answer(SavpOffer(crypto), Secured, Local, 30000);
        Assert.False(r.Success);
        Assert.Equal(488, r.FailureStatus);
        Assert.StartsWith("crypto attribute rejected: ", r.FailureReason, StringComparison.Ordinal);
        Assert.Contains(cause, r.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain("PS1uQ", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateTagsAreRejected()
    {
        var r = OfferAnswer.Answer(SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128, "1 AES_CM_128_HMAC_SHA1_32 inline:" + Key128b), Secured, Local, 30000);
        Assert.Equal("crypto attribute rejected: tag 1 used by two a=crypto lines", r.FailureReason);
    }

    [Fact]
    public void ReasonIsSafeForAWarningHeader()
    {
        var r = OfferAnswer.Answer(SavpOffer("1 AES\"X\\Y inline:" + Key128), Secured, Local, 30000);
        Assert.False(r.Success);
        Assert.DoesNotContain('"', r.FailureReason!);
        Assert.DoesNotContain('\\', r.FailureReason!);
        Assert.Contains("No acceptable SRTP crypto suite", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptableCryptoButNoCommonCodecGivesTheCodecReason()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/SAVP 18\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "\r\n"), Secured, Local, 30000);
        Assert.StartsWith("No common codec", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void OffModeAnswersAvpWithCryptoAsPlainRtp()
    {
        var r = OfferAnswer.Answer(Offer("m=audio 4000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "\r\n"), MediaCapabilities.Default, Local, 30000);
        Assert.True(r.Success, r.FailureReason);
        Assert.Equal("RTP/AVP", r.Answer!.Media[0].Protocol);
        Assert.False(r.Answer.Media[0].HasAttribute("crypto"));
        Assert.Null(r.Media!.Srtp);
    }

    [Fact]
    public void OffModeRefusesSavpOnlyOffersSoTheGatewayCanFallBack()
    {
        // RFC 3264 §6: the answer keeps the offered transport; an RTP/AVP answer to RTP/SAVP gives a silent call.
        var r = OfferAnswer.Answer(SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128), MediaCapabilities.Default, Local, 30000);
        Assert.False(r.Success);
        Assert.Equal(488, r.FailureStatus);
        Assert.Contains("RTP/SAVP only", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void SecuredModeTakesTheSavpStreamOfABestEffortOffer()
    {
        var offer = Offer("m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128 + "\r\n");
        var r = OfferAnswer.Answer(offer, Secured, Local, 30000);
        Assert.Equal([0, 30000], r.Answer!.Media.Select(m => m.Port));
        Assert.Equal(4002, r.Media!.RemoteRtp.Port);
    }

    [Fact]
    public void OwnOfferAnsweredByOwnAnswerGivesMatchingKeys()
    {
        var local = OfferAnswer.CreateOffer(Secured, IPAddress.Parse("192.0.2.50"), 20000);
        var m = local.Sdp.Media[0];
        Assert.Equal("RTP/SAVP", m.Protocol);
        Assert.Equal(SrtpSuites.DefaultPreference.Count, local.Crypto.Count);
        Assert.Equal(Enumerable.Range(1, local.Crypto.Count), local.Crypto.Select(c => c.Tag));
        Assert.Equal(local.Crypto.Count, m.GetAttributes("crypto").Count());

        // The peer accepts only AES_256_CM_HMAC_SHA1_80, which we offered as tag 4.
        var peerCaps = Secured with { SrtpSuites = [SrtpSuite.Aes256CmHmacSha1_80] };
        var peer = OfferAnswer.Answer(SessionDescription.Parse(local.Sdp.ToString()), peerCaps, Local, 30000);
        Assert.True(peer.Success, peer.FailureReason);
        var answer = SessionDescription.Parse(peer.Answer!.ToString());

        var ours = OfferAnswer.ReadAnswer(local, answer, out var error);
        Assert.Null(error);
        var s = ours!.Srtp!;
        var p = peer.Media!.Srtp!;
        Assert.Equal(SrtpSuite.Aes256CmHmacSha1_80, s.Suite);
        Assert.Same(local.Crypto.Single(c => c.Tag == 4).Key, s.Send.Key);
        Assert.Equal(s.Send.Key.Key.ToArray(), p.Receive.Key.Key.ToArray());
        Assert.Equal(s.Send.Key.Salt.ToArray(), p.Receive.Key.Salt.ToArray());
        Assert.Equal(p.Send.Key.Key.ToArray(), s.Receive.Key.Key.ToArray());
        Assert.Equal(p.Send.Key.Salt.ToArray(), s.Receive.Key.Salt.ToArray());
        Assert.NotEqual(s.Send.Key.Key.ToArray(), s.Receive.Key.Key.ToArray());
    }

    [Fact]
    public void DefaultPreferencesOnBothSidesPickTheInteroperableSuite()
    {
        var local = OfferAnswer.CreateOffer(Secured, IPAddress.Parse("192.0.2.50"), 20000);
        var peer = OfferAnswer.Answer(SessionDescription.Parse(local.Sdp.ToString()), Secured, Local, 30000);
        var ours = OfferAnswer.ReadAnswer(local, SessionDescription.Parse(peer.Answer!.ToString()), out var error);
        Assert.Null(error);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_80, ours!.Srtp!.Suite);
        Assert.Equal(peer.Media!.Srtp!.Send.Key.Key.ToArray(), ours.Srtp.Receive.Key.Key.ToArray());
        // The offer lists every suite, the interoperable one first (RFC 4568 §6.1: in order of preference).
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_80, local.Crypto[0].Key.Suite);
    }

    [Theory]
    [InlineData("tag", "tag 9 matches no offered line")]
    [InlineData("suite", "names AES_CM_128_HMAC_SHA1_32")]
    [InlineData("plain", "plain RTP/AVP")]
    [InlineData("none", "no a=crypto")]
    [InlineData("two", "more than one a=crypto")]
    [InlineData("echo", "repeats our own key")]
    [InlineData("unencrypted", "UNENCRYPTED_SRTCP")]
    public void BadAnswersToASecuredOfferAreErrors(string fault, string expected)
    {
        var caps = Secured with { SrtpSuites = [SrtpSuite.AesCm128HmacSha1_80] };
        var local = OfferAnswer.CreateOffer(caps, IPAddress.Parse("192.0.2.50"), 20000);
        var peer = OfferAnswer.Answer(SessionDescription.Parse(local.Sdp.ToString()), caps, Local, 30000);
        var text = peer.Answer!.ToString();
        string line = "a=crypto:" + peer.Answer.Media[0].GetAttribute("crypto");
        string ourKey = Convert.ToBase64String(KeySalt(local.Crypto[0].Key));
        text = fault switch
        {
            "tag" => text.Replace("a=crypto:1 ", "a=crypto:9 ", StringComparison.Ordinal),
            "suite" => text.Replace("_SHA1_80 ", "_SHA1_32 ", StringComparison.Ordinal),
            "plain" => text.Replace("RTP/SAVP", "RTP/AVP", StringComparison.Ordinal).Replace(line + "\r\n", "", StringComparison.Ordinal),
            "none" => text.Replace(line + "\r\n", "", StringComparison.Ordinal),
            "two" => text.Replace(line, line + "\r\n" + line, StringComparison.Ordinal),
            "echo" => text.Replace(line, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + ourKey, StringComparison.Ordinal),
            _ => text.Replace(line, line + " UNENCRYPTED_SRTCP", StringComparison.Ordinal),
        };
        Assert.NotEqual(peer.Answer.ToString(), text);
        var media = OfferAnswer.ReadAnswer(local, SessionDescription.Parse(text), out var error);
        Assert.Null(media);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainOffersCarryNoCrypto()
    {
        var local = OfferAnswer.CreateOffer(MediaCapabilities.Default, IPAddress.Parse("192.0.2.50"), 20000);
        Assert.False(local.IsSecured);
        Assert.Equal("RTP/AVP", local.Sdp.Media[0].Protocol);
        Assert.False(local.Sdp.Media[0].HasAttribute("crypto"));
        var peer = OfferAnswer.Answer(local.Sdp, MediaCapabilities.Default, Local, 30000);
        Assert.Null(OfferAnswer.ReadAnswer(local, peer.Answer!, out var e1)!.Srtp);
        Assert.Null(e1);
        Assert.Throws<ArgumentOutOfRangeException>(() => OfferAnswer.CreateOffer(Secured with { SrtpReplayWindow = 32 }, Local, 20000));
        Assert.Throws<ArgumentException>(() => OfferAnswer.Answer(SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128),
            Secured with { SrtpSuites = [] }, Local, 30000));
    }

    [Fact]
    public void ReInviteGetsAFreshKeyAndTheNextVersion()
    {
        var offer = SavpOffer("1 AES_CM_128_HMAC_SHA1_80 inline:" + Key128);
        var first = OfferAnswer.Answer(offer, Secured, Local, 30000);
        var second = OfferAnswer.Answer(offer, Secured, Local, 30000, first.Answer!.Origin);
        Assert.Equal(first.Answer.Origin.SessionVersion + 1, second.Answer!.Origin.SessionVersion);
        Assert.NotEqual(first.Media!.Srtp!.Send.Key.Key.ToArray(), second.Media!.Srtp!.Send.Key.Key.ToArray());
        Assert.Equal(first.Media.Srtp.Receive.Key.Key.ToArray(), second.Media.Srtp.Receive.Key.Key.ToArray());
    }

    [Fact]
    public void SecuredOfferKeepsItsKeysForReadAnswer()
    {
        var offer = OfferAnswer.CreateOffer(Secured, IPAddress.Parse("192.0.2.50"), 20000);
        Assert.True(offer.IsSecured);
        Assert.Equal("RTP/SAVP", offer.Sdp.Media[0].Protocol);
        var peer = OfferAnswer.Answer(SessionDescription.Parse(offer.Sdp.ToString()), Secured, Local, 30000);
        var answer = SessionDescription.Parse(peer.Answer!.ToString());
        var media = OfferAnswer.ReadAnswer(offer, answer, out var error);
        Assert.Null(error);
        Assert.Equal(peer.Media!.Srtp!.Send.Key.Key.ToArray(), media!.Srtp!.Receive.Key.Key.ToArray());
        Assert.Equal(media.Srtp.Send.Key.Key.ToArray(), peer.Media.Srtp.Receive.Key.Key.ToArray());
    }
}
