using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using OpenUM.Security;

namespace OpenUM.Delivery.Smtp;

/// <summary>What a failed SMTP attempt means for the queue.</summary>
public enum SmtpFailureKind
{
    /// <summary>No connection (refused, time-out, name not resolved): every item waits; event 1082.</summary>
    Unreachable,
    /// <summary>TLS could not be set up (no STARTTLS offered, protocol or suite mismatch): event 1082.</summary>
    TlsFailed,
    /// <summary>The smart host's certificate failed our verification: nothing was sent; event 1082.</summary>
    SmartHostCertificateRejected,
    /// <summary>The smart host refused our client certificate (Postfix: 421 4.7.1 after STARTTLS); event 1185, items kept.</summary>
    ClientCertificateRejected,
    /// <summary>SMTP AUTH failed or is required: a configuration problem; event 1185, items kept.</summary>
    AuthenticationFailed,
    /// <summary>The smart host refused the session (5xx greeting/EHLO, 530 and the like): event 1185, items kept.</summary>
    SessionRejected,
    /// <summary>A temporary failure of this message or of the connection (4xx, connection lost): retried with backoff.</summary>
    Transient,
    /// <summary>The smart host permanently refused this message (5xx on MAIL, RCPT or DATA): dead letter, event 1185.</summary>
    Permanent,
}

/// <summary>Where in the SMTP exchange a failure happened.</summary>
public enum SmtpPhase
{
    /// <summary>Connecting, TLS, EHLO, AUTH: before any message.</summary>
    Session,
    /// <summary>MAIL FROM, RCPT TO, DATA of one message.</summary>
    Message,
}

/// <summary>A classified failure: its kind, the SMTP status when there was one, and the reason for the operator.</summary>
public sealed record SmtpFailure(SmtpFailureKind Kind, int? StatusCode, string Reason)
{
    /// <summary>True when the failure concerns the connection, not one message: every due item waits alike.</summary>
    public bool AffectsSession => Kind is not (SmtpFailureKind.Transient or SmtpFailureKind.Permanent);

    /// <summary>Classifies an exception thrown by MailKit; <paramref name="verdict"/> is our verdict on the smart host's certificate, if one was made.</summary>
    public static SmtpFailure Classify(Exception error, SmtpPhase phase, PeerValidationResult? verdict, bool tlsEstablished)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case SslHandshakeException when verdict is { Accepted: false } v:
                return new(SmtpFailureKind.SmartHostCertificateRejected, null,
                    $"the smart host's certificate was refused ({v.Reason}: {v.Detail}; subject {v.Subject}, issuer {v.Issuer}, thumbprint {v.Thumbprint}); nothing was sent");
            case SslHandshakeException ssl:
                // MailKit's own message is a generic FAQ text; the cause is in the inner exception.
                return new(SmtpFailureKind.TlsFailed, null, "TLS handshake failed: " + (ssl.InnerException is { } inner ? Innermost(inner) : ssl.Message));
            case SmtpCommandException command:
                return ClassifyReply((int)command.StatusCode, command.Message, phase, tlsEstablished);
            case AuthenticationException auth:
                return new(SmtpFailureKind.AuthenticationFailed, null, "SMTP AUTH failed: " + auth.Message);
            case NotSupportedException notSupported when phase == SmtpPhase.Session:
                // MailKit: StartTls requested but the server does not offer STARTTLS, or AUTH not offered.
                return new(SmtpFailureKind.TlsFailed, null, notSupported.Message);
            case SocketException socket:
                return new(SmtpFailureKind.Unreachable, null, $"connection failed: {socket.SocketErrorCode} ({socket.Message})");
            case TimeoutException or OperationCanceledException:
                return phase == SmtpPhase.Session
                    ? new(SmtpFailureKind.Unreachable, null, "no answer in time: " + error.Message)
                    : new(SmtpFailureKind.Transient, null, "time-out while sending: " + error.Message);
            case SmtpProtocolException closed when phase == SmtpPhase.Session && tlsEstablished
                && closed.Message.IndexOf("4.7.1", StringComparison.Ordinal) is >= 0 and var at:
                // MailKit reports Postfix's "421 4.7.1 ... Error: No client certificate presented" (sent as it hangs
                // up) as "The SMTP server has unexpectedly disconnected: 4.7.1 ...".
                return ClassifyReply(421, closed.Message[at..], phase, tlsEstablished);
            case SmtpProtocolException or ServiceNotConnectedException or IOException:
                return phase == SmtpPhase.Session && !tlsEstablished
                    ? new(SmtpFailureKind.Unreachable, null, "connection lost: " + Innermost(error))
                    : new(phase == SmtpPhase.Session ? SmtpFailureKind.TlsFailed : SmtpFailureKind.Transient, null, "connection lost: " + Innermost(error));
            default:
                return new(SmtpFailureKind.Transient, null, error.GetType().Name + ": " + error.Message);
        }
    }

    /// <summary>Classifies an SMTP reply code and text.</summary>
    public static SmtpFailure ClassifyReply(int status, string text, SmtpPhase phase, bool tlsEstablished)
    {
        string reason = $"{status} {text}".Trim();
        // Postfix with smtpd_tls_req_ccert answers the first command after STARTTLS with
        // "421 4.7.1 <host> Error: No client certificate presented" / "Client certificate not trusted".
        // It is a 4xx, but retrying cannot help until someone fixes the certificate or the smart host's trust.
        if (status == 421 && tlsEstablished && text.Contains("certificate", StringComparison.OrdinalIgnoreCase))
            return new(SmtpFailureKind.ClientCertificateRejected, status, reason);
        if (status is 530 or 534 or 535 or 538)
            return status == 530 && text.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase)
                ? new(SmtpFailureKind.TlsFailed, status, reason)
                : new(SmtpFailureKind.AuthenticationFailed, status, reason);
        if (phase == SmtpPhase.Session)
            return status is >= 500 and < 600
                ? new(SmtpFailureKind.SessionRejected, status, reason)
                : new(SmtpFailureKind.Unreachable, status, reason);
        return status is >= 500 and < 600
            ? new(SmtpFailureKind.Permanent, status, reason)
            : new(SmtpFailureKind.Transient, status, reason);
    }

    private static string Innermost(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) messages.Add(x.Message);
        return string.Join(" → ", messages.Distinct());
    }
}
