using System.Buffers;
using System.Text;

namespace OpenUM.Sip.Message;

/// <summary>RFC 3261 message parser over bytes: stream framing (TCP/TLS) and datagrams (UDP).</summary>
public static partial class SipParser
{
    // Bytes that end or poison a line: CR and LF terminate it; every other control character except HTAB
    // (NUL, DEL...) is illegal anywhere in the header section.
    private static readonly SearchValues<byte> LineSpecials = SearchValues.Create(BuildLineSpecials());

    private static byte[] BuildLineSpecials()
    {
        var list = new List<byte>();
        for (var b = 0; b < 0x20; b++)
        {
            if (b != '\t') list.Add((byte)b);
        }
        list.Add(0x7F);
        return list.ToArray();
    }

    /// <summary>
    /// Parses one message from a stream buffer. Complete/Invalid: <paramref name="consumed"/> is past the message
    /// when framing is known, otherwise at the end of the buffer (close the connection). Incomplete: nothing but
    /// leading keep-alive CRLFs is consumed and <paramref name="examined"/> is the end. Never throws.
    /// </summary>
    public static SipParseResult TryParse(in ReadOnlySequence<byte> buffer, in SipParserLimits limits,
        out SipMessage? message, out SipRejection? rejection,
        out SequencePosition consumed, out SequencePosition examined) =>
        TryParse(buffer, limits, pooled: false, out message, out rejection, out consumed, out examined);

    // The read loop's parse: a Complete message is lent (SipMessage.IsPooled) until SipMessage.Return, so one
    // that is only matched and dropped allocates nothing; a rejection's partial message is never lent.
    internal static SipParseResult TryParsePooled(in ReadOnlySequence<byte> buffer, in SipParserLimits limits,
        out SipMessage? message, out SipRejection? rejection,
        out SequencePosition consumed, out SequencePosition examined) =>
        TryParse(buffer, limits, pooled: true, out message, out rejection, out consumed, out examined);

    private static SipParseResult TryParse(in ReadOnlySequence<byte> buffer, in SipParserLimits limits, bool pooled,
        out SipMessage? message, out SipRejection? rejection,
        out SequencePosition consumed, out SequencePosition examined)
    {
        SipParseResult result;
        int used;
        try
        {
            result = buffer.IsSingleSegment
                ? ParseCore(buffer.FirstSpan, stream: true, pooled, limits, out message, out rejection, out used)
                : ParseSegmented(buffer, limits, pooled, out message, out rejection, out used);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Last line of defense only: the fuzz tests assert this path is never taken.
            message = null;
            rejection = new SipRejection(SipRejectReason.InternalError, 400, "Bad Request", null, null, false);
            result = SipParseResult.Invalid;
            used = 0;
        }

        if (result == SipParseResult.Incomplete)
        {
            consumed = PositionOf(buffer, used);
            examined = buffer.End;
        }
        else if (result == SipParseResult.Complete || rejection!.CanContinue)
        {
            consumed = PositionOf(buffer, used);
            examined = consumed;
        }
        else
        {
            consumed = buffer.End;
            examined = buffer.End;
        }
        return result;
    }

    // The exact Start/End objects keep callers' Slice/AdvanceTo happy even around empty segments.
    private static SequencePosition PositionOf(in ReadOnlySequence<byte> buffer, int offset) =>
        offset == 0 ? buffer.Start : offset == buffer.Length ? buffer.End : buffer.GetPosition(offset);

    /// <summary>Parses one UDP datagram; Content-Length is optional, missing bytes are Invalid. Never throws.</summary>
    public static SipParseResult TryParseDatagram(ReadOnlySpan<byte> datagram, in SipParserLimits limits,
        out SipMessage? message, out SipRejection? rejection) =>
        TryParseDatagram(datagram, limits, pooled: false, out message, out rejection);

    // The UDP loop's parse: a Complete message is lent as by TryParsePooled.
    internal static SipParseResult TryParseDatagramPooled(ReadOnlySpan<byte> datagram, in SipParserLimits limits,
        out SipMessage? message, out SipRejection? rejection) =>
        TryParseDatagram(datagram, limits, pooled: true, out message, out rejection);

    private static SipParseResult TryParseDatagram(ReadOnlySpan<byte> datagram, in SipParserLimits limits, bool pooled,
        out SipMessage? message, out SipRejection? rejection)
    {
        try
        {
            return ParseCore(datagram, stream: false, pooled, limits, out message, out rejection, out _);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            message = null;
            rejection = new SipRejection(SipRejectReason.InternalError, 400, "Bad Request", null, null, false);
            return SipParseResult.Invalid;
        }
    }

    // A message spanning segments is copied into a pooled buffer, never more than the limits let the parser
    // look at (keep-alive CRLFs plus MaxMessageBytes). The copy starts small and grows only while the prefix is
    // Incomplete, so pipelined small messages do not each pay for a 64 KiB copy; a verdict on a prefix is the
    // verdict on the whole buffer because the parser never looks past what it needs.
    private static SipParseResult ParseSegmented(in ReadOnlySequence<byte> buffer, in SipParserLimits limits, bool pooled,
        out SipMessage? message, out SipRejection? rejection, out int used)
    {
        var reader = new SequenceReader<byte>(buffer);
        long skipped = 0;
        while (reader.IsNext("\r\n"u8, advancePast: true)) skipped += 2;
        var cap = skipped + Math.Max(0L, limits.MaxMessageBytes);
        var max = (int)Math.Min(Math.Min(buffer.Length, cap), int.MaxValue);
        var size = (int)Math.Min(max, skipped + 4096);
        while (true)
        {
            var rented = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
            try
            {
                buffer.Slice(0, size).CopyTo(rented);
                var result = ParseCore(rented.AsSpan(0, size), stream: true, pooled, limits, out message, out rejection, out used);
                if (result != SipParseResult.Incomplete || size == max) return result;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            size = (int)Math.Min(max, size * 4L);
        }
    }

    private static SipParseResult ParseCore(ReadOnlySpan<byte> data, bool stream, bool pooled, in SipParserLimits limits,
        out SipMessage? message, out SipRejection? rejection, out int consumed)
    {
        message = null;
        rejection = null;
        consumed = 0;
        var start = 0;
        while (data.Length - start >= 2 && data[start] == '\r' && data[start + 1] == '\n') start += 2;

        if (!stream && data.Length > limits.MaxMessageBytes)
        {
            rejection = Fault.TooLarge.ToRejection(null, false);
            return SipParseResult.Invalid;
        }
        if (start == data.Length || (stream && data.Length - start == 1 && data[start] == '\r'))
        {
            if (stream)
            {
                consumed = start;
                return SipParseResult.Incomplete;
            }
            rejection = new Fault(SipRejectReason.Empty, 400, "Empty Message").ToRejection(null, false);
            return SipParseResult.Invalid;
        }

        var scan = ScanHeaderSection(data, start, limits, out var headerEnd, out var headerLines, out var linesEnd,
            out var escapedControls, out var scanFault);
        if (scan == SipParseResult.Incomplete && stream)
        {
            consumed = start;
            return SipParseResult.Incomplete;
        }
        if (scan != SipParseResult.Complete)
        {
            var fault = scan == SipParseResult.Incomplete ? Fault.Truncated : scanFault;
            // The complete lines before the fault still give the transport Via/From/To/... to answer with.
            var partial = ParseHead(data[start..linesEnd], headerLines, escapedControls, null, out _, out _);
            rejection = Reject(fault, partial, data[start..linesEnd], false);
            return SipParseResult.Invalid;
        }

        var head = data[start..(headerEnd - 2)];
        if (stream && PeekContentLength(head) is var peek and >= 0 && peek <= limits.MaxBodyBytes &&
            headerEnd - start + peek <= limits.MaxMessageBytes && headerEnd + peek > data.Length)
        {
            // The body is still arriving: do not build (and throw away) the header index on every read.
            consumed = start;
            return SipParseResult.Incomplete;
        }
        var reuse = pooled ? SipMessage.Rent() : null;
        message = ParseHead(head, headerLines, escapedControls, reuse, out var headFault, out var singles);
        if (message is null && reuse is not null) SipMessage.Unrent(reuse);

        // Framing first: without a trustworthy Content-Length the stream cannot go on.
        if (singles.DuplicateContentLength)
        {
            rejection = Reject(Fault.Duplicate(SipHeaderNames.ContentLength), message, head, false);
            message = null;
            return SipParseResult.Invalid;
        }
        long bodyLength;
        var available = data.Length - headerEnd;
        if (singles.ContentLength.Found)
        {
            Span<char> scratch = stackalloc char[16];
            if (!SipGrammar.TryParseUInt(ValueChars(head, singles.ContentLength, scratch), int.MaxValue, out var cl)
                || (!stream && cl > available))
            {
                rejection = Reject(Fault.BadContentLength, message, head, false);
                message = null;
                return SipParseResult.Invalid;
            }
            bodyLength = cl;
        }
        else if (stream)
        {
            rejection = Reject(Fault.Missing(SipHeaderNames.ContentLength), message, head, false);
            message = null;
            return SipParseResult.Invalid;
        }
        else bodyLength = available;

        if (bodyLength > limits.MaxBodyBytes || headerEnd - start + bodyLength > limits.MaxMessageBytes)
        {
            var fault = bodyLength > limits.MaxBodyBytes ? Fault.BodyTooLarge : Fault.TooLarge;
            rejection = Reject(fault, message, head, false);
            message = null;
            return SipParseResult.Invalid;
        }
        if (bodyLength > available)
        {
            if (message is not null && message.IsPooled) SipMessage.Unrent(message);
            message = null;
            consumed = start;
            return SipParseResult.Incomplete;
        }

        consumed = headerEnd + (int)bodyLength;
        if (message is not null)
        {
            // One copy of the message holds its header values and body until they are read: its own array, or a
            // rented one while it is lent.
            var length = consumed - start;
            var raw = message.IsPooled ? ArrayPool<byte>.Shared.Rent(length) : new byte[length];
            data[start..consumed].CopyTo(raw);
            message.Attach(raw, length);
            if (bodyLength > 0) message.Body = raw.AsMemory(headerEnd - start, (int)bodyLength);
        }

        if (headFault is null && message is not null)
        {
            headFault = ValidateMessage(message);
            if (headFault is null) message.Headers.MarkAddressesChecked();
        }
        if (headFault is { } f)
        {
            message?.LeavePool();
            rejection = f.ToRejection(message, stream);
            message = null;
            return SipParseResult.Invalid;
        }
        return SipParseResult.Complete;
    }

    // A rejection carrying what was parsed, attached to a copy of the bytes its header values point into.
    private static SipRejection Reject(Fault fault, SipMessage? partial, ReadOnlySpan<byte> bytes, bool canContinue)
    {
        partial?.LeavePool();
        partial?.Attach(bytes.ToArray(), bytes.Length);
        return fault.ToRejection(partial, canContinue);
    }

    // Finds the blank line ending the header section while enforcing the line, header-count and message caps
    // on bytes as they arrive, so no limit is ever checked after buffering unbounded data. Control characters
    // are refused except as the escaped character of a quoted-pair inside a quoted-string of a header field
    // (RFC 3261 §25.1 quoted-pair = "\" %x00-09 / %x0B-0C / %x0E-7F; RFC 4475 §3.1.1.2 has NUL, BEL and DEL
    // there); escapedControls tells the header parser to check which fields carry them.
    private static SipParseResult ScanHeaderSection(ReadOnlySpan<byte> data, int start, in SipParserLimits limits,
        out int headerEnd, out int headerLines, out int linesEnd, out bool escapedControls, out Fault fault)
    {
        headerEnd = -1;
        linesEnd = start;
        headerLines = 0;
        escapedControls = false;
        fault = default;
        long maxLine = Math.Max(0, limits.MaxLineBytes);
        var capEnd = start + (long)Math.Max(0, limits.MaxMessageBytes);
        var pos = start;     // start of the current line
        var resume = 0;      // where the search for the line's end resumes, relative to pos
        var quotes = new QuoteWalk(start);
        var first = true;
        while (true)
        {
            var byData = (long)data.Length - pos;
            var byCap = capEnd - pos;
            var window = Math.Min(Math.Min(byData, maxLine + 2), byCap);
            var seg = data.Slice(pos, (int)window);
            if (resume == 0 && !first && seg.Length > 0 && seg[0] is not ((byte)' ' or (byte)'\t')) quotes = new QuoteWalk(pos);
            var found = seg[resume..].IndexOfAny(LineSpecials);
            var idx = found < 0 ? -1 : resume + found;
            var terminated = idx >= 0 && !(seg[idx] == '\r' && idx + 1 == seg.Length);
            if (!terminated)
            {
                if (idx > maxLine) fault = Fault.LineTooLong;
                else if (byCap <= Math.Min(byData, maxLine + 2)) fault = Fault.TooLarge;
                else if (maxLine + 2 <= byData) fault = Fault.LineTooLong;
                else return SipParseResult.Incomplete;
                return SipParseResult.Invalid;
            }
            if (idx > maxLine)
            {
                fault = Fault.LineTooLong;
                return SipParseResult.Invalid;
            }
            var b = seg[idx];
            if (b != '\r' || seg[idx + 1] != '\n')
            {
                if (b is not ((byte)'\r' or (byte)'\n') && !first && quotes.IsEscaped(data, pos + idx))
                {
                    escapedControls = true;
                    resume = idx + 1;
                    continue;
                }
                fault = b is (byte)'\r' or (byte)'\n'
                    ? Fault.BadLineEnding(HeaderNameOf(seg[..idx], first))
                    : Fault.BadCharacter(HeaderNameOf(seg[..idx], first));
                return SipParseResult.Invalid;
            }
            if (idx == 0)
            {
                headerEnd = pos + 2;
                return SipParseResult.Complete;
            }
            if (!first && seg[0] is not ((byte)' ' or (byte)'\t') && ++headerLines > limits.MaxHeaderCount)
            {
                fault = Fault.TooManyHeaders;
                return SipParseResult.Invalid;
            }
            first = false;
            pos += idx + 2;
            resume = 0;
            linesEnd = pos;
        }
    }

    // Quote state of one header field (its first line and the folded ones after it), walked only when a control
    // character turns up and only ever forward, so a field full of them costs one pass.
    private struct QuoteWalk(int fieldStart)
    {
        private int _next = fieldStart;
        private bool _inQuote;

        // True when the byte at `at` is the second byte of a quoted-pair inside a quoted-string.
        public bool IsEscaped(ReadOnlySpan<byte> data, int at)
        {
            for (var k = _next; k < at; k++)
            {
                var c = data[k];
                if (!_inQuote)
                {
                    if (c == '"') _inQuote = true;
                }
                else if (c == '"') _inQuote = false;
                else if (c == '\\')
                {
                    if (k + 1 == at)
                    {
                        _next = at + 1;
                        return true;
                    }
                    k++;
                }
            }
            _next = Math.Max(_next, at);
            return false;
        }
    }
}
