using Microsoft.Extensions.Logging;
using OpenUM.Delivery;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;
using OpenUM.Security;

namespace OpenUM.Server;

/// <summary>
/// Voice message delivery of the service (DLV-2/DLV-3): the sink the call spool hands messages to (smart host
/// configured: the durable SMTP outbox; otherwise the local maildir) and the worker that submits the outbox.
/// </summary>
public sealed class SmtpDelivery : IAsyncDisposable
{
    /// <summary>Builds the outbox (finishing what a crash interrupted) and the worker; <paramref name="tls"/> gives the server certificate.</summary>
    public SmtpDelivery(DataDirectory data, string serverFqdn, Func<UmServer?> server, Func<TlsContext> tls, TimeProvider time, ILoggerFactory loggers)
    {
        SmartHostSettings? Settings() => SmartHostSettings.From(server());
        Outbox = new SmtpOutbox(data.Outbox, time);
        Outbox.Recover();
        Worker = new OutboxWorker(Outbox, Settings, new MailKitSubmitter(tls, serverFqdn, time), time, loggers.CreateLogger("OpenUM.Delivery"));
        Sink = new VoiceMessageRouter(Settings, Outbox, new MaildirSink(data.Maildir, time: time), "voicemail@" + serverFqdn, Worker.Wake);
    }

    /// <summary>Where the call spool delivers.</summary>
    public IVoiceMessageSink Sink { get; }
    /// <summary>The SMTP outbox.</summary>
    public SmtpOutbox Outbox { get; }
    /// <summary>The submitting worker.</summary>
    public OutboxWorker Worker { get; }

    /// <summary>Starts submitting (the queue a previous run left is resumed).</summary>
    public void Start() => Worker.Start();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Worker.DisposeAsync();
}
