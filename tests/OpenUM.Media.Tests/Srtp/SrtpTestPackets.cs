using System.Buffers.Binary;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Tests.Srtp;

// Builders shared by the SRTP tests.
internal static class SrtpTestPackets
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>An RTP packet (V=2, PT 0) of <paramref name="length"/> bytes with a recognisable payload, in a buffer with <paramref name="room"/> spare bytes.</summary>
    public static byte[] RtpPacket(ushort seq, uint ssrc, int length = 172, int room = 64, byte fill = 0)
    {
        var p = new byte[length + room];
        p[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), 160u * seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        for (int i = 12; i < length; i++)
            p[i] = (byte)(fill + i + seq);
        return p;
    }

    /// <summary>A receiver report (V=2, PT 201) with one report block: 32 bytes.</summary>
    public static byte[] Rtcp(uint ssrc, int room = 64)
    {
        var p = new byte[32 + room];
        p[0] = 0x81;
        p[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        for (int i = 8; i < 32; i++)
            p[i] = (byte)(i * 3);
        return p;
    }

    public static (SrtpContext Tx, SrtpContext Rx) Pair(SrtpMasterKey key, SrtpCryptoPath path = SrtpCryptoPath.Auto, int window = 128) =>
        (new SrtpContext(new SrtpPolicy(key, window), path), new SrtpContext(new SrtpPolicy(key, window), path));

    public static SrtpMasterKey Key(SrtpSuite suite, byte seed = 1, byte[]? mki = null, ulong? lifetime = null)
    {
        var info = SrtpSuites.Info(suite);
        var key = new byte[info.KeyLength];
        var salt = new byte[info.SaltLength];
        for (int i = 0; i < key.Length; i++)
            key[i] = (byte)(seed * 31 + i);
        for (int i = 0; i < salt.Length; i++)
            salt[i] = (byte)(seed * 17 + 0x40 + i);
        return new SrtpMasterKey(suite, key, salt, mki, lifetime);
    }

    public static TheoryData<SrtpSuite> Suites()
    {
        var d = new TheoryData<SrtpSuite>();
        foreach (var s in SrtpSuites.All)
            d.Add(s);
        return d;
    }

    /// <summary>Every suite with the portable path (false: BCL HMAC or AesGcm) and the libcrypto path (true).</summary>
    public static TheoryData<SrtpSuite, bool> SuitesAndPaths()
    {
        var d = new TheoryData<SrtpSuite, bool>();
        foreach (var s in SrtpSuites.All)
        {
            d.Add(s, false);
            d.Add(s, true);
        }
        return d;
    }

    /// <summary>The two AEAD suites with the portable path (false) and the libcrypto path (true).</summary>
    public static TheoryData<SrtpSuite, bool> GcmSuitesAndPaths()
    {
        var d = new TheoryData<SrtpSuite, bool>();
        foreach (var s in new[] { SrtpSuite.AeadAes128Gcm, SrtpSuite.AeadAes256Gcm })
        {
            d.Add(s, false);
            d.Add(s, true);
        }
        return d;
    }

    public static SrtpCryptoPath Path(bool native) => native ? SrtpCryptoPath.Native : SrtpCryptoPath.Portable;

    /// <summary>Protects a copy of <paramref name="plain"/>[..length] and returns exactly the wire bytes.</summary>
    public static byte[] ProtectRtp(SrtpContext tx, byte[] plain, int length)
    {
        var buf = new byte[length + tx.RtpOverhead];
        plain.AsSpan(0, length).CopyTo(buf);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtp(buf, length, out int n));
        Assert.Equal(buf.Length, n);
        return buf;
    }

    public static byte[] ProtectRtcp(SrtpContext tx, byte[] plain, int length)
    {
        var buf = new byte[length + tx.RtcpOverhead];
        plain.AsSpan(0, length).CopyTo(buf);
        Assert.Equal(SrtpStatus.Ok, tx.ProtectRtcp(buf, length, out int n));
        Assert.Equal(buf.Length, n);
        return buf;
    }
}
