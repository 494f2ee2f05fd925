using OpenUM.Sip.Message;

namespace OpenUM.Sip.Transactions;

// Transaction identification, RFC 3261 §17.1.3 (client) and §17.2.3 (server).
internal static class SipTransactionKeys
{
    // Longest key written on the stack; a peer's longer branch or tags make a heap buffer (rare, bounded by the
    // parser's line limit).
    public const int StackLength = 512;

    // Server side: branch + sent-by + method, where ACK (for a non-2xx) matches its INVITE. Requests from
    // RFC 2543 peers (no magic cookie) fall back to Call-ID, From tag, CSeq number and top Via. Null when the
    // request has no top Via that parses, or is an RFC 2543 one without CSeq or Call-ID.
    public static string? ForServer(SipMessage request, string method)
    {
        Span<char> viaChars = stackalloc char[SipMessage.ScratchLength];
        Span<char> keyChars = stackalloc char[StackLength];
        if (!request.TryReadTopVia(viaChars, out var top)) return null;
        var key = ForServer(request, top, method, keyChars);
        return key.IsEmpty ? null : key.ToString();
    }

    // The same key, written into dest when it fits (else into a new buffer); empty when there is none. Looked up
    // through the tables' span lookups, so matching a request builds no string.
    public static ReadOnlySpan<char> ForServer(SipMessage request, scoped SipVia.Parts top, string method, Span<char> dest)
    {
        if (TryWrite(request, top, method, dest, out var length)) return dest[..length];
        if (length < 0) return default;
        var larger = new char[length];
        return TryWrite(request, top, method, larger, out length) ? larger.AsSpan(0, length) : default;
    }

    // False with length -1: no key; false with a length: dest is too small, that many characters are needed.
    private static bool TryWrite(SipMessage request, scoped SipVia.Parts top, string method, Span<char> dest, out int length)
    {
        if (string.Equals(method, "ACK", StringComparison.Ordinal)) method = "INVITE";
        var key = new KeyWriter(dest);
        if (top.HasBranch && top.Branch.StartsWith(SipIds.MagicCookie, StringComparison.Ordinal))
        {
            key.Append(top.Branch);
            key.Append('\n');
        }
        else
        {
            Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
            if (request.CSeq is not { } cseq || !request.TryReadFirst(SipHeaderNames.CallId, scratch, out var callId))
            {
                length = -1;
                return false;
            }
            key.Append("2543\n");
            key.Append(callId);
            key.Append('\n');
            if (request.TryReadAddress(SipHeaderNames.From, scratch, out var from)) key.Append(from.Tag);
            key.Append('\n');
            key.Append(cseq.Number);
            key.Append('\n');
        }
        key.AppendLower(top.Host);
        key.Append(':');
        if (top.Port is { } port) key.Append((uint)port);
        key.Append('\n');
        key.Append(method);
        length = key.Length;
        return !key.Overflowed;
    }

    // Client side: the branch we generated + the CSeq method (so the CANCEL, sharing the INVITE's
    // branch, is a different transaction).
    public static string ForClient(string branch, string method) => string.Concat(branch, "\n", method);
}

// Appends into a fixed buffer; past its end it only counts, so the caller learns the size it needs.
internal ref struct KeyWriter(Span<char> buffer)
{
    private readonly Span<char> _buffer = buffer;

    public int Length { get; private set; }

    public readonly bool Overflowed => Length > _buffer.Length;

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (!Overflowed && Length + text.Length <= _buffer.Length) text.CopyTo(_buffer[Length..]);
        Length += text.Length;
    }

    public void Append(char c)
    {
        if (Length < _buffer.Length) _buffer[Length] = c;
        Length++;
    }

    public void AppendLower(scoped ReadOnlySpan<char> text)
    {
        if (!Overflowed && Length + text.Length <= _buffer.Length) text.ToLowerInvariant(_buffer[Length..]);
        Length += text.Length;
    }

    public void AppendUpper(scoped ReadOnlySpan<char> text)
    {
        if (!Overflowed && Length + text.Length <= _buffer.Length) text.ToUpperInvariant(_buffer[Length..]);
        Length += text.Length;
    }

    public void Append(uint number)
    {
        Span<char> digits = stackalloc char[10];
        number.TryFormat(digits, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        Append(digits[..n]);
    }
}
