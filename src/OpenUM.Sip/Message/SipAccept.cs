namespace OpenUM.Sip.Message;

// Accept (RFC 3261 §20.1) with the media-range rules of HTTP it keeps (RFC 2616 §14.1): the most specific
// range that covers a type decides, and q=0 means "not acceptable".
internal static class SipAccept
{
    /// <summary>
    /// True when a response body of type application/sdp is acceptable: no Accept header at all means
    /// application/sdp (§20.1), an empty one accepts nothing, otherwise the most specific matching range
    /// (application/sdp, then application/*, then */*) decides through its q value.
    /// </summary>
    public static bool AcceptsSdp(SipHeaders headers)
    {
        var present = false;
        var best = -1;      // specificity of the most specific range covering application/sdp
        var taken = false;  // whether a range of that specificity has q > 0
        for (var i = 0; i < headers.Count; i++)
        {
            if (!string.Equals(headers.NameAt(i), "Accept", StringComparison.OrdinalIgnoreCase)) continue;
            present = true;
            var s = headers.ValueAt(i).AsSpan();
            var start = 0;
            while (start <= s.Length)
            {
                var end = SipGrammar.NextTopLevelComma(s, start);
                if (end == -2) return false; // unbalanced quoting: nothing in it can be trusted to accept
                if (end < 0) end = s.Length;
                if (TryRank(s[start..end], out var rank, out var positive) && rank >= best)
                {
                    taken = rank > best ? positive : taken || positive;
                    best = rank;
                }
                start = end + 1;
            }
        }
        return !present || (best >= 0 && taken);
    }

    // accept-range = media-range *(SEMI accept-param); rank 2 = application/sdp, 1 = application/*, 0 = */*.
    private static bool TryRank(ReadOnlySpan<char> range, out int rank, out bool positive)
    {
        rank = -1;
        positive = true;
        var semi = range.IndexOf(';');
        var type = SipGrammar.TrimWsp(semi < 0 ? range : range[..semi]);
        var slash = type.IndexOf('/');
        if (slash < 0) return false;
        var major = SipGrammar.TrimWsp(type[..slash]);
        var minor = SipGrammar.TrimWsp(type[(slash + 1)..]);
        if (major is "*" && minor is "*") rank = 0;
        else if (major.Equals("application", StringComparison.OrdinalIgnoreCase))
        {
            if (minor is "*") rank = 1;
            else if (minor.Equals("sdp", StringComparison.OrdinalIgnoreCase)) rank = 2;
        }
        if (rank < 0) return false;

        var rest = semi < 0 ? ReadOnlySpan<char>.Empty : range[(semi + 1)..];
        while (!rest.IsEmpty)
        {
            var next = rest.IndexOf(';');
            var param = next < 0 ? rest : rest[..next];
            rest = next < 0 ? ReadOnlySpan<char>.Empty : rest[(next + 1)..];
            var eq = param.IndexOf('=');
            if (eq < 0 || !SipGrammar.TrimWsp(param[..eq]).Equals("q", StringComparison.OrdinalIgnoreCase)) continue;
            if (!TryIsPositiveQ(SipGrammar.TrimWsp(param[(eq + 1)..]), out positive)) return false;
        }
        return true;
    }

    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
    private static bool TryIsPositiveQ(ReadOnlySpan<char> q, out bool positive)
    {
        positive = false;
        if (q.Length is 0 or > 5 || q[0] is not ('0' or '1')) return false;
        var fraction = q[1..];
        if (!fraction.IsEmpty && (fraction[0] != '.' || fraction[1..].ContainsAnyExceptInRange('0', '9'))) return false;
        var nonZeroFraction = !fraction.IsEmpty && fraction[1..].ContainsAnyExcept('0');
        if (q[0] == '1')
        {
            positive = true;
            return !nonZeroFraction; // 1.5 is no qvalue
        }
        positive = nonZeroFraction;
        return true;
    }
}
