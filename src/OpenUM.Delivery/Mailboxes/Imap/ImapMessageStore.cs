using MailKit.Net.Imap;
using Microsoft.Extensions.Logging;
using OpenUM.Security;

namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>
/// The voice messages in the users' real mailboxes on an IMAP server (Dovecot, Cyrus, Exchange...), reached by one
/// service identity. Each opened mailbox is one authenticated session, ended when the mailbox is disposed. Every failure
/// becomes <see cref="MessageStoreUnavailableException"/> (never an empty mailbox): a store that cannot be reached or
/// refuses the service login logs event 2036 once per outage and 2037 when it answers again; a mailbox the server will
/// not open logs 2038 (at most once an hour per address). The settings are read at each opening, so a change applies
/// from the next session on.
/// </summary>
public sealed class ImapMessageStore(Func<ImapSettings?> settings, Func<TlsContext> tls, TimeProvider time, ILogger logger) : IVoiceMessageStore
{
    private const int MaxRememberedAddresses = 1024;
    private static readonly TimeSpan NotInStoreInterval = TimeSpan.FromHours(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _notInStoreLogged = new(StringComparer.OrdinalIgnoreCase);
    private DateTimeOffset? _outageSince;

    /// <summary>Time-out of each IMAP command (and of the connection).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The store went away (false: the failure that logged 2036) or answers again (true: with 2037), once per transition:
    /// the change feed shares this state rather than keeping and logging its own. Raised outside the store's lock.
    /// </summary>
    internal event Action<bool>? AvailabilityChanged;

    /// <summary>False from a failure of the whole store (event 2036) until a login succeeds again (2037).</summary>
    public bool IsAvailable
    {
        get { lock (_gate) return _outageSince is null; }
    }

    /// <inheritdoc />
    public async ValueTask<IVoiceMailbox> OpenAsync(string emailAddress, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(emailAddress);
        var current = settings() ?? throw new MessageStoreUnavailableException("no IMAP store is configured (openum server set --imap-host)");
        var mailbox = new ImapMailbox(this, current, emailAddress);
        try
        {
            await mailbox.ConnectAsync(ct).ConfigureAwait(false);
            return mailbox;
        }
        catch
        {
            await mailbox.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<MessageCounts> CountAsync(string emailAddress, CancellationToken ct)
    {
        await using var mailbox = (ImapMailbox)await OpenAsync(emailAddress, ct).ConfigureAwait(false);
        return await mailbox.CountAsync(ct).ConfigureAwait(false);
    }

    /// <summary>An authenticated session for <paramref name="mailbox"/>; the store is known to answer once it returns.</summary>
    internal async Task<ImapClient> ConnectAsync(ImapSettings current, string mailbox, CancellationToken ct)
    {
        TlsContext context;
        try
        {
            context = tls();
        }
        catch (Exception e) when (e is CertificateStoreException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // No certificate store to take the TLS settings and trust from: nothing can be verified, so nothing is sent.
            throw Failed(current, mailbox, new ImapFailure(ImapFailureScope.Store, "no TLS context for the IMAP connection: " + e.Message), e);
        }

        ImapClient client;
        try
        {
            client = await ImapConnector.ConnectAsync(current, mailbox, context, time, Timeout, ct).ConfigureAwait(false);
        }
        catch (ImapFailureException e)
        {
            throw Failed(current, mailbox, e.Failure, e.InnerException ?? e);
        }
        Answered(current);
        return client;
    }

    /// <summary>Classifies <paramref name="error"/>, logs what it means for the store, and returns the exception for the caller.</summary>
    internal MessageStoreUnavailableException Failed(ImapSettings current, string mailbox, ImapPhase phase, Exception error) =>
        Failed(current, mailbox, ImapConnector.Classify(error, phase, null, current, mailbox, Timeout), error);

    private MessageStoreUnavailableException Failed(ImapSettings current, string mailbox, ImapFailure failure, Exception error)
    {
        switch (failure.Scope)
        {
            case ImapFailureScope.Store:
                bool first;
                lock (_gate)
                {
                    first = _outageSince is null;
                    _outageSince ??= time.GetUtcNow();
                }
                if (first)
                {
                    MailboxEvents.MessageStoreUnavailable(logger, current.Endpoint, failure.Reason);
                    Listeners.Raise(AvailabilityChanged, false);
                }
                break;
            case ImapFailureScope.Mailbox:
                Answered(current); // it answered, about this one mailbox
                if (ShouldLogNotInStore(mailbox)) MailboxEvents.MailboxNotInStore(logger, current.Endpoint, mailbox, failure.Reason);
                break;
        }
        return new MessageStoreUnavailableException(failure.Reason, error);
    }

    private void Answered(ImapSettings current)
    {
        DateTimeOffset? since;
        lock (_gate)
        {
            since = _outageSince;
            _outageSince = null;
        }
        if (since is not { } start) return;
        MailboxEvents.MessageStoreAvailable(logger, current.Endpoint, (time.GetUtcNow() - start).TotalSeconds);
        Listeners.Raise(AvailabilityChanged, true);
    }

    // Bounded: a mismatch for every address of a large directory cannot grow the table past MaxRememberedAddresses.
    private bool ShouldLogNotInStore(string mailbox)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_notInStoreLogged.TryGetValue(mailbox, out var last) && now - last < NotInStoreInterval) return false;
            if (_notInStoreLogged.Count >= MaxRememberedAddresses)
            {
                foreach (var old in _notInStoreLogged.Where(p => now - p.Value >= NotInStoreInterval).Select(p => p.Key).ToList())
                    _notInStoreLogged.Remove(old);
                if (_notInStoreLogged.Count >= MaxRememberedAddresses) _notInStoreLogged.Clear();
            }
            _notInStoreLogged[mailbox] = now;
            return true;
        }
    }
}
