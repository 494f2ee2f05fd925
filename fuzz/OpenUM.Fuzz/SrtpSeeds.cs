using OpenUM.Media;
using OpenUM.Media.Srtp;

namespace OpenUM.Fuzz;

/// <summary>
/// Writes fuzz/corpus/srtp: for each suite, with and without MKI, the libsrtp srtp_validate() plaintexts (an RTP
/// packet, SSRC 0xcafebabe, SEQ 0x1234, and an RTCP sender report) sealed under the harness key as raw records,
/// followed by sealed, tampered, padded and extension-header records. The seeds depend on the harness keys, so
/// they are made by the harness rather than copied from the test vectors.
/// </summary>
internal static class SrtpSeeds
{
    private static readonly byte[] Rtp = Convert.FromHexString("800f1234decafbadcafebabeabababababababababababababababab");
    private static readonly byte[] Rtcp = Convert.FromHexString("81c8000bcafebabeabababababababababababababababab");
    // RFC 3550 §5.1 padding (P set, 4 padding octets) and §5.3.1 header extension (one word), next sequence numbers.
    private static readonly byte[] Padded = Convert.FromHexString("a00f1235decafbadcafebabeabababab00000004");
    private static readonly byte[] Extended = Convert.FromHexString("900f1236decafbadcafebabebede0001aabbccddabababab");
    // An RFC 4733 telephone-event packet (PT 101, digit 5, end bit, duration 800).
    private static readonly byte[] Dtmf = Convert.FromHexString("80e51237decafbadcafebabe0580 0320".Replace(" ", "", StringComparison.Ordinal));

    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        for (var suite = 0; suite < 6; suite++)
        {
            foreach (var mki in (ReadOnlySpan<bool>)[false, true])
            {
                var config = (byte)(suite | (mki ? 0x08 : 0));
                var name = $"{SrtpSuites.Name((SrtpSuite)suite).ToLowerInvariant()}{(mki ? "-mki" : "")}";
                using var key = SrtpTarget.KeyFor(config);
                using var tx = new SrtpContext(new SrtpPolicy(key));
                var records = new List<byte>
                {
                    config,
                };
                Raw(records, 0x00, Seal(tx, Rtp, rtcp: false));
                Raw(records, 0x01, Seal(tx, Rtcp, rtcp: true));
                Raw(records, 0x00, Seal(tx, Rtp, rtcp: false)); // the same index again: a replay
                Raw(records, 0x02, Padded);
                Raw(records, 0x02, Extended);
                Raw(records, 0x02, Dtmf);
                Raw(records, 0x03, Rtcp);
                Raw(records, 0x02 | 0x04 | (5 << 3), Rtp); // sealed, then one bit flipped
                File.WriteAllBytes(Path.Combine(directory, name), [.. records]);
            }
        }

        // The key lifetime (4 packets with bit 5) runs out, and the SSRC table (SrtpContext.MaxSsrcs) fills up.
        var lifetime = new List<byte> { 0x20 };
        for (var i = 0; i < 6; i++)
        {
            var packet = (byte[])(i % 2 == 0 ? Rtp : Rtcp).Clone();
            if (i % 2 == 0)
                packet[3] += (byte)i; // SEQ 0x1234 + i
            Raw(lifetime, 0x02 | (i & 1), packet);
        }
        File.WriteAllBytes(Path.Combine(directory, "key-lifetime-runs-out"), [.. lifetime]);
        var ssrcs = new List<byte> { 0x00 };
        for (var i = 0; i <= SrtpContext.MaxSsrcs; i++)
        {
            var packet = (byte[])Rtp.Clone();
            packet[11] = (byte)i; // SSRC 0xcafeba00 + i
            Raw(ssrcs, 0x02, packet);
        }
        File.WriteAllBytes(Path.Combine(directory, "ssrc-table-fills-up"), [.. ssrcs]);
    }

    private static byte[] Seal(SrtpContext tx, byte[] plain, bool rtcp)
    {
        var buffer = new byte[plain.Length + 64];
        plain.CopyTo(buffer, 0);
        var status = rtcp ? tx.ProtectRtcp(buffer, plain.Length, out var n) : tx.ProtectRtp(buffer, plain.Length, out n);
        if (status != SrtpStatus.Ok)
            throw new InvalidOperationException($"sealing a seed packet failed: {status}");
        return buffer[..n];
    }

    private static void Raw(List<byte> records, int control, byte[] packet)
    {
        records.Add((byte)control);
        records.Add((byte)packet.Length);
        records.AddRange(packet);
    }
}
