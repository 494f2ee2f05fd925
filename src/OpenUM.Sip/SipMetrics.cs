using System.Diagnostics.Metrics;

namespace OpenUM.Sip;

/// <summary>
/// The SIP stack's instruments (meter <see cref="MeterName"/>): inbound TLS handshakes by result, counted where the
/// handshake ends. Stable names, listed in docs/monitoring.md; preallocated tags.
/// </summary>
public static class SipMetrics
{
    /// <summary>Meter of the SIP stack.</summary>
    public const string MeterName = "OpenUM.Sip";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_handshakes = s_meter.CreateCounter<long>("openum.tls.handshakes", "{handshake}",
        "Inbound TLS handshakes, by result: succeeded, certificate_refused (the peer certificate check said no), failed (anything else, timeouts included)");
    private static readonly KeyValuePair<string, object?> Succeeded = new("result", "succeeded");
    private static readonly KeyValuePair<string, object?> CertificateRefused = new("result", "certificate_refused");
    private static readonly KeyValuePair<string, object?> Failed = new("result", "failed");

    private static readonly Counter<long> s_subscribeRefusals = s_meter.CreateCounter<long>("openum.sip.subscribe.refusals", "{request}",
        "SUBSCRIBE requests refused (event 2043), by the status answered");

    internal static void SubscribeRefused(int status) => s_subscribeRefusals.Add(1, new KeyValuePair<string, object?>("status", status));

    internal static void Handshake(bool succeeded, bool certificateRefused) =>
        s_handshakes.Add(1, succeeded ? Succeeded : certificateRefused ? CertificateRefused : Failed);
}
