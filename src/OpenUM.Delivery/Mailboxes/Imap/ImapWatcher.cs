using MailKit;
using MailKit.Net.Imap;

namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>
/// One watched mailbox's own IMAP session: the folder selected read-only, NOTIFY (RFC 5465) for the selected folder
/// when the server offers it, then IDLE (RFC 2177), ended and issued again every <see cref="ImapWatchOptions.IdleRefresh"/>.
/// MailKit's client is not re-entrant, so its events only set a flag and end the IDLE; the loop then reports the change
/// and idles again. A lost session is opened again (at once the first time, then with backoff); a connection that
/// cannot be made is the store's failure, logged and shared by <see cref="ImapMessageStore"/>, after which the feed
/// stops this watcher until the store answers again. A server without IDLE leaves the mailbox to the resync.
/// </summary>
internal sealed class ImapWatcher
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);
    private readonly ImapMessageStore _store;
    private readonly Func<ImapSettings?> _settings;
    private readonly ImapWatchOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<string> _changed;
    private readonly Action<int> _idling;
    private readonly CancellationTokenSource _soft = new();
    private readonly CancellationTokenSource _hard = new();
    private CancellationTokenSource? _done;
    private int _dirty;
    private bool _idled;
    private Task _loop = Task.CompletedTask;

    /// <summary>A watcher reporting changes to <paramref name="changed"/> and entering (+1) and leaving (-1) IDLE to <paramref name="idling"/>.</summary>
    public ImapWatcher(string address, ImapMessageStore store, Func<ImapSettings?> settings, ImapWatchOptions options, TimeProvider time,
        Action<string> changed, Action<int> idling)
    {
        (Address, _store, _settings, _options, _time, _changed, _idling) = (address, store, settings, options, time, changed, idling);
    }

    /// <summary>The watched e-mail address, as given to <see cref="ImapChangeFeed.Watch"/>.</summary>
    public string Address { get; }

    /// <summary>Starts the loop.</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_soft.Token));

    /// <summary>Ends the IDLE politely (DONE, LOGOUT); after a short grace the connection is cut. Never throws.</summary>
    public async Task StopAsync()
    {
        await _soft.CancelAsync().ConfigureAwait(false);
        // Real time: a bound on shutdown, not part of what the feed does.
        if (await Task.WhenAny(_loop, Task.Delay(StopGrace)).ConfigureAwait(false) != _loop)
            await _hard.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop ends its own failures; a cut connection at shutdown is expected.
        }
        _soft.Dispose();
        _hard.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        int failures = 0;
        while (!stop.IsCancellationRequested)
        {
            if (_settings() is not { } settings) return; // no IMAP store any more: the feed starts watchers again when there is one
            _idled = false;
            try
            {
                bool completed = await WatchAsync(settings, stop).ConfigureAwait(false);
                if (!completed) return; // no IDLE: resync only
                failures = 0;
            }
            catch (MessageStoreUnavailableException) when (!_store.IsAvailable)
            {
                return; // the store's outage (already logged): the feed probes and starts watchers again
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ImapConnector.IsConnectionLoss(e) && (failures == 0 || _idled))
            {
                // The server closed a session that worked (restart, idle time-out): open it again at once.
                failures = 0;
            }
            catch (Exception e)
            {
                // Again (a second loss in a row is the store's trouble: 2036, and the feed stops this watcher), or one
                // mailbox's trouble (2038 logged by the store, a refused command): try again later, with backoff.
                if (_idled) failures = 0;
                if (e is not MessageStoreUnavailableException) _ = _store.Failed(settings, Address, ImapPhase.Command, e);
                if (!_store.IsAvailable) return;
                try
                {
                    await Task.Delay(ImapWatchOptions.Backoff(failures, _options.ResyncInterval), _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            failures++;
        }
    }

    /// <summary>One session: true when it ended because the watcher stops; false when the server cannot IDLE.</summary>
    private async Task<bool> WatchAsync(ImapSettings settings, CancellationToken stop)
    {
        using var client = await _store.ConnectAsync(settings, Address, _hard.Token).ConfigureAwait(false);
        IMailFolder folder;
        try
        {
            folder = string.Equals(settings.Folder, "INBOX", StringComparison.OrdinalIgnoreCase)
                ? client.Inbox
                : await client.GetFolderAsync(settings.Folder, _hard.Token).ConfigureAwait(false);
            await folder.OpenAsync(FolderAccess.ReadOnly, _hard.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FolderNotFoundException or ImapCommandException)
        {
            throw _store.Failed(settings, Address, ImapPhase.Open, e); // 2038, hourly per address
        }
        folder.CountChanged += OnChange;
        folder.MessageFlagsChanged += OnChange;
        folder.MessageExpunged += OnChange;
        folder.MessagesVanished += OnChange;
        try
        {
            if (!client.Capabilities.HasFlag(ImapCapabilities.Idle)) return false;
            if (client.Capabilities.HasFlag(ImapCapabilities.Notify))
            {
                try
                {
                    await client.NotifyAsync(true, [new ImapEventGroup(ImapMailboxFilter.Selected,
                        [new ImapEvent.MessageNew(MessageSummaryItems.UniqueId), ImapEvent.MessageExpunge, ImapEvent.FlagChange])], _hard.Token).ConfigureAwait(false);
                }
                catch (ImapCommandException)
                {
                    // NOTIFY refused: plain IDLE reports the selected folder's changes as well.
                }
            }
            // Changes this session did not see are not known: made while it was away, or — on the first session too —
            // between the count the lamp was told and this SELECT. Count again; an unchanged count sends nothing.
            Volatile.Write(ref _dirty, 1);
            while (!stop.IsCancellationRequested)
            {
                if (Interlocked.Exchange(ref _dirty, 0) == 1) _changed(Address);
                using var done = new CancellationTokenSource(_options.IdleRefresh, _time);
                using var onStop = stop.Register(static d => ((CancellationTokenSource)d!).Cancel(), done);
                Volatile.Write(ref _done, done);
                if (Volatile.Read(ref _dirty) == 1) done.Cancel(); // a change between the report and now
                _idling(1);
                try
                {
                    await client.IdleAsync(done.Token, _hard.Token).ConfigureAwait(false);
                }
                finally
                {
                    _idling(-1);
                    Volatile.Write(ref _done, null);
                }
                _idled = true;
            }
            await LogoutAsync(client).ConfigureAwait(false);
            return true;
        }
        finally
        {
            folder.CountChanged -= OnChange;
            folder.MessageFlagsChanged -= OnChange;
            folder.MessageExpunged -= OnChange;
            folder.MessagesVanished -= OnChange;
        }
    }

    // Called by MailKit while it reads the server's answer: no command may be issued here, only the flag and DONE.
    private void OnChange(object? sender, EventArgs e)
    {
        Volatile.Write(ref _dirty, 1);
        try
        {
            Volatile.Read(ref _done)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That IDLE is over; the flag is seen before the next one.
        }
    }

    private async Task LogoutAsync(ImapClient client)
    {
        using var quick = CancellationTokenSource.CreateLinkedTokenSource(_hard.Token);
        quick.CancelAfter(StopGrace);
        try
        {
            await client.DisconnectAsync(quit: true, quick.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ImapProtocolException or ImapCommandException or OperationCanceledException or ServiceNotConnectedException)
        {
            // LOGOUT is a courtesy; the connection is closed either way.
        }
    }
}
