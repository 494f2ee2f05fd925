using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Srtp;

namespace OpenUM.Calls.Tests;

/// <summary>SEC-3 for both directions: Secured requires SRTP in the server's suite order; the other modes never use SRTP.</summary>
public sealed class MediaPolicyTests
{
    private static DialPlan Plan(VoipSecurity security) => new() { Name = "P", NumberOfDigitsInExtension = 4, VoipSecurity = security };

    [Theory]
    [InlineData(VoipSecurity.Unsecured)]
    [InlineData(VoipSecurity.SipSecured)]
    public void OnlySecuredUsesSrtp(VoipSecurity security)
    {
        var caps = MediaPolicy.CapabilitiesFor(Plan(security), new UmServer { Name = "um", SrtpCryptoSuites = ["AEAD_AES_256_GCM"] });
        Assert.Equal(SrtpMode.Off, caps.Srtp);
        Assert.Equal([AudioCodec.Pcmu, AudioCodec.Pcma], caps.Codecs);
    }

    [Fact]
    public void SecuredFollowsTheServersSuitesAndReplayWindow()
    {
        var server = new UmServer { Name = "um", SrtpCryptoSuites = ["AES_CM_128_HMAC_SHA1_32", "NOT_A_SUITE", "AEAD_AES_128_GCM"], SrtpReplayWindow = 1024 };
        var caps = MediaPolicy.CapabilitiesFor(Plan(VoipSecurity.Secured), server);
        Assert.Equal(SrtpMode.Required, caps.Srtp);
        Assert.Equal([SrtpSuite.AesCm128HmacSha1_32, SrtpSuite.AeadAes128Gcm], caps.SrtpSuites);
        Assert.Equal(1024, caps.SrtpReplayWindow);
    }

    [Fact]
    public void SecuredWithoutAKnownSuiteFallsBackToTheBuiltInOrder()
    {
        var caps = MediaPolicy.CapabilitiesFor(Plan(VoipSecurity.Secured), new UmServer { Name = "um", SrtpCryptoSuites = ["NOT_A_SUITE"] });
        Assert.Equal(SrtpMode.Required, caps.Srtp);
        Assert.Null(caps.SrtpSuites);
        Assert.Equal(UmServer.DefaultSrtpReplayWindow, MediaPolicy.CapabilitiesFor(Plan(VoipSecurity.Secured), null).SrtpReplayWindow);
    }
}
