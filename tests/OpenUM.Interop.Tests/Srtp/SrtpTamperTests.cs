using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Rtp;
using OpenUM.Media.Sdp;
using OpenUM.Media.Srtp;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Interop.Tests.Srtp;

/// <summary>
/// A gateway that misbehaves on purpose: over mutual TLS it calls the real <c>openum serve</c> on a Secured dial plan,
/// keys SRTP with SDES, then sends good packets mixed with a flipped bit, a replay, a packet protected with the wrong
/// rollover counter, and the same three faults on SRTCP. The server must drop every bad packet, count it on the right
/// stream, and keep the call up.
/// </summary>
public sealed class SrtpTamperTests(ITestOutputHelper output)
{
    private const int GoodPackets = 150;

    [Fact]
    public async Task TamperedReplayedAndWrongRocPacketsAreRejectedAndCounted()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync(voipSecurity: "Secured");
        await server.Um.CliOkAsync("server", "set", "--srtp-crypto-suites", "AES_CM_128_HMAC_SHA1_80");
        await server.StartAsync("TLS");

        var pki = server.Pki;
        using var gw = X509Certificate2.CreateFromPemFile(pki.Crt("gw1"), pki.Key("gw1"));
        var trust = new TrustList([X509CertificateLoader.LoadCertificateFromFile(pki.CaCrt)], []);
        var tls = TlsContext.Create(gw, null, trust, new PeerValidationOptions(), () => [TestPki.UmName], TimeProvider.System);
        await using var agent = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = IPAddress.Loopback, TcpPort = null,
            TlsClientOptions = (_, name) => tls.CreateClientOptions(name ?? TestPki.UmName),
        }, TimeProvider.System, NullLogger.Instance);
        await agent.StartAsync(CancellationToken.None);

        using var rtp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        rtp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int localPort = ((IPEndPoint)rtp.LocalEndPoint!).Port;
        var caps = new MediaCapabilities([AudioCodec.Pcmu], true, SrtpMode.Required, [SrtpSuite.AesCm128HmacSha1_80]);
        var offer = OfferAnswer.CreateOffer(caps, IPAddress.Loopback, localPort);
        var request = new OutgoingCallRequest(new IPEndPoint(IPAddress.Loopback, server.TlsPort),
            SipUri.Parse($"sip:1000@127.0.0.1:{server.TlsPort};transport=tls"),
            new SipNameAddress(SipUri.Parse("sip:+15550100@gw1.example.test"), "Tamper test"),
            new SipNameAddress(SipUri.Parse("sip:1000@um.example.test")),
            Encoding.UTF8.GetBytes(offer.Sdp.ToString()), SipTransportKind.Tls) { TlsTargetName = TestPki.UmName };
        var answer = await agent.InviteAsync(request, CancellationToken.None);
        Assert.True(answer.StatusCode == 200 && answer.Dialog is not null && answer.FinalResponse is not null,
            $"Secured call answered {answer.StatusCode} {answer.ReasonPhrase}\n{server.Diagnostics}");
        Assert.True(SessionDescription.TryParse(Encoding.UTF8.GetString(answer.FinalResponse.Body.Span), out var sdp, out _) && sdp is not null);
        var media = OfferAnswer.ReadAnswer(offer, sdp, out string? error);
        Assert.True(media?.Srtp is not null, $"the answer is not SRTP: {error}\n{sdp}");
        var serverRtp = media.RemoteRtp;
        var serverRtcp = new IPEndPoint(serverRtp.Address, serverRtp.Port + 1);

        using var sender = new SrtpContext(media.Srtp.Send);
        const uint Ssrc = 0x5eed1234;
        const ushort FirstSeq = 1000;
        var buffer = new byte[256];
        byte[]? kept = null;
        int Protect(ushort seq, byte fill)
        {
            RtpHeader.Write(buffer, 0, seq == FirstSeq, seq, (uint)(seq * 160), Ssrc);
            buffer.AsSpan(12, 160).Fill(fill);
            Assert.Equal(SrtpStatus.Ok, sender.ProtectRtp(buffer, 172, out int n));
            return n;
        }

        // Good audio, paced loosely so the server's receive path sees a normal stream.
        for (int k = 0; k < GoodPackets; k++)
        {
            int n = Protect((ushort)(FirstSeq + k), G711.LinearToMuLaw((short)(k % 2 == 0 ? 8000 : -8000)));
            if (k == 10) kept = buffer[..n];
            rtp.SendTo(buffer.AsSpan(0, n), serverRtp);
            if (k % 10 == 0) await Task.Delay(20);
        }
        // 1. A flipped bit in the encrypted payload.
        int flipped = Protect(FirstSeq + GoodPackets, 0x55);
        buffer[40] ^= 0x01;
        rtp.SendTo(buffer.AsSpan(0, flipped), serverRtp);
        // 2. A replay of packet 10.
        rtp.SendTo(kept!, serverRtp);
        // 3. The wrong rollover counter: a sender that has wrapped the sequence number once (ROC 1) while the
        //    receiver, seeing sequence numbers near 1000, estimates ROC 0.
        using (var wrapped = new SrtpContext(media.Srtp.Send))
        {
            var scratch = new byte[256];
            for (int s = 0; s <= 0xFFFF; s++)
            {
                RtpHeader.Write(scratch, 0, false, (ushort)s, 0, Ssrc);
                Assert.Equal(SrtpStatus.Ok, wrapped.ProtectRtp(scratch, 172, out _));
            }
            RtpHeader.Write(scratch, 0, false, FirstSeq + GoodPackets + 1, 0, Ssrc);
            Assert.Equal(SrtpStatus.Ok, wrapped.ProtectRtp(scratch, 172, out int n));
            rtp.SendTo(scratch.AsSpan(0, n), serverRtp);
        }

        // SRTCP to the RTCP port: one good receiver report, its replay, and a forged copy.
        var rtcp = new byte[64];
        WriteReceiverReport(rtcp, Ssrc);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, 8, out int rtcpLength));
        byte[] report = rtcp[..rtcpLength];
        rtp.SendTo(report, serverRtcp);
        await Task.Delay(100);
        rtp.SendTo(report, serverRtcp);
        // A forged report needs a fresh SRTCP index: a replayed index is refused as a replay before its tag is checked.
        WriteReceiverReport(rtcp, Ssrc);
        Assert.Equal(SrtpStatus.Ok, sender.ProtectRtcp(rtcp, 8, out rtcpLength));
        rtcp[5] ^= 0x80;
        rtp.SendTo(rtcp.AsSpan(0, rtcpLength), serverRtcp);

        // More good audio after the faults: the stream must still be accepted.
        for (int k = 0; k < 50; k++)
        {
            int n = Protect((ushort)(FirstSeq + GoodPackets + 2 + k), 0x20);
            rtp.SendTo(buffer.AsSpan(0, n), serverRtp);
        }
        await Task.Delay(500);
        await answer.Dialog.ByeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var summary = await server.WaitForEventSinceAsync(0, 2006, null, TimeSpan.FromSeconds(30), "SRTP call summary");
        output.WriteLine(summary.Raw);
        string what = $"{summary.Raw}\n{server.Diagnostics}";
        Assert.True(summary.Property("rtpAuthenticationFailures") == "2", "expected 2 SRTP authentication failures (flipped bit, wrong ROC): " + what);
        Assert.True(summary.Property("rtpReplays") == "1", "expected 1 SRTP replay: " + what);
        Assert.True(summary.Property("rtcpAuthenticationFailures") == "1", "expected 1 SRTCP authentication failure: " + what);
        Assert.True(summary.Property("rtcpReplays") == "1", "expected 1 SRTCP replay: " + what);
        Assert.True(summary.Property("rtcpPackets") == "1", "expected the good SRTCP report to be accepted: " + what);
        Assert.Contains(server.Um.ReadEvents(), e => e.Id == 2312);
        var ended = await answer.Dialog.Terminated;
        Assert.True(ended.Reason == SipDialogEndReason.LocalBye, $"the call ended by {ended.Reason}, not by our BYE: " + what);
        await server.AssertCleanStopAsync();
    }

    // RFC 3550 §6.4.2: an empty receiver report (V=2, RC=0, PT=201, length 1 = 8 bytes).
    private static void WriteReceiverReport(Span<byte> packet, uint ssrc)
    {
        packet[0] = 0x80;
        packet[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], ssrc);
    }
}
