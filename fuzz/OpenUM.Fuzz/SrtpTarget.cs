using System.Buffers.Binary;
using OpenUM.Media;
using OpenUM.Media.Rtp;
using OpenUM.Media.Srtp;

namespace OpenUM.Fuzz;

/// <summary>
/// SRTP/SRTCP unprotect (RFC 3711, RFC 6188, RFC 7714) as MediaSession runs it on every datagram of a call: a
/// receive context per run under a fixed published test key, fed packet after packet (state carries over, as on
/// a call), each placed against a guard page. Packets come from the input as they are (what a stranger sends) or
/// sealed first with the same key (what the peer sends), optionally with one byte changed after sealing, so the
/// paths behind the tag check (padding, replay window, roll-over counter, SSRC table, key lifetime) are reached.
/// </summary>
/// <remarks>
/// Input: byte 0 = configuration: bits 0-2 suite (value mod 6, in SrtpSuite order), bit 3 a 4-byte MKI, bit 4 a
/// replay window of 64 instead of 128, bit 5 a key lifetime of 4 packets, bit 6 the portable HMAC-SHA1 or AES-GCM
/// instead of libcrypto. Then records: [control][length][length bytes], a length of 255 taking the rest of the input.
/// Control: bit 0 RTCP, bit 1 seal before unprotecting, bit 2 flip one bit after sealing (bits 3-7 choose it).
/// </remarks>
internal static class SrtpTarget
{
    // Published master keys (libsrtp srtp_driver.c srtp_validate / srtp_validate_aes_256; RFC 7714 §16), so packets
    // from those vectors unprotect under the harness key. Test values only.
    internal static readonly byte[] Key128 = Convert.FromHexString("e1f97a0d3e018be0d64fa32c06de4139");
    internal static readonly byte[] Salt128 = Convert.FromHexString("0ec675ad498afeebb6960b3aabe6");
    internal static readonly byte[] Key256 = Convert.FromHexString("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6");
    internal static readonly byte[] Salt256 = Convert.FromHexString("3b04803de51ee7c96423ab5b78d2");
    internal static readonly byte[] GcmKey128 = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
    internal static readonly byte[] GcmKey256 = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    internal static readonly byte[] GcmSalt = Convert.FromHexString("517569642070726f2071756f");
    internal static readonly byte[] Mki = [0, 0, 0, 1];

    private static readonly byte[] Sealed = new byte[GuardedBuffer.Capacity + 64];

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        var config = data[0];
        using var key = KeyFor(config);
        var policy = new SrtpPolicy(key, (config & 0x10) != 0 ? 64 : 128);
        var path = (config & 0x40) != 0 ? SrtpCryptoPath.Portable : SrtpCryptoPath.Auto;
        using var sender = new SrtpContext(policy, path);
        using var receiver = new SrtpContext(policy, path);

        var rest = data[1..];
        for (var n = 0; rest.Length >= 2; n++)
        {
            var control = rest[0];
            var length = rest[1] == 255 ? rest.Length - 2 : Math.Min(rest[1], rest.Length - 2);
            length = Math.Min(length, GuardedBuffer.Capacity);
            var bytes = rest.Slice(2, length);
            rest = rest[(2 + length)..];
            Packet(sender, receiver, control, bytes, n);
        }
    }

    internal static SrtpMasterKey KeyFor(byte config)
    {
        var suite = (SrtpSuite)((config & 0x07) % 6);
        var mki = (config & 0x08) != 0 ? Mki : [];
        ulong? lifetime = (config & 0x20) != 0 ? 4 : null;
        return suite switch
        {
            SrtpSuite.AesCm128HmacSha1_80 or SrtpSuite.AesCm128HmacSha1_32 => new(suite, Key128, Salt128, mki, lifetime),
            SrtpSuite.Aes256CmHmacSha1_80 or SrtpSuite.Aes256CmHmacSha1_32 => new(suite, Key256, Salt256, mki, lifetime),
            SrtpSuite.AeadAes128Gcm => new(suite, GcmKey128, GcmSalt, mki, lifetime),
            _ => new(suite, GcmKey256, GcmSalt, mki, lifetime),
        };
    }

    private static void Packet(SrtpContext sender, SrtpContext receiver, byte control, ReadOnlySpan<byte> bytes, int n)
    {
        var rtcp = (control & 0x01) != 0;
        var wire = bytes;
        var sealedOk = false;
        var tampered = false;
        if ((control & 0x02) != 0)
        {
            bytes.CopyTo(Sealed);
            var status = rtcp
                ? sender.ProtectRtcp(Sealed, bytes.Length, out var sealedLength)
                : sender.ProtectRtp(Sealed, bytes.Length, out sealedLength);
            if (status == SrtpStatus.Ok && sealedLength <= GuardedBuffer.Capacity)
            {
                if (sealedLength != bytes.Length + (rtcp ? sender.RtcpOverhead : sender.RtpOverhead))
                    throw new InvariantException($"protect wrote {sealedLength} bytes for {bytes.Length} plus overhead");
                sealedOk = true;
                if ((control & 0x04) != 0)
                {
                    var bit = control >> 3;
                    Sealed[(bit * 13) % sealedLength] ^= (byte)(1 << (bit & 7));
                    tampered = true;
                }
                wire = Sealed.AsSpan(0, sealedLength);
            }
        }

        // Alternate edges: overreads hit the trailing guard page, underreads the leading one.
        var packet = n % 2 == 0 ? GuardedBuffer.AtEnd(wire) : GuardedBuffer.AtStart(wire);
        var result = rtcp ? receiver.UnprotectRtcp(packet, out var plain) : receiver.UnprotectRtp(packet, out plain);
        if (result != SrtpStatus.Ok)
        {
            if (plain != 0)
                throw new InvariantException($"{result} with a plain length of {plain}");
            return;
        }
        if (plain < (rtcp ? 8 : 12) || plain > packet.Length)
            throw new InvariantException($"Ok with a plain length of {plain} for a {packet.Length}-byte packet");
        if (tampered)
            throw new InvariantException($"a packet changed after sealing was accepted ({(rtcp ? "SRTCP" : "SRTP")}): authentication is broken");
        if (sealedOk && !packet[..plain].SequenceEqual(bytes))
            throw new InvariantException("a sealed packet unprotected to other bytes than were sealed");
        if (!rtcp)
        {
            // MediaSession.OnDatagram reads the header of what SRTP let through, then telephone-events.
            if (RtpHeader.TryParse(packet[..plain], out var header))
            {
                if (header.HeaderLength + header.PayloadLength > plain)
                    throw new InvariantException("the RTP header parse points past the packet");
                _ = TelephoneEvent.TryParse(packet.Slice(header.HeaderLength, header.PayloadLength), out _);
            }
            else if (BinaryPrimitives.ReadUInt16BigEndian(packet) >> 14 != 2)
                throw new InvariantException("SRTP accepted a packet that is not RTP version 2");
        }
    }
}
