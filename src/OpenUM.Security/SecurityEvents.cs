using Microsoft.Extensions.Logging;

namespace OpenUM.Security;

/// <summary>Certificate and TLS events with Exchange UM's IDs (CERT-4, CERT-5, CERT-6, TLS-3).</summary>
public static partial class SecurityEvents
{
    [LoggerMessage(EventId = 1112, EventName = "ServiceCertificateDetails", Level = LogLevel.Information,
        Message = "Certificate in use: subject {Subject}, issuer {Issuer}, serial {SerialNumber}, thumbprint {Thumbprint} (SHA-256 {Sha256Thumbprint}), self-signed {SelfSigned}, expires {NotAfter:u}")]
    public static partial void ServiceCertificateDetails(ILogger logger, string subject, string issuer, string serialNumber,
        string thumbprint, string sha256Thumbprint, bool selfSigned, DateTimeOffset notAfter);

    // One event ID for both levels: a Warning before expiry, an Error once expired (CERT-5).
    [LoggerMessage(EventId = 1120, EventName = "CertificateNearExpiry",
        Message = "{Role} certificate {Subject} (thumbprint {Thumbprint}) {State} on {NotAfter:u}: {DaysLeft} days left, alert threshold {ThresholdDays} days")]
    public static partial void CertificateNearExpiry(ILogger logger, LogLevel level, string role, string subject, string thumbprint,
        string state, DateTimeOffset notAfter, int daysLeft, int thresholdDays);

    [LoggerMessage(EventId = 1123, EventName = "CertificateExpiryIsGood", Level = LogLevel.Information,
        Message = "{Role} certificate {Subject} (thumbprint {Thumbprint}) expires on {NotAfter:u}: {DaysLeft} days left, alert threshold {ThresholdDays} days")]
    public static partial void CertificateExpiryIsGood(ILogger logger, string role, string subject, string thumbprint,
        DateTimeOffset notAfter, int daysLeft, int thresholdDays);

    [LoggerMessage(EventId = 1116, EventName = "StoppingListeningForCertificateChange", Level = LogLevel.Information,
        Message = "The server certificate changes from {OldThumbprint} to {NewThumbprint}: new TLS connections stop using the old one; established connections keep it")]
    public static partial void StoppingListeningForCertificateChange(ILogger logger, string oldThumbprint, string newThumbprint);

    [LoggerMessage(EventId = 1117, EventName = "StartedListeningWithNewCertificate", Level = LogLevel.Information,
        Message = "New TLS connections are served certificate {Thumbprint} ({Subject}, serial {SerialNumber})")]
    public static partial void StartedListeningWithNewCertificate(ILogger logger, string thumbprint, string subject, string serialNumber);

    // TLS-3: a refused peer certificate names the certificate and the precise reason; the transport
    // supplies the address. Negotiation failures without a verdict (version, suites, timeout) are 1113.
    [LoggerMessage(EventId = 1426, EventName = "InvalidClientCertificate", Level = LogLevel.Warning,
        Message = "TLS peer {RemoteAddress}:{RemotePort} refused ({Reason}: {Detail}): subject {Subject}, issuer {Issuer}, serial {SerialNumber}, thumbprint {Thumbprint}{Suppressed}")]
    public static partial void InvalidClientCertificate(ILogger logger, string remoteAddress, int remotePort, PeerRejectReason reason, string detail,
        string? subject, string? issuer, string? serialNumber, string? thumbprint, string suppressed);

    [LoggerMessage(EventId = 1113, EventName = "IncomingTLSCallFailure", Level = LogLevel.Error,
        Message = "TLS negotiation with {RemoteAddress}:{RemotePort} failed: {Error}{Suppressed}")]
    public static partial void IncomingTlsCallFailure(ILogger logger, string remoteAddress, int remotePort, string error, string suppressed);

    /// <summary>Logs 1426 for a rejected verdict; does nothing for an accepted one. <paramref name="suppressed"/> ends the message (" (N similar suppressed)").</summary>
    public static void LogIfRejected(ILogger logger, System.Net.IPEndPoint remote, PeerValidationResult result, string suppressed = "")
    {
        if (!result.Accepted && result.Reason is { } reason)
        {
            InvalidClientCertificate(logger, remote.Address.ToString(), remote.Port, reason, result.Detail, result.Subject, result.Issuer, result.SerialNumber, result.Thumbprint, suppressed);
        }
    }
}
