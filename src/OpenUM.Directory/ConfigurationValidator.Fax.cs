using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Directory;

// The partner fax server of a mailbox policy (Set-UMMailboxPolicy -FaxServerURI): the Refer-To of a fax call.
public static partial class ConfigurationValidator
{
    /// <summary>Longest FaxServerURI accepted.</summary>
    public const int MaxFaxServerUriLength = 256;

    /// <summary>
    /// A fax server URI is sip: or sips:, an optional user, a host name, IPv4 address or [IPv6] address, an optional
    /// port, and optional ;parameters (transport=tcp...). URI headers (?...) are refused: they would ride into the
    /// REFER's Refer-To and make the gateway add headers (Replaces, ...) to the call it places.
    /// </summary>
    private static void ValidateFaxServerUri(string? uri)
    {
        if (uri is null)
        {
            return;
        }

        if (!IsFaxServerUri(uri))
        {
            throw Fail(F.FaxServerUri,
                $"'{uri}' is not a fax server URI: give a sip: or sips: URI such as sip:fax@fax.example.com:5060;transport=tcp " +
                $"(at most {MaxFaxServerUriLength} characters, no spaces or ?headers), or \"\" to remove it");
        }
    }

    private static bool IsFaxServerUri(string value)
    {
        string? rest = value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) ? value[4..]
            : value.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) ? value[5..]
            : null;
        if (rest is null || value.Length > MaxFaxServerUriLength
            || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or '?' || c > '~'))
        {
            return false;
        }

        int semicolon = rest.IndexOf(';', StringComparison.Ordinal);
        string hostPort = semicolon < 0 ? rest : rest[..semicolon];
        if (semicolon >= 0 && rest[(semicolon + 1)..].Split(';').Any(p => p.Length == 0 || p.StartsWith('=')))
        {
            return false;
        }

        int at = hostPort.LastIndexOf('@');
        if (at == 0)
        {
            return false;
        }

        hostPort = hostPort[(at + 1)..];
        string host = hostPort;
        string? port = null;
        if (hostPort.StartsWith('['))
        {
            int close = hostPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !System.Net.IPAddress.TryParse(hostPort[1..close], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }

            host = hostPort[..(close + 1)];
            port = hostPort.Length > close + 1 ? (hostPort[close + 1] == ':' ? hostPort[(close + 2)..] : "x") : null;
        }
        else if (hostPort.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0)
        {
            host = hostPort[..colon];
            port = hostPort[(colon + 1)..];
        }

        if (port is not null && !(int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535))
        {
            return false;
        }

        return host.StartsWith('[') || IsHostName(host);
    }

    // RFC 3261 hostname (letters, digits, '-' inside labels, dots between) or an IPv4 address, which is one too.
    private static bool IsHostName(string host) =>
        host.Length is > 0 and <= 253
        && host.TrimEnd('.').Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-');
}
