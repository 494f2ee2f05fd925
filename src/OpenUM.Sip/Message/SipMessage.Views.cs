namespace OpenUM.Sip.Message;

// Typed header views: parsed on demand and cached until the headers change.
public sealed partial class SipMessage
{
    // Immutable boxes swapped by reference, so a message read from several threads never sees a torn cache.
    private Cached<IReadOnlyList<SipVia>>? _vias;
    private Cached<SipNameAddress?>? _from;
    private Cached<SipNameAddress?>? _to;
    private Cached<SipCSeq?>? _cseq;
    private Cached<SipNameAddress?>? _contact;

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

    // The parser has already built these while validating; keep them instead of parsing twice.
    internal void SeedViews(IReadOnlyList<SipVia> vias, SipNameAddress? from, SipNameAddress? to, SipCSeq? cseq,
        SipNameAddress? contact)
    {
        var v = Headers.Version;
        _vias = new(v, vias);
        _from = new(v, from);
        _to = new(v, to);
        _cseq = new(v, cseq);
        _contact = new(v, contact);
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
    public SipCSeq? CSeq => Get(ref _cseq, static m => TryParseCSeq(m.Headers.Get(SipHeaderNames.CSeq), out var c) ? c : null);

    /// <summary>Max-Forwards, or null when absent or bad (a UAS treats absent as 70).</summary>
    public int? MaxForwards =>
        TryParseMaxForwards(Headers.Get(SipHeaderNames.MaxForwards), out var v) ? v : null;

    /// <summary>
    /// First Contact, or null when absent, "*", bad, or of a scheme other than sip, sips and tel (a remote target
    /// must be one we can reach).
    /// </summary>
    public SipNameAddress? Contact => Get(ref _contact, static m =>
    {
        var all = m.Headers.SplitValues(SipHeaderNames.Contact);
        return all.Count > 0 ? ParseAddress(all[0], anyScheme: false) : null;
    });

    /// <summary>Content-Type media type only, lower-case, without parameters.</summary>
    public string? ContentType => TryParseMediaType(Headers.Get(SipHeaderNames.ContentType), out var t) ? t : null;

    private static SipNameAddress? ParseAddress(string? value, bool anyScheme) =>
        value is not null && SipNameAddress.TryParse(value, anyScheme, out var a) ? a : null;

    // CSeq = 1*DIGIT LWS Method; the number must be below 2**31 (RFC 3261 §8.1.1.5).
    internal static bool TryParseCSeq(string? value, out SipCSeq cseq)
    {
        cseq = default;
        if (value is null) return false;
        var s = value.AsSpan();
        var digits = s.IndexOfAnyExceptInRange('0', '9');
        if (digits <= 0) return false;
        if (!SipGrammar.TryParseUInt(s[..digits], int.MaxValue, out var number)) return false;
        var rest = s[digits..];
        var method = rest.TrimStart(" \t");
        if (method.Length == rest.Length || !SipGrammar.IsToken(method)) return false;
        cseq = new SipCSeq(number, SipGrammar.InternMethod(method));
        return true;
    }

    internal static bool TryParseMaxForwards(string? value, out int maxForwards)
    {
        maxForwards = 0;
        if (value is null || !SipGrammar.TryParseUInt(value, 255, out var v)) return false;
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
        mediaType = string.Concat(major, "/", minor).ToLowerInvariant();
        return true;
    }
}
