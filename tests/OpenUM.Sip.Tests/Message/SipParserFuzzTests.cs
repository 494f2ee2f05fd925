using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

// Seeded mutation fuzzing: reproducible (fixed seeds), a few seconds at most.
public class SipParserFuzzTests
{
    private static readonly int[] Seeds = [1, 7, 42, 1337, 2024, 31337, 65537, 99991];
    private const int MutationsPerSeed = 1500;

    private static readonly byte[] Specials = "\r\n\0\"\\,:;<> \t@%=?&[]"u8.ToArray();
    private static readonly string[] LengthValues =
        ["99999999999", "4294967296", "-1", "2147483647", "65536", "1 0", "0x10", "", "+5", "1,1", "007"];

    // Relaxed limits for re-parsing a serialized message: serialization may legitimately grow it
    // (Content-Length added, U+FFFD for invalid UTF-8, re-escaped URIs).
    private static readonly SipParserLimits Relaxed = new(1 << 20, 1000, 1 << 20, 1 << 20);

    private static readonly SipUasPolicy Policy = SipUasPolicy.Default;

    private static byte[][] Corpus() =>
    [
        .. All(),
        Build(SimpleInviteHead + "Subject: folded\r\n  value, \"quoted, \\\" comma\"\n", "hello"),
        Build("BYE sip:alice@client.example.com SIP/2.0\nv: SIP/2.0/UDP [2001:db8::2]:5060;branch=z9hG4bKb1;rport=1\n" +
              "f: <sip:bob@example.com>;tag=a\nt: \"A\" <sip:alice@example.com>;tag=b\ni: c@d\nCSeq: 2 BYE\nRequire: timer\n"),
        Build("SIP/2.0 180 Ringing\nVia: SIP/2.0/TCP a.example.com;branch=z9hG4bKr, SIP/2.0/TCP b.example.com;branch=z9hG4bKs\n" +
              "From: <tel:+14155550100>;tag=1\nTo: <sip:um@example.com>;tag=2\nCall-ID: r@x\nCSeq: 5 INVITE\n"),
    ];

    [Fact]
    public void Mutations_NeverThrow_AndCompleteResultsRoundTrip()
    {
        var corpus = Corpus();
        var counts = new Dictionary<SipParseResult, int>();
        foreach (var seed in Seeds)
        {
            var rng = new Random(seed);
            for (var i = 0; i < MutationsPerSeed; i++)
            {
                var input = corpus[rng.Next(corpus.Length)];
                var rounds = 1 + rng.Next(3);
                for (var k = 0; k < rounds; k++) input = Mutate(rng, input);
                var split = rng.Next(input.Length + 1);
                var result = Check(input, split, $"seed {seed} #{i}");
                counts[result] = counts.GetValueOrDefault(result) + 1;
            }
        }
        // The mutations must exercise every outcome, or this test proves little.
        Assert.True(counts.GetValueOrDefault(SipParseResult.Complete) > 1000, Summary(counts));
        Assert.True(counts.GetValueOrDefault(SipParseResult.Invalid) > 1000, Summary(counts));
        Assert.True(counts.GetValueOrDefault(SipParseResult.Incomplete) > 500, Summary(counts));
    }

    [Fact]
    public void UnmutatedCorpus_IsComplete()
    {
        foreach (var bytes in Corpus()) Assert.Equal(SipParseResult.Complete, Check(bytes, bytes.Length / 2, "corpus"));
    }

    private static string Summary(Dictionary<SipParseResult, int> counts) =>
        string.Join(", ", counts.Select(kv => $"{kv.Key}={kv.Value}"));

    private static SipParseResult Check(byte[] input, int split, string context)
    {
        try
        {
            var seq = new ReadOnlySequence<byte>(input);
            var result = SipParser.TryParse(seq, Limits, out var m, out var r, out var consumed, out _);
            var consumedBytes = seq.Slice(0, consumed).Length;
            CheckOutcome(result, m, r, context);

            // Segmentation must not change anything.
            var two = Split(input, split);
            var result2 = SipParser.TryParse(two, Limits, out var m2, out var r2, out var consumed2, out _);
            Assert.Equal(result, result2);
            Assert.Equal(consumedBytes, two.GetOffset(consumed2));
            Assert.Equal(r?.ReasonPhrase, r2?.ReasonPhrase);
            if (m is not null) AssertEquivalent(m, m2!);

            if (result == SipParseResult.Incomplete)
            {
                // Only keep-alive CRLFs may be consumed.
                Assert.True(consumedBytes % 2 == 0 && input.AsSpan(0, (int)consumedBytes).IndexOfAnyExcept("\r\n"u8) < 0, context);
            }
            else if (result == SipParseResult.Complete)
            {
                Assert.InRange(consumedBytes, 1, input.Length);
                RoundTrip(m!, context);
            }

            var dgram = SipParser.TryParseDatagram(input, Limits, out var dm, out var dr);
            Assert.NotEqual(SipParseResult.Incomplete, dgram);
            CheckOutcome(dgram, dm, dr, context);
            if (dm is not null) RoundTrip(dm, context);
            return result;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{context}: {ex}\ninput: {Convert.ToHexString(input)}");
            throw;
        }
    }

    private static void CheckOutcome(SipParseResult result, SipMessage? m, SipRejection? r, string context)
    {
        if (result == SipParseResult.Complete)
        {
            Assert.NotNull(m);
            Assert.Null(r);
            if (m!.IsRequest) SipRequestValidator.Validate(m, Policy)?.ToArray();
            _ = (m.Vias, m.From, m.To, m.CSeq, m.Contact, m.ContentType, m.MaxForwards);
        }
        else if (result == SipParseResult.Invalid)
        {
            Assert.Null(m);
            Assert.NotNull(r);
            Assert.True(r!.Reason != SipRejectReason.InternalError, $"{context}: parser defect reached the catch-all");
            Assert.Contains(r.StatusCode, new[] { 400, 413, 416, 505 });
            if (r.Partial is { } partial)
            {
                // The transport answers from the partial message: that path must be exception-free too.
                _ = SipMessage.CreateResponse(partial, r.StatusCode, r.ReasonPhrase).ToArray();
                if (partial.IsRequest) SipRequestValidator.Validate(partial, Policy);
                _ = partial.ToString();
            }
        }
    }

    private static void RoundTrip(SipMessage m, string context)
    {
        var bytes = m.ToArray();
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(bytes), Relaxed, out var again, out var r, out _, out _);
        Assert.True(result == SipParseResult.Complete, $"{context}: re-parse {result} {r?.ReasonPhrase}\n{Encoding.UTF8.GetString(bytes)}");
        AssertEquivalent(m, again!);
    }

    private static byte[] Mutate(Random rng, byte[] input)
    {
        var list = new List<byte>(input);
        int Pos() => rng.Next(list.Count + 1);
        switch (rng.Next(11))
        {
            case 0 when list.Count > 0:
                list[rng.Next(list.Count)] = (byte)rng.Next(256);
                break;
            case 1:
                return input[..rng.Next(input.Length + 1)];
            case 2:
                for (var n = 1 + rng.Next(3); n > 0; n--) list.Insert(Pos(), Specials[rng.Next(Specials.Length)]);
                break;
            case 3 when list.Count > 0:
                var at = rng.Next(list.Count);
                list.RemoveRange(at, Math.Min(1 + rng.Next(10), list.Count - at));
                break;
            case 4:
                return DuplicateLine(rng, input);
            case 5:
                return ReplaceContentLength(input, LengthValues[rng.Next(LengthValues.Length)]);
            case 6:
                list.InsertRange(Pos(), Enumerable.Repeat((byte)'a', rng.Next(5000, 70000)));
                break;
            case 7:
                var firstLine = input.AsSpan().IndexOf("\r\n"u8);
                if (firstLine < 0) break;
                var many = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("X-H: v\r\n", rng.Next(50, 200))));
                list.InsertRange(firstLine + 2, many);
                break;
            case 8:
                return ReplaceNth(rng, input, "\r\n"u8.ToArray(), "\n"u8.ToArray());
            case 9:
                list.InsertRange(Pos(), "\r\n "u8.ToArray());
                break;
            default:
                if (list.Count > 0) list[rng.Next(list.Count)] = Specials[rng.Next(Specials.Length)];
                break;
        }
        return list.ToArray();
    }

    private static byte[] DuplicateLine(Random rng, byte[] input)
    {
        var text = Encoding.Latin1.GetString(input);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return input;
        var lines = text[..end].Split("\r\n").ToList();
        if (lines.Count < 2) return input;
        var line = lines[1 + rng.Next(lines.Count - 1)];
        if (rng.Next(2) == 0) line = line.Replace('1', '2');
        lines.Insert(1 + rng.Next(lines.Count), line);
        return Encoding.Latin1.GetBytes(string.Join("\r\n", lines) + text[end..]);
    }

    private static byte[] ReplaceContentLength(byte[] input, string value)
    {
        var text = Encoding.Latin1.GetString(input);
        var at = text.IndexOf("Content-Length: ", StringComparison.Ordinal);
        if (at < 0) return input;
        var eol = text.IndexOf("\r\n", at, StringComparison.Ordinal);
        if (eol < 0) return input;
        return Encoding.Latin1.GetBytes(text[..(at + 16)] + value + text[eol..]);
    }

    private static byte[] ReplaceNth(Random rng, byte[] input, byte[] find, byte[] with)
    {
        var positions = new List<int>();
        for (var i = input.AsSpan().IndexOf(find); i >= 0;)
        {
            positions.Add(i);
            var next = input.AsSpan(i + 1).IndexOf(find);
            i = next < 0 ? -1 : i + 1 + next;
        }
        if (positions.Count == 0) return input;
        var p = positions[rng.Next(positions.Count)];
        return [.. input.AsSpan(0, p), .. with, .. input.AsSpan(p + find.Length)];
    }
}
