using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Directory;
using OpenUM.Security;

namespace OpenUM.Delivery.Tests.Imap;

/// <summary>
/// What an IMAP failure means: the whole store (2036), one mailbox (2038) or one command, and the reason the operator
/// reads. Every one of them becomes "unavailable" for the caller; none is an empty mailbox.
/// </summary>
public sealed class ImapFailureClassificationTests
{
    private const string Mailbox = "user1000@example.test";
    private static readonly ImapSettings Settings = ImapSettings.From(new UmServer
    {
        Name = "um1", ImapHost = "imap.example.test:143", ImapUser = "openum", ImapPasswordFile = "/etc/openum/imap-password",
    })!;

    private static ImapFailure Classify(Exception e, ImapPhase phase = ImapPhase.Connect, PeerValidationResult? verdict = null, bool authorizationFailed = false) =>
        ImapConnector.Classify(e, phase, verdict, Settings, Mailbox, TimeSpan.FromSeconds(15), authorizationFailed);

    public static TheoryData<Exception, string> StoreFailures => new()
    {
        { new SocketException((int)SocketError.ConnectionRefused), "cannot connect to imap.example.test:143: ConnectionRefused" },
        { new IOException("reset", new SocketException((int)SocketError.ConnectionReset)), "the connection to imap.example.test:143 was lost: reset" },
        { new IOException("slow", new SocketException((int)SocketError.TimedOut)), "did not answer within 15 s" },
        { new TimeoutException(), "did not answer within 15 s" },
        { new ImapProtocolException("The IMAP server has unexpectedly disconnected."), "was lost: The IMAP server has unexpectedly disconnected." },
        { new ServiceNotConnectedException(), "was lost" },
        { new SslHandshakeException("FAQ text", new IOException("protocol version")), "TLS with imap.example.test:143 failed: protocol version" },
        { new NotSupportedException("The IMAP server does not support the STARTTLS extension."), "never logs in without TLS" },
        { new AuthenticationException("Authentication failed."), "refused the login of openum for user1000@example.test by MasterUserSeparator" },
    };

    [Theory]
    [MemberData(nameof(StoreFailures))]
    public void ConnectionTlsAndServiceLoginFailuresConcernTheWholeStore(Exception error, string reason)
    {
        var failure = Classify(error);
        Assert.Equal(ImapFailureScope.Store, failure.Scope);
        Assert.Contains(reason, failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedCertificateSaysWhyFromOurVerdict()
    {
        var verdict = new PeerValidationResult(false, null, PeerRejectReason.UntrustedRoot, "chain ends at CN=Rogue", "CN=imap.example.test", "CN=Rogue", "01", "AB12");
        var failure = Classify(new SslHandshakeException("FAQ text"), verdict: verdict);
        Assert.Equal(ImapFailureScope.Store, failure.Scope);
        Assert.Equal("the certificate of imap.example.test:143 was refused (UntrustedRoot: chain ends at CN=Rogue; subject CN=imap.example.test, issuer CN=Rogue, thumbprint AB12); nothing was sent",
            failure.Reason);
    }

    [Fact]
    public void AuthorizationFailedConcernsOnlyThatMailbox()
    {
        // MailKit says "Authentication failed." for both codes; the login's answer tells them apart.
        var failure = Classify(new AuthenticationException("Authentication failed."), authorizationFailed: true);
        Assert.Equal(ImapFailureScope.Mailbox, failure.Scope);
        Assert.Contains("may not open mailbox user1000@example.test ([AUTHORIZATIONFAILED])", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFolderOrARefusedSelectConcernsTheMailbox()
    {
        var missing = Classify(new FolderNotFoundException("Voice"), ImapPhase.Open);
        Assert.Equal((ImapFailureScope.Mailbox, "mailbox user1000@example.test has no folder 'Voice' (--imap-folder)"), (missing.Scope, missing.Reason));
        var refused = Classify(new ImapCommandException(ImapCommandResponse.No, "[NONEXISTENT] Mailbox doesn't exist: INBOX"), ImapPhase.Open);
        Assert.Equal(ImapFailureScope.Mailbox, refused.Scope);
        Assert.Contains("[NONEXISTENT]", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ARefusedCommandOnAnOpenMailboxIsNeitherTheStoreNorTheMailbox()
    {
        var failure = Classify(new ImapCommandException(ImapCommandResponse.No, "[OVERQUOTA] Quota exceeded"), ImapPhase.Command);
        Assert.Equal(ImapFailureScope.Command, failure.Scope);
        Assert.Contains("refused a command on mailbox user1000@example.test: No [OVERQUOTA] Quota exceeded", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailureClassifiedWhereItHappenedKeepsItsMeaning()
    {
        var own = new ImapFailure(ImapFailureScope.Command, "mailbox x has no folder marked \\Trash");
        Assert.Same(own, Classify(new ImapFailureException(own), ImapPhase.Command));
    }

    [Theory]
    [InlineData(typeof(IOException), true)]
    [InlineData(typeof(ImapProtocolException), true)]
    [InlineData(typeof(ServiceNotConnectedException), true)]
    [InlineData(typeof(TimeoutException), false)]
    [InlineData(typeof(InvalidOperationException), false)]
    public void OnlyALostConnectionIsRetriedOnANewSession(Type type, bool retried) =>
        Assert.Equal(retried, ImapConnector.IsConnectionLoss((Exception)Activator.CreateInstance(type)!));
}
