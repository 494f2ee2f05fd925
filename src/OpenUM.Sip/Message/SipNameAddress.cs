using System.Text;

namespace OpenUM.Sip.Message;

/// <summary>name-addr / addr-spec with header parameters (From, To, Contact, Diversion...).</summary>
public sealed class SipNameAddress
{
    private string? _text;

    /// <summary>Creates a name-addr.</summary>
    public SipNameAddress(SipUri uri, string? displayName = null, IEnumerable<KeyValuePair<string, string?>>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        Uri = uri;
        DisplayName = displayName;
        Parameters = parameters?.ToArray() ?? [];
    }

    private SipNameAddress(SipUri uri, string? displayName, KeyValuePair<string, string?>[] parameters)
    {
        Uri = uri;
        DisplayName = displayName;
        Parameters = parameters;
    }

    /// <summary>Display name, unquoted and unescaped.</summary>
    public string? DisplayName { get; }
    /// <summary>The address.</summary>
    public SipUri Uri { get; }
    /// <summary>Header parameters in order; quoted values keep their quotes.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; }
    /// <summary>The tag parameter (RFC 3261 §19.3).</summary>
    public string? Tag => GetParameter("tag");

    /// <summary>Value of a header parameter (case-insensitive name); null when absent or valueless.</summary>
    public string? GetParameter(string name)
    {
        // Indexed: a foreach over the interface would box an enumerator on every tag lookup.
        for (var i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        }
        return null;
    }

    /// <summary>Copy with the tag parameter set (replacing any existing tag).</summary>
    public SipNameAddress WithTag(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (!SipGrammar.IsToken(tag)) throw new ArgumentException("A tag must be a token.", nameof(tag));
        var list = new List<KeyValuePair<string, string?>>(Parameters.Count + 1);
        foreach (var p in Parameters)
        {
            if (!string.Equals(p.Key, "tag", StringComparison.OrdinalIgnoreCase)) list.Add(p);
        }
        list.Add(new KeyValuePair<string, string?>("tag", tag));
        return new SipNameAddress(Uri, DisplayName, list.ToArray());
    }

    /// <summary>Parses a name-addr or addr-spec followed by header parameters; the URI must be sip, sips or tel.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SipNameAddress? value) => TryParse(text, anyScheme: false, out value);

    // anyScheme: From, To and Contact may carry an absoluteURI of any scheme (RFC 3261 §25.1 addr-spec), as
    // SipUri.IsOpaque; everything that routes on a URI keeps to the public, sip/sips/tel-only overload.
    internal static bool TryParse(ReadOnlySpan<char> text, bool anyScheme, out SipNameAddress? value)
    {
        value = null;
        if (!TryRead(text, anyScheme, out var parts)) return false;
        string? displayName = null;
        if (parts.QuotedName)
        {
            var pos = 0;
            SipGrammar.TryReadQuoted(parts.DisplayName, ref pos, out var quoted);
            displayName = quoted;
        }
        else if (!parts.DisplayName.IsEmpty)
        {
            displayName = TokenDisplayName(parts.DisplayName);
        }
        if (!TryParseUri(parts.Uri, anyScheme, out var uri)) return false;
        if (!SipGrammar.TryParseGenericParams(parts.Text, parts.ParamsStart, out var parameters)) return false;
        value = new SipNameAddress(uri!, displayName, parameters);
        return true;
    }

    // The parts of a name-addr / addr-spec as spans of the text, and its tag: what dialog matching needs
    // without building a SipNameAddress (the first tag parameter counts, as for GetParameter).
    internal readonly ref struct Parts
    {
        public ReadOnlySpan<char> Text { get; init; }         // white space trimmed
        public ReadOnlySpan<char> DisplayName { get; init; }  // the quoted-string with its quotes, or the tokens; empty when none
        public bool QuotedName { get; init; }
        public ReadOnlySpan<char> Uri { get; init; }
        public int ParamsStart { get; init; }
        public ReadOnlySpan<char> Tag { get; init; }          // as written; empty when absent or valueless
        public bool HasTag { get; init; }
    }

    // Validates with everything TryParse checks, and allocates nothing. Without checkUri the URI is taken as valid:
    // for a value read again after the parser checked it.
    internal static bool TryRead(ReadOnlySpan<char> text, bool anyScheme, out Parts parts, bool checkUri = true)
    {
        parts = default;
        var s = SipGrammar.TrimWsp(text);
        if (s.Length == 0) return false;
        ReadOnlySpan<char> displayName = default;
        var quotedName = false;
        int pos;
        if (s[0] == '"')
        {
            pos = 0;
            if (!SipGrammar.SkipQuoted(s, ref pos)) return false;
            displayName = s[..pos];
            quotedName = true;
            SipGrammar.SkipWsp(s, ref pos);
            if (pos >= s.Length || s[pos] != '<') return false;
        }
        else
        {
            var lt = s.IndexOf('<');
            var semi = s.IndexOf(';');
            if (lt < 0 || (semi >= 0 && semi < lt))
            {
                // addr-spec: the URI ends at the first ';' and what follows are header params (RFC 3261 §20.10);
                // SEMI = SWS ";" SWS, so LWS may come between the two (RFC 4475 §3.1.1.1).
                var uriText = (semi < 0 ? s : s[..semi]).TrimEnd(" \t");
                if (uriText.IndexOfAny(",? \t") >= 0 || (checkUri && !IsValidUri(uriText, anyScheme))) return false;
                return TryReadParams(s, semi < 0 ? s.Length : semi, uriText, default, false, out parts);
            }
            if (lt > 0)
            {
                if (!IsTokenDisplayName(s[..lt])) return false;
                displayName = SipGrammar.TrimWsp(s[..lt]);
            }
            pos = lt;
        }

        var gt = s[pos..].IndexOf('>');
        if (gt < 0) return false;
        var uri = s.Slice(pos + 1, gt - 1);
        if (checkUri && !IsValidUri(uri, anyScheme)) return false;
        return TryReadParams(s, pos + gt + 1, uri, displayName, quotedName, out parts);
    }

    private static bool TryReadParams(ReadOnlySpan<char> s, int paramsStart, ReadOnlySpan<char> uri, ReadOnlySpan<char> displayName,
        bool quotedName, out Parts parts)
    {
        parts = default;
        var pos = paramsStart;
        ReadOnlySpan<char> tag = default;
        var hasTag = false;
        SipGrammar.ParamStep step;
        while ((step = SipGrammar.NextGenericParam(s, ref pos, viaParams: false, out var param)) == SipGrammar.ParamStep.Param)
        {
            if (!hasTag && s[param.Name].Equals("tag", StringComparison.OrdinalIgnoreCase))
            {
                hasTag = true;
                tag = param.HasValue ? s[param.Value] : default;
            }
        }
        if (step == SipGrammar.ParamStep.Bad) return false;
        parts = new Parts
        {
            Text = s, DisplayName = displayName, QuotedName = quotedName, Uri = uri, ParamsStart = paramsStart,
            Tag = tag, HasTag = hasTag && !tag.IsEmpty,
        };
        return true;
    }

    private static bool IsValidUri(ReadOnlySpan<char> text, bool anyScheme) =>
        SipUri.IsValid(text, anyScheme, out _, out _);

    private static bool TryParseUri(ReadOnlySpan<char> text, bool anyScheme, out SipUri? uri) =>
        anyScheme ? SipUri.TryParseAny(text, out uri) : SipUri.TryParse(text, out uri);

    // *(token LWS); non-ASCII letters are tolerated because gateways send them unquoted.
    private static bool IsTokenDisplayName(ReadOnlySpan<char> s)
    {
        foreach (var c in SipGrammar.TrimWsp(s))
        {
            if (!SipGrammar.IsWsp(c) && c < 0x80 && !SipGrammar.Token.Contains(c)) return false;
        }
        return true;
    }

    // The tokens of a display name (already validated) with each run of white space made one space.
    private static string TokenDisplayName(ReadOnlySpan<char> trimmed)
    {
        var sb = new StringBuilder(trimmed.Length);
        var lastWasSpace = false;
        foreach (var c in trimmed)
        {
            if (SipGrammar.IsWsp(c))
            {
                if (!lastWasSpace) sb.Append(' ');
                lastWasSpace = true;
                continue;
            }
            sb.Append(c);
            lastWasSpace = false;
        }
        return sb.ToString();
    }

    /// <summary>Canonical text: quoted display name, angle-bracketed URI, parameters as written.</summary>
    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var sb = new StringBuilder(64);
        if (DisplayName is not null) sb.Append(SipGrammar.Quote(DisplayName)).Append(' ');
        sb.Append('<').Append(Uri.ToString()).Append('>');
        foreach (var p in Parameters)
        {
            sb.Append(';').Append(p.Key);
            if (p.Value is not null) sb.Append('=').Append(p.Value);
        }
        return sb.ToString();
    }
}
