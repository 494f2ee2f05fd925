using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using OpenUM.Delivery.Smtp;
using OpenUM.Security;

namespace OpenUM.Delivery.Tests;

public class RetryPolicyTests
{
    [Fact]
    public void DelayDoublesUpToTheMaximumWithinTheJitterBand()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10), new Random(7));
        double[] ceilings = [30, 60, 120, 240, 480, 600, 600, 600];
        for (int attempt = 1; attempt <= ceilings.Length; attempt++)
        {
            for (int i = 0; i < 50; i++)
            {
                var delay = policy.Delay(attempt).TotalSeconds;
                Assert.InRange(delay, ceilings[attempt - 1] * 0.5, ceilings[attempt - 1]);
            }
        }
        Assert.InRange(policy.Delay(int.MaxValue).TotalSeconds, 300, 600);
    }

    [Fact]
    public void JitterSpreadsItemsThatFailedTogether()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(60), TimeSpan.FromHours(1), new Random(1));
        var delays = Enumerable.Range(0, 20).Select(_ => policy.Delay(1)).Distinct().Count();
        Assert.True(delays > 10, $"only {delays} distinct delays");
    }
}

public class SmtpClassificationTests
{
    // Replies as Postfix 3.7 sends them (smtpd_tls_req_ccert = yes; relay and recipient checks).
    [Theory]
    [InlineData(421, "4.7.1 mail.example.test Error: No client certificate presented", true, SmtpPhase.Session, SmtpFailureKind.ClientCertificateRejected)]
    [InlineData(421, "4.7.1 mail.example.test Error: Client certificate not trusted", true, SmtpPhase.Session, SmtpFailureKind.ClientCertificateRejected)]
    [InlineData(421, "4.3.2 Service shutting down", true, SmtpPhase.Session, SmtpFailureKind.Unreachable)]
    [InlineData(421, "4.7.0 mail.example.test Error: too many connections", false, SmtpPhase.Session, SmtpFailureKind.Unreachable)]
    [InlineData(530, "5.7.0 Must issue a STARTTLS command first", false, SmtpPhase.Session, SmtpFailureKind.TlsFailed)]
    [InlineData(535, "5.7.8 Error: authentication failed", true, SmtpPhase.Session, SmtpFailureKind.AuthenticationFailed)]
    [InlineData(554, "5.7.1 <x@other.test>: Relay access denied", true, SmtpPhase.Message, SmtpFailureKind.Permanent)]
    [InlineData(550, "5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual mailbox table", true, SmtpPhase.Message, SmtpFailureKind.Permanent)]
    [InlineData(552, "5.3.4 Message size exceeds fixed limit", true, SmtpPhase.Message, SmtpFailureKind.Permanent)]
    [InlineData(452, "4.2.2 Mailbox full", true, SmtpPhase.Message, SmtpFailureKind.Transient)]
    [InlineData(451, "4.3.0 Error: queue file write error", true, SmtpPhase.Message, SmtpFailureKind.Transient)]
    [InlineData(554, "5.7.1 Service unavailable; Client host blocked", true, SmtpPhase.Session, SmtpFailureKind.SessionRejected)]
    public void RepliesAreClassified(int status, string text, bool tls, SmtpPhase phase, SmtpFailureKind expected)
    {
        var failure = SmtpFailure.ClassifyReply(status, text, phase, tls);
        Assert.Equal(expected, failure.Kind);
        Assert.Contains(text, failure.Reason);
        Assert.Equal(status, failure.StatusCode);
    }

    [Fact]
    public void MailKitExceptionsAreClassified()
    {
        var refused = SmtpFailure.Classify(new SocketException((int)SocketError.ConnectionRefused), SmtpPhase.Session, null, false);
        Assert.Equal(SmtpFailureKind.Unreachable, refused.Kind);
        Assert.True(refused.AffectsSession);

        var certReply = new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.ServiceNotAvailable,
            "4.7.1 mail.example.test Error: Client certificate not trusted");
        Assert.Equal(SmtpFailureKind.ClientCertificateRejected, SmtpFailure.Classify(certReply, SmtpPhase.Session, null, tlsEstablished: true).Kind);

        // What MailKit 4.18 throws when Postfix answers EHLO after STARTTLS with 421 and hangs up.
        var hungUp = new SmtpProtocolException("The SMTP server has unexpectedly disconnected: 4.7.1 mail.example.test Error: No client certificate presented");
        var certificate = SmtpFailure.Classify(hungUp, SmtpPhase.Session, null, tlsEstablished: true);
        Assert.Equal(SmtpFailureKind.ClientCertificateRejected, certificate.Kind);
        Assert.Equal("421 4.7.1 mail.example.test Error: No client certificate presented", certificate.Reason);
        Assert.Equal(SmtpFailureKind.Unreachable, SmtpFailure.Classify(new SmtpProtocolException("The SMTP server has unexpectedly disconnected."), SmtpPhase.Session, null, false).Kind);

        var unknownUser = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, "User unknown");
        var permanent = SmtpFailure.Classify(unknownUser, SmtpPhase.Message, null, true);
        Assert.Equal(SmtpFailureKind.Permanent, permanent.Kind);
        Assert.False(permanent.AffectsSession);

        var verdict = new PeerValidationResult(false, null, PeerRejectReason.UntrustedRoot, "the chain does not end at a trusted root",
            "CN=mail.example.test", "CN=Other CA", "01", "AB");
        var untrusted = SmtpFailure.Classify(new SslHandshakeException("handshake failed"), SmtpPhase.Session, verdict, false);
        Assert.Equal(SmtpFailureKind.SmartHostCertificateRejected, untrusted.Kind);
        Assert.Contains("UntrustedRoot", untrusted.Reason);
        Assert.Contains("CN=Other CA", untrusted.Reason);

        Assert.Equal(SmtpFailureKind.TlsFailed, SmtpFailure.Classify(new SslHandshakeException("no shared cipher"), SmtpPhase.Session, null, false).Kind);
        Assert.Equal(SmtpFailureKind.AuthenticationFailed, SmtpFailure.Classify(new AuthenticationException("535"), SmtpPhase.Session, null, true).Kind);
        Assert.Equal(SmtpFailureKind.Transient, SmtpFailure.Classify(new IOException("reset"), SmtpPhase.Message, null, true).Kind);
    }
}
