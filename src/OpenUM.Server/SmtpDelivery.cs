using Microsoft.Extensions.Logging;
using OpenUM.Delivery;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Delivery.Smtp;
using OpenUM.Delivery.Spool;
using OpenUM.Directory;
using OpenUM.Security;

namespace OpenUM.Server;

/// <summary>
/// Voice message delivery of the service (DLV-1/2/3): the spool calls hand recordings to, with its retry loop, the sink
/// it delivers to (smart host configured: the durable SMTP outbox; otherwise the local maildir) and the worker that
/// submits the outbox.
/// </summary>
public sealed class SmtpDelivery : IAsyncDisposable
{
    /// <summary>Builds the outbox (finishing what a crash interrupted), the worker and the spool; <paramref name="tls"/> gives the server certificate.</summary>
    public SmtpDelivery(DataDirectory data, string serverFqdn, Func<UmServer?> server, Func<TlsContext> tls, TimeProvider time, ILoggerFactory loggers,
        TimeSpan? spoolRetryInterval = null)
    {
        SmartHostSettings? Settings() => SmartHostSettings.From(server());
        var logger = loggers.CreateLogger("OpenUM.Delivery");
        Outbox = new SmtpOutbox(data.Outbox, time);
        Outbox.Recover();
        ImapSettings? Imap() => ImapSettings.From(server());
        ImapStore = new ImapMessageStore(Imap, tls, time, logger);
        // What changes the messages of the store below is reported by the feed of the same store: deposits, heard and
        // deleted in the maildir by this process; pushes and outages of the IMAP store.
        var maildirChanges = new MaildirChangeFeed();
        ImapChanges = new ImapChangeFeed(ImapStore, Imap, time, logger);
        Changes = new MailboxChangeFeed(Imap, ImapChanges, Settings, maildirChanges);
        // A message the smart host accepted reaches the IMAP mailbox a little later (the mail server's own delivery).
        Worker = new OutboxWorker(Outbox, Settings, new MailKitSubmitter(tls, serverFqdn, time), time, logger)
        {
            Accepted = item => Changes.DepositHint(item.Recipient),
        };
        Sink = Router = new VoiceMessageRouter(Settings, Outbox, new MaildirSink(data.Maildir, time: time) { Changes = maildirChanges }, "voicemail@" + serverFqdn,
            Worker.Wake);
        // Read the users' real mailboxes when an IMAP store is configured (its TLS from the same context as the submitter's),
        // else where the router delivers, from the same setting.
        Messages = new VoiceMessageStore(Imap, ImapStore, Settings, new MaildirMessageStore(data.Maildir, maildirChanges));
        // A recording found without its description has no known recipient: RFC 5321 §4.5.1 says postmaster exists.
        Spool = new VoiceMessageSpool(data.Spool, Sink, logger, spoolRetryInterval, time, orphanRecipient: "postmaster@" + serverFqdn);
    }

    /// <summary>Where calls hand their recordings.</summary>
    public VoiceMessageSpool Spool { get; }
    /// <summary>Where subscribers' voice messages are read: the IMAP store when configured, else the maildir (empty mailboxes with only a smart host: the server keeps no copy).</summary>
    public IVoiceMessageStore Messages { get; }
    /// <summary>
    /// What message-waiting indication listens to: the changes of the store <see cref="Messages"/> reads (IMAP pushes and
    /// outages; maildir deposits, heard and deleted by this process; nothing with only a smart host).
    /// </summary>
    public IMailboxChangeFeed Changes { get; }
    /// <summary>The IMAP store's change feed (selected by <see cref="Changes"/> while an IMAP host is configured).</summary>
    public ImapChangeFeed ImapChanges { get; }
    /// <summary>The IMAP store (used by <see cref="Messages"/> while an IMAP host is configured).</summary>
    public ImapMessageStore ImapStore { get; }
    /// <summary>Where the spool delivers.</summary>
    public IVoiceMessageSink Sink { get; }
    /// <summary>The same path for messages the server writes itself (PIN reset notices).</summary>
    public VoiceMessageRouter Router { get; }
    /// <summary>The SMTP outbox.</summary>
    public SmtpOutbox Outbox { get; }
    /// <summary>The submitting worker.</summary>
    public OutboxWorker Worker { get; }

    /// <summary>
    /// Starts the spool's retry loop and, after its first pass over what a previous run left, the outbox worker (so a
    /// message queued just before a crash is recognised in the queue rather than queued again).
    /// </summary>
    public void Start() => Spool.Start(afterFirstPass: Worker.Start);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Spool.DisposeAsync().ConfigureAwait(false);
        await Worker.DisposeAsync().ConfigureAwait(false);
        await ImapChanges.DisposeAsync().ConfigureAwait(false);
    }
}
