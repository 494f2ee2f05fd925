using System.Globalization;
using System.Net;

namespace OpenUM.Server.Metrics;

/// <summary>Where the metrics endpoint listens (`openum serve --metrics-listen`), and whether it speaks HTTPS (`--metrics-tls`).</summary>
/// <param name="EndPoint">Address and port; port 0 picks a free one.</param>
/// <param name="Tls">HTTPS with the server's own certificate (the one SIP over TLS presents).</param>
public sealed record MetricsOptions(IPEndPoint EndPoint, bool Tls = false)
{
    /// <summary>Meters exported: every meter of OpenUM ("OpenUM.Calls", "OpenUM.Sip", ...).</summary>
    public const string MeterPattern = "OpenUM.*";

    /// <summary>
    /// Parses ADDRESS:PORT ("127.0.0.1:9464", "[::1]:9464") or a bare PORT, which means loopback: the endpoint reaches
    /// another host only when the administrator names an address. Null and an error that says what is expected otherwise.
    /// </summary>
    public static IPEndPoint? TryParseListen(string text, out string? error)
    {
        error = null;
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int bare))
        {
            if (bare <= 65535) return new IPEndPoint(IPAddress.Loopback, bare);
        }
        else if (IPEndPoint.TryParse(text, out var endPoint) && HasPort(text))
        {
            return endPoint;
        }
        error = $"'{text}' is not ADDRESS:PORT (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464 for every address, or 9464 for loopback).";
        return null;
    }

    /// <summary>Parses "true"/"false" (case-insensitive) for --metrics-tls.</summary>
    public static bool? TryParseTls(string text, out string? error)
    {
        error = null;
        if (bool.TryParse(text.Trim(), out bool value)) return value;
        error = $"'{text}' is not true or false.";
        return null;
    }

    // IPEndPoint.TryParse takes "127.0.0.1" alone as port 0: an address without its port is a mistake, not "any port".
    private static bool HasPort(string text) =>
        text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1;
}
