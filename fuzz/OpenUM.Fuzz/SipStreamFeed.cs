using System.Buffers;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Fuzz;

/// <summary>
/// The read loop of a SIP stream connection (SipStreamConnection.ReadLoopAsync) without a socket: bytes arrive
/// in chunks, each read parses what is buffered (a multi-segment sequence once a message spans reads) until the
/// parser needs more, and what the parser consumed is dropped, exactly as AdvanceTo(consumed, examined) does.
/// Returns what the connection saw, so two ways of cutting the same bytes can be compared.
/// </summary>
internal static class SipStreamFeed
{
    /// <summary>What one parse call decided, at which absolute offset of the stream.</summary>
    internal readonly record struct Step(SipParseResult Result, long End, string Detail);

    public static List<Step> Run(ReadOnlySpan<byte> input, in SipParserLimits limits, IReadOnlyList<int> chunks,
        Action<SipMessage, bool> inspect)
    {
        var data = input.ToArray();
        var steps = new List<Step>();
        var cuts = new List<int>(chunks.Count + 1) { 0 };
        long start = 0;
        var received = 0;
        foreach (var size in chunks)
        {
            received += size;
            cuts.Add(received);
            if (size == 0)
                continue; // an empty segment in the buffer, but no read completes without data
            var buffer = Sequence(data, start, received, cuts);
            while (true)
            {
                // As the read loop: a Complete message is lent, inspected, then returned and reused by the next parse.
                var result = SipParser.TryParsePooled(buffer, limits, out var message, out var rejection, out var consumed, out var examined);
                // Slice throws when a position does not belong to this buffer: AdvanceTo would throw too.
                var used = buffer.Slice(0, consumed).Length;
                var seen = buffer.Slice(0, examined).Length;
                if (used > seen)
                    throw new InvariantException($"{result}: consumed {used} is past examined {seen}");
                if (result == SipParseResult.Complete)
                {
                    if (message is null || rejection is not null)
                        throw new InvariantException("Complete without a message, or with a rejection");
                    if (used == 0)
                        throw new InvariantException("Complete consumed nothing: the read loop would parse the same bytes forever");
                    steps.Add(new(result, start + used, message.ToString()));
                    inspect(message, true);
                    SipMessage.Return(message);
                }
                else if (result == SipParseResult.Invalid)
                {
                    if (rejection is null || message is not null)
                        throw new InvariantException("Invalid without a rejection, or with a message");
                    SipTarget.CheckRejection(rejection);
                    steps.Add(new(result, rejection.CanContinue ? start + used : -1,
                        $"{rejection.Reason} {rejection.StatusCode} {rejection.ReasonPhrase} {rejection.HeaderName}"));
                    if (rejection.Partial is { } partial)
                        inspect(partial, false);
                    if (!rejection.CanContinue)
                        return steps; // the connection is closed
                    if (used == 0)
                        throw new InvariantException("Invalid (can continue) consumed nothing: the read loop would spin");
                }
                else
                {
                    if (message is not null || rejection is not null)
                        throw new InvariantException("Incomplete with a message or a rejection");
                    // Anything short of the end would make ReadAsync return at once with the same bytes: a spin.
                    if (seen != buffer.Length)
                        throw new InvariantException($"Incomplete examined {seen} of {buffer.Length} bytes");
                    if (buffer.Slice(0, consumed).ToArray().AsSpan().IndexOfAnyExcept("\r\n"u8) >= 0)
                        throw new InvariantException("Incomplete consumed more than keep-alive CRLFs");
                    start += used;
                    if (buffer.Length - used > (long)limits.MaxMessageBytes + limits.MaxBodyBytes)
                    {
                        // The connection gives up on framing (SipLog.FramingLost) and closes.
                        steps.Add(new(result, -1, "framing lost"));
                        return steps;
                    }
                    break;
                }
                start += used;
                buffer = buffer.Slice(consumed);
            }
        }
        steps.Add(new(SipParseResult.Incomplete, start, "end of input"));
        return steps;
    }

    /// <summary>
    /// Chunk sizes for <paramref name="length"/> bytes, chosen from the bytes themselves so an input always replays
    /// the same way: mostly small reads (1-16 bytes, where framing breaks), some large ones and a few empty segments.
    /// </summary>
    public static List<int> Plan(ReadOnlySpan<byte> data)
    {
        var chunks = new List<int>();
        var state = 2166136261u; // FNV-1a over the input seeds a xorshift generator
        foreach (var b in data)
            state = (state ^ b) * 16777619u;
        state |= 1;
        // At most ~64 reads: each one re-parses the buffered bytes, and big inputs must stay fast.
        var floor = Math.Max(1, data.Length / 64);
        var left = data.Length;
        while (left > 0)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            var size = (state % 8) switch
            {
                0 => 0,
                1 or 2 => 1 + (int)(state >> 8) % 3,
                3 or 4 or 5 => 1 + (int)(state >> 8) % 16,
                _ => 1 + (int)(state >> 8) % 512,
            };
            if (size > 0)
                size = Math.Min(left, Math.Max(size, floor));
            chunks.Add(size);
            left -= size;
        }
        return chunks;
    }

    // [start, end) of data as one segment per chunk received (the first one cut where the parser stopped).
    private static ReadOnlySequence<byte> Sequence(byte[] data, long start, int end, List<int> cuts)
    {
        Segment? first = null, last = null;
        for (var i = 0; i + 1 < cuts.Count; i++)
        {
            int from = cuts[i], to = cuts[i + 1];
            if (to < start || (to == start && to != end))
                continue;
            var memory = data.AsMemory((int)Math.Max(from, start), (int)(to - Math.Max(from, start)));
            if (first is null)
                first = last = new Segment(memory, 0);
            else
                last = last!.Append(memory);
        }
        if (first is null)
            return ReadOnlySequence<byte>.Empty;
        return new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
