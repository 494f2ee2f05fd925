namespace OpenUM.Sip.Message;

// Typed header views: parsed on demand and cached until the headers change. The parser only validates them; the
// transaction layer reads what it matches on (top Via, tags, Call-ID, CSeq) as characters, without these objects.
public sealed partial class SipMessage
{
    // Characters a header value is read into on the stack; a longer value is read as its string.
    internal const int ScratchLength = 256;

    // Immutable boxes swapped by reference, so a message read from several threads never sees a torn cache.
    private Cached<IReadOnlyList<SipVia>>? _vias;
    private Cached<SipNameAddress?>? _from;
    private Cached<SipNameAddress?>? _to;
    private Cached<SipNameAddress?>? _contact;
    private Cached<SipCSeq?>? _cseq;

    private sealed record Cached<T>(int Version, T Value);

    private T Get<T>(ref Cached<T>? slot, Func<SipMessage, T> compute)
    {
        var version = Headers.Version;
        var cached = Volatile.Read(ref slot);
        if (cached is not null && cached.Version == version) return cached.Value;
        var value = compute(this);
        Volatile.Write(ref slot, new Cached<T>(version, value));
        return value;
    }

    // The first line of that header as characters (in scratch when it fits); false when there is none.
    internal bool TryReadFirst(string canonical, Span<char> scratch, out ReadOnlySpan<char> value)
    {
        var index = Headers.IndexOf(canonical);
        value = index < 0 ? default : Headers.ValueChars(index, scratch);
        return index >= 0;
    }

    // The topmost via-parm, read in place; false when there is no Via or the top one does not parse.
    internal bool TryReadTopVia(Span<char> scratch, out SipVia.Parts top)
    {
        top = default;
        if (!TryReadFirst(SipHeaderNames.Via, scratch, out var value)) return false;
        var comma = SipGrammar.NextTopLevelComma(value, 0);
        return SipVia.TryRead(comma >= 0 ? value[..comma] : value, out top);
    }

    // From or To read in place (any URI scheme, as the From and To properties); false when absent or bad.
    internal bool TryReadAddress(string canonical, Span<char> scratch, out SipNameAddress.Parts address)
    {
        address = default;
        return TryReadFirst(canonical, scratch, out var value)
            && SipNameAddress.TryRead(value, anyScheme: true, out address, checkUri: !Headers.AddressesChecked);
    }

    /// <summary>Via values, topmost first, comma-separated values expanded; unparseable values skipped.</summary>
    public IReadOnlyList<SipVia> Vias => Get(ref _vias, static m =>
    {
        var list = new List<SipVia>();
        foreach (var value in m.Headers.SplitValues(SipHeaderNames.Via))
        {
            if (SipVia.TryParse(value, out var via)) list.Add(via!);
        }
        return list;
    });

    /// <summary>From, or null when absent or bad; its URI may be of any scheme (<see cref="SipUri.IsOpaque"/>).</summary>
    public SipNameAddress? From => Get(ref _from, static m => ParseAddress(m.Headers.Get(SipHeaderNames.From), anyScheme: true));

    /// <summary>To, or null when absent or bad; its URI may be of any scheme (<see cref="SipUri.IsOpaque"/>).</summary>
    public SipNameAddress? To => Get(ref _to, static m => ParseAddress(m.Headers.Get(SipHeaderNames.To), anyScheme: true));

    /// <summary>Call-ID.</summary>
    public string? CallId => Headers.Get(SipHeaderNames.CallId);

    /// <summary>CSeq, or null when absent or bad.</summary>
    /// <remarks>Kept once read, except on a lent message: matching and dropping one must not allocate.</remarks>
    public SipCSeq? CSeq => _pooled ? ReadCSeq(this) : Get(ref _cseq, ReadCSeq);

    private static SipCSeq? ReadCSeq(SipMessage m)
    {
        Span<char> scratch = stackalloc char[ScratchLength];
        return m.TryReadFirst(SipHeaderNames.CSeq, scratch, out var value) && TryParseCSeq(value, out var c) ? c : null;
    }

    /// <summary>Max-Forwards, or null when absent or bad (a UAS treats absent as 70).</summary>
    public int? MaxForwards
    {
        get
        {
            Span<char> scratch = stackalloc char[ScratchLength];
            return TryReadFirst(SipHeaderNames.MaxForwards, scratch, out var value) && TryParseMaxForwards(value, out var v) ? v : null;
        }
    }

    /// <summary>
    /// First Contact, or null when absent, "*", bad, or of a scheme other than sip, sips and tel (a remote target
    /// must be one we can reach).
    /// </summary>
    public SipNameAddress? Contact => Get(ref _contact, static m => ParseAddress(m.FirstContact(), anyScheme: false));

    // The first element of the Contact lines, as SplitValues would list it first (empty elements skipped), without
    // the list.
    private string? FirstContact()
    {
        for (var i = Headers.IndexOf(SipHeaderNames.Contact); i >= 0; i = Headers.IndexOf(SipHeaderNames.Contact, i + 1))
        {
            var value = Headers.ValueAt(i);
            var span = value.AsSpan();
            var start = 0;
            while (start <= span.Length)
            {
                var end = SipGrammar.NextTopLevelComma(span, start);
                if (end < 0) end = span.Length;
                var item = SipGrammar.TrimWsp(span[start..end]);
                if (item.Length > 0) return item.Length == value.Length ? value : item.ToString();
                start = end + 1;
            }
        }
        return null;
    }

    /// <summary>Content-Type media type only, lower-case, without parameters.</summary>
    public string? ContentType => TryParseMediaType(Headers.Get(SipHeaderNames.ContentType), out var t) ? t : null;

    private static SipNameAddress? ParseAddress(string? value, bool anyScheme) =>
        value is not null && SipNameAddress.TryParse(value, anyScheme, out var a) ? a : null;

    // CSeq = 1*DIGIT LWS Method; the number must be below 2**31 (RFC 3261 §8.1.1.5).
    internal static bool TryParseCSeq(ReadOnlySpan<char> s, out SipCSeq cseq)
    {
        cseq = default;
        var digits = s.IndexOfAnyExceptInRange('0', '9');
        if (digits <= 0) return false;
        if (!SipGrammar.TryParseUInt(s[..digits], int.MaxValue, out var number)) return false;
        var rest = s[digits..];
        var method = rest.TrimStart(" \t");
        if (method.Length == rest.Length || !SipGrammar.IsToken(method)) return false;
        cseq = new SipCSeq(number, SipGrammar.InternMethod(method));
        return true;
    }

    internal static bool TryParseMaxForwards(ReadOnlySpan<char> value, out int maxForwards)
    {
        maxForwards = 0;
        if (!SipGrammar.TryParseUInt(value, 255, out var v)) return false;
        maxForwards = (int)v;
        return true;
    }

    internal static bool TryParseMediaType(string? value, out string? mediaType)
    {
        mediaType = null;
        if (value is null) return false;
        var s = value.AsSpan();
        var semi = s.IndexOf(';');
        var type = SipGrammar.TrimWsp(semi < 0 ? s : s[..semi]);
        var slash = type.IndexOf('/');
        if (slash < 0) return false;
        var major = SipGrammar.TrimWsp(type[..slash]);
        var minor = SipGrammar.TrimWsp(type[(slash + 1)..]);
        if (!SipGrammar.IsToken(major) || !SipGrammar.IsToken(minor)) return false;
        // The type of nearly every body here is built once.
        mediaType = major.Equals("application", StringComparison.OrdinalIgnoreCase) && minor.Equals("sdp", StringComparison.OrdinalIgnoreCase)
            ? "application/sdp"
            : string.Concat(major, "/", minor).ToLowerInvariant();
        return true;
    }
}
