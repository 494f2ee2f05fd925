using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Calls;

/// <summary>
/// Finds the number a diverted call was meant for (CALL-1): the topmost Diversion entry (RFC 5806: most
/// recent redirection first), else the History-Info entry retargeted to us (RFC 7044: the one before the
/// last), else the Request-URI.
/// </summary>
public static class CalledParty
{
    /// <summary>The called number (digits, possibly with a leading '+') and where it came from, or null.</summary>
    public static (string Number, string Source)? Find(SipMessage invite)
    {
        var diversion = invite.Headers.SplitValues("Diversion");
        if (diversion.Count > 0 && SipNameAddress.TryParse(diversion[0], out var div) && div is not null
            && UserOf(div.Uri) is { } d)
            return (d, "Diversion");

        var history = invite.Headers.SplitValues("History-Info");
        if (history.Count > 0)
        {
            var entry = history.Count >= 2 ? history[^2] : history[0];
            if (SipNameAddress.TryParse(entry, out var hi) && hi is not null && UserOf(hi.Uri) is { } h)
                return (h, "History-Info");
        }

        if (invite.RequestUri is { } ruri && UserOf(ruri) is { } r)
            return (r, "Request-URI");
        return null;
    }

    /// <summary>
    /// The extension of a called number in a dial plan with <paramref name="digits"/>-digit extensions:
    /// the number itself when it has that length, else its last <paramref name="digits"/> digits
    /// (gateways often send the full DID, e.g. +4930123451000 for extension 1000).
    /// </summary>
    public static string? ToExtension(string number, int digits)
    {
        var span = number.AsSpan();
        if (span.StartsWith("+")) span = span[1..];
        if (span.Length < digits) return null;
        foreach (char c in span)
            if (c is < '0' or > '9') return null;
        return span[^digits..].ToString();
    }

    /// <summary>The user part without visual separators (RFC 3966 allows '-', '.', '(' and ')').</summary>
    private static string? UserOf(SipUri uri)
    {
        string? user = uri.User;
        if (string.IsNullOrEmpty(user)) return null;
        int semi = user.IndexOf(';'); // tel-style parameters inside a sip user part (";phone-context=...")
        if (semi >= 0) user = user[..semi];
        Span<char> buffer = stackalloc char[Math.Min(user.Length, 64)];
        int n = 0;
        foreach (char c in user)
        {
            if (c is '-' or '.' or '(' or ')') continue;
            if (n == buffer.Length) return null;
            buffer[n++] = c;
        }
        return n == 0 ? null : new string(buffer[..n]);
    }
}
