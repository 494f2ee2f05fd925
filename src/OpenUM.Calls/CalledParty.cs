using OpenUM.Directory;
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
    /// The mailbox a diverted call is for, in <paramref name="dialPlan"/>: in a SipName dial plan the first of Diversion,
    /// History-Info and Request-URI (the order of <see cref="Find"/>) whose SIP address is a mailbox's SIP URI (the
    /// gateway diverts sip:alice@example.com, which has no digits to shorten); otherwise, and when no address matches,
    /// by the extension of the called number. Extension is the mailbox's, or the one the number gives when none matched;
    /// Called describes what was looked up (for the unknown-extension event).
    /// </summary>
    public static (Mailbox? Mailbox, string? Extension, string Called) FindMailbox(SipMessage invite, ConfigurationSnapshot config, DialPlan dialPlan)
    {
        ArgumentNullException.ThrowIfNull(invite);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(dialPlan);
        if (dialPlan.UriType == UmUriType.SipName)
        {
            foreach (var (uri, source) in Candidates(invite))
            {
                if (uri.Scheme is "sip" or "sips" && config.FindMailboxBySipUri(dialPlan.Name, uri.ToString()) is { } byAddress)
                    return (byAddress, byAddress.Extension, $"{Mailbox.SipAddressOf(uri.ToString())} ({source})");
            }
        }
        if (Find(invite) is not { } found) return (null, null, "");
        var extension = ToExtension(found.Number, dialPlan.NumberOfDigitsInExtension);
        return (extension is null ? null : config.FindMailbox(dialPlan.Name, extension), extension, $"{found.Number} ({found.Source})");
    }

    // The called party's URIs in the order Find looks at them.
    private static IEnumerable<(SipUri Uri, string Source)> Candidates(SipMessage invite)
    {
        var diversion = invite.Headers.SplitValues("Diversion");
        if (diversion.Count > 0 && SipNameAddress.TryParse(diversion[0], out var div) && div is not null)
            yield return (div.Uri, "Diversion");
        var history = invite.Headers.SplitValues("History-Info");
        if (history.Count > 0 && SipNameAddress.TryParse(history.Count >= 2 ? history[^2] : history[0], out var hi) && hi is not null)
            yield return (hi.Uri, "History-Info");
        if (invite.RequestUri is { } ruri)
            yield return (ruri, "Request-URI");
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
