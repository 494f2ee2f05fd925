namespace OpenUM.Sip.Message;

// generic-param lists (RFC 3261 §25.1: *( SEMI generic-param ), gen-value = token / host / quoted-string), walked as
// ranges of the text so a validating reader builds no string.
internal static partial class SipGrammar
{
    /// <summary>
    /// Parses *( SEMI generic-param ) starting at pos (RFC 3261: gen-value = token / host / quoted-string).
    /// Values keep their quotes so they serialize back unchanged.
    /// </summary>
    public static bool TryParseGenericParams(ReadOnlySpan<char> s, int pos, out KeyValuePair<string, string?>[] parameters,
        bool viaParams = false)
    {
        parameters = [];
        var list = ParamScratch();
        ParamStep step;
        while ((step = NextGenericParam(s, ref pos, viaParams, out var p)) == ParamStep.Param)
        {
            list.Add(new KeyValuePair<string, string?>(Intern(s[p.Name]), p.HasValue ? Intern(s[p.Value]) : null));
        }
        if (step == ParamStep.Bad)
        {
            list.Clear();
            return false;
        }
        parameters = ToArrayAndClear(list);
        return true;
    }

    /// <summary>True when *( SEMI generic-param ) from pos is well formed; nothing is allocated.</summary>
    public static bool AreGenericParams(ReadOnlySpan<char> s, int pos, bool viaParams = false)
    {
        ParamStep step;
        while ((step = NextGenericParam(s, ref pos, viaParams, out _)) == ParamStep.Param) { }
        return step == ParamStep.End;
    }

    /// <summary>What <see cref="NextGenericParam"/> found.</summary>
    public enum ParamStep { End, Param, Bad }

    /// <summary>One generic-param as ranges of the text: its name, and its value when it has one (quotes kept).</summary>
    public readonly record struct GenericParam(Range Name, Range Value, bool HasValue);

    /// <summary>
    /// Reads the next SEMI generic-param at pos (white space around it skipped): the parsers walk parameters with
    /// this and build strings only for what they keep.
    /// </summary>
    public static ParamStep NextGenericParam(ReadOnlySpan<char> s, ref int pos, bool viaParams, out GenericParam param)
    {
        param = default;
        SkipWsp(s, ref pos);
        if (pos >= s.Length) return ParamStep.End;
        if (s[pos] != ';') return ParamStep.Bad;
        pos++;
        SkipWsp(s, ref pos);
        var nameStart = pos;
        var nameLen = s[pos..].IndexOfAnyExcept(Token);
        if (nameLen < 0) nameLen = s.Length - pos;
        if (nameLen == 0) return ParamStep.Bad;
        var name = nameStart..(nameStart + nameLen);
        pos += nameLen;
        SkipWsp(s, ref pos);
        if (pos < s.Length && s[pos] == '=')
        {
            pos++;
            SkipWsp(s, ref pos);
            // Via received= carries a bare IPv6address (RFC 3261 §20.42), colons and all.
            var ipv6 = viaParams && s[name].Equals("received", StringComparison.OrdinalIgnoreCase);
            var valueStart = pos;
            if (!TrySkipGenValue(s, ref pos, ipv6)) return ParamStep.Bad;
            param = new GenericParam(name, valueStart..pos, true);
            SkipWsp(s, ref pos);
            return ParamStep.Param;
        }
        param = new GenericParam(name, default, false);
        return ParamStep.Param;
    }

    private static bool TrySkipGenValue(ReadOnlySpan<char> s, ref int pos, bool ipv6)
    {
        if (pos >= s.Length) return false;
        if (s[pos] == '"') return SkipQuoted(s, ref pos);
        if (s[pos] == '[')
        {
            var close = s[pos..].IndexOf(']');
            if (close < 0 || !IsIPv6(s.Slice(pos + 1, close - 1))) return false;
            pos += close + 1;
            return true;
        }
        var len = s[pos..].IndexOfAnyExcept(ipv6 ? Ipv6Chars : Token);
        if (len < 0) len = s.Length - pos;
        if (len == 0) return false;
        pos += len;
        return true;
    }
}
