using Microsoft.Extensions.Logging;

namespace OpenUM.Delivery.Mailboxes.Imap;

/// <summary>
/// The changes of the IMAP store (plan: watched mailboxes pushed, all resynced, the store's outages shared):
/// <list type="bullet">
/// <item>The first <see cref="ImapWatchOptions.MaxWatchedMailboxes"/> watched mailboxes each hold an <see cref="ImapWatcher"/>
/// (IDLE, NOTIFY when offered); beyond that cap (event 2041) a mailbox is only resynced.</item>
/// <item>Every <see cref="ImapWatchOptions.ResyncInterval"/> every watched mailbox gets <see cref="MailboxChanged"/>, at most
/// <see cref="ImapWatchOptions.ResyncPerSecond"/> a second (the listener's recounts are what load the store).</item>
/// <item><see cref="DepositHint"/> schedules <see cref="MailboxChanged"/> at +2, +10 and +30 s.</item>
/// <item>The state is <see cref="ImapMessageStore"/>'s (2036/2037 are logged there, once per outage): when it fails the
/// watchers stop and one probe logs in again after 1, 2, 4 ... 60 s; when it answers the watchers start again and every
/// watched mailbox gets <see cref="MailboxChanged"/>, at the resync's rate.</item>
/// </list>
/// While no IMAP store is configured nothing connects; the watch list is kept. All timing is the <see cref="TimeProvider"/>'s.
/// </summary>
public sealed class ImapChangeFeed : IMailboxChangeFeed, IAsyncDisposable
{
    private readonly ImapMessageStore _store;
    private readonly Func<ImapSettings?> _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    // Insertion order: the first ones watched keep their connection when the cap is reached.
    private readonly Dictionary<string, string> _watched = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, ImapWatcher> _watchers = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<ITimer> _recounts = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _resync;
    private TaskCompletionSource _resyncNow = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MessageStoreState _state = MessageStoreState.Available;
    private Task _probe = Task.CompletedTask;
    private CancellationTokenSource? _probeStop;
    private bool _limitLogged;
    private int _idling;
    private bool _disposed;

    /// <summary>Watches <paramref name="store"/>'s mailboxes while <paramref name="settings"/> gives settings.</summary>
    public ImapChangeFeed(ImapMessageStore store, Func<ImapSettings?> settings, TimeProvider time, ILogger logger, ImapWatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        (_store, _settings, _time, _logger, Options) = (store, settings, time ?? TimeProvider.System, logger, options ?? new ImapWatchOptions());
        _store.AvailabilityChanged += OnAvailability;
        if (!_store.IsAvailable) OnAvailability(false);
        _resync = Task.Run(() => ResyncLoopAsync(_stop.Token));
    }

    /// <summary>The bounds in force.</summary>
    public ImapWatchOptions Options { get; }

    /// <inheritdoc />
    public event Action<string>? MailboxChanged;

    /// <inheritdoc />
    public event Action<MessageStoreState>? StateChanged;

    /// <inheritdoc />
    public MessageStoreState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>How many watched mailboxes hold a connection of their own now.</summary>
    public int Connections
    {
        get { lock (_gate) return _watchers.Count; }
    }

    /// <summary>How many watched mailboxes are in IDLE now (their changes are pushed; what a status page or a test can wait on).</summary>
    public int Idling => Volatile.Read(ref _idling);

    /// <inheritdoc />
    public void Watch(string emailAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(emailAddress);
        bool limited;
        lock (_gate)
        {
            if (_disposed || !_watched.TryAdd(emailAddress, emailAddress)) return;
            _order.Add(emailAddress);
            limited = _order.Count > Options.MaxWatchedMailboxes && !_limitLogged;
            _limitLogged |= limited;
            StartWatchersLocked();
        }
        if (limited) MailboxEvents.MessageStoreWatchLimited(_logger, Options.MaxWatchedMailboxes, Options.ResyncInterval.TotalSeconds);
    }

    /// <inheritdoc />
    public void Unwatch(string emailAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(emailAddress);
        ImapWatcher? stopped;
        lock (_gate)
        {
            if (!_watched.Remove(emailAddress)) return;
            _order.RemoveAll(a => string.Equals(a, emailAddress, StringComparison.OrdinalIgnoreCase));
            if (_watchers.Remove(emailAddress, out stopped)) StartWatchersLocked(); // its connection goes to the next one waiting
            if (_order.Count <= Options.MaxWatchedMailboxes) _limitLogged = false; // logged again if the cap is reached again
        }
        if (stopped is not null) _ = stopped.StopAsync();
    }

    /// <inheritdoc />
    public void DepositHint(string emailAddress)
    {
        ArgumentException.ThrowIfNullOrEmpty(emailAddress);
        lock (_gate)
        {
            if (_disposed) return;
            foreach (var delay in Options.DepositRecounts)
            {
                if (_recounts.Count >= Options.MaxPendingRecounts) return; // the resync counts it anyway
                ITimer? timer = null;
                timer = _time.CreateTimer(_ =>
                {
                    lock (_gate)
                    {
                        if (!_recounts.Remove(timer!)) return; // disposed meanwhile
                    }
                    timer!.Dispose();
                    if (State == MessageStoreState.Available) Listeners.Raise(MailboxChanged, emailAddress);
                }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _recounts.Add(timer);
                timer.Change(delay, Timeout.InfiniteTimeSpan); // armed once in the set, so its callback finds it there
            }
        }
    }

    /// <summary>Runs a resync pass now (as after an outage): every watched mailbox gets <see cref="MailboxChanged"/> at the resync's rate.</summary>
    public void ResyncNow() => Volatile.Read(ref _resyncNow).TrySetResult();

    // Starts a watcher for each of the first MaxWatchedMailboxes addresses that has none, when connecting makes sense.
    private void StartWatchersLocked()
    {
        if (_disposed || _state != MessageStoreState.Available || _settings() is null) return;
        foreach (var address in _order)
        {
            if (_watchers.Count >= Options.MaxWatchedMailboxes) break;
            if (_watchers.ContainsKey(address)) continue;
            var watcher = new ImapWatcher(address, _store, _settings, Options, _time, a => Listeners.Raise(MailboxChanged, a),
                d => Interlocked.Add(ref _idling, d));
            _watchers.Add(address, watcher);
            watcher.Start();
        }
    }

    private List<ImapWatcher> TakeWatchersLocked()
    {
        var all = _watchers.Values.ToList();
        _watchers.Clear();
        return all;
    }

    private void OnAvailability(bool available)
    {
        List<ImapWatcher> stopped = [];
        CancellationTokenSource? probeStop;
        lock (_gate)
        {
            var next = available ? MessageStoreState.Available : MessageStoreState.Unavailable;
            if (_disposed || _state == next) return;
            _state = next;
            probeStop = _probeStop;
            _probeStop = null;
            if (available)
            {
                StartWatchersLocked();
            }
            else
            {
                stopped = TakeWatchersLocked();
                _probeStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var token = _probeStop.Token;
                _probe = Task.Run(() => ProbeAsync(token));
            }
        }
        if (probeStop is not null)
        {
            probeStop.Cancel(); // the probe that just succeeded, or an old one
            probeStop.Dispose();
        }
        foreach (var watcher in stopped) _ = watcher.StopAsync();
        Listeners.Raise(StateChanged, available ? MessageStoreState.Available : MessageStoreState.Unavailable);
        if (available) ResyncNow(); // the lamps are put right: every watched mailbox is counted again
    }

    // One login after 1, 2, 4 ... 60 s, as a watched mailbox (a master login needs one); success is the store's
    // AvailabilityChanged(true). Without a watched mailbox it waits: any successful call puts the state right as well.
    private async Task ProbeAsync(CancellationToken ct)
    {
        for (int attempt = 0; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(ImapWatchOptions.Backoff(attempt, Options.MaxProbeInterval), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            string? address;
            lock (_gate) address = _order.FirstOrDefault();
            if (_settings() is not { } settings || address is null) continue;
            try
            {
                using var client = await _store.ConnectAsync(settings, address, ct).ConfigureAwait(false);
                client.Disconnect(quit: false); // a probe: the login was the question
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Still down (MessageStoreUnavailableException, logged once by the store); a refusal of only this
                // mailbox counts as an answer there and ends the outage.
            }
        }
    }

    private async Task ResyncLoopAsync(CancellationToken ct)
    {
        var spacing = TimeSpan.FromSeconds(1.0 / Math.Max(1, Options.ResyncPerSecond));
        ImapSettings? last = _settings();
        while (!ct.IsCancellationRequested)
        {
            var now = Volatile.Read(ref _resyncNow);
            try
            {
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    await Task.WhenAny(now.Task, Task.Delay(Options.ResyncInterval, _time, wait.Token)).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false); // no timer left behind when woken early
                }
                ct.ThrowIfCancellationRequested();
                Interlocked.CompareExchange(ref _resyncNow, new(TaskCreationOptions.RunContinuationsAsynchronously), now);
                RestartIfSettingsChanged(ref last);
                string[] addresses;
                lock (_gate) addresses = [.. _order];
                foreach (var address in addresses)
                {
                    if (State != MessageStoreState.Available || _settings() is null) break;
                    Listeners.Raise(MailboxChanged, address);
                    await Task.Delay(spacing, _time, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    // Another host, login or folder: the sessions of the old settings end and new ones start (no restart of the server).
    private void RestartIfSettingsChanged(ref ImapSettings? last)
    {
        var current = _settings();
        if (Equals(current, last))
        {
            lock (_gate) StartWatchersLocked(); // settings that appeared while the list was kept
            return;
        }
        last = current;
        List<ImapWatcher> stopped;
        lock (_gate)
        {
            stopped = TakeWatchersLocked();
            StartWatchersLocked();
        }
        foreach (var watcher in stopped) _ = watcher.StopAsync();
    }

    /// <summary>Stops every watcher (DONE, LOGOUT, then the connection is cut), the probe, the resync and pending recounts.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ImapWatcher> stopped;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            stopped = TakeWatchersLocked();
            foreach (var timer in _recounts) timer.Dispose();
            _recounts.Clear();
        }
        _store.AvailabilityChanged -= OnAvailability;
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(stopped.Select(w => w.StopAsync())).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_resync, _probe).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Both end their own failures; cancellation is how they were asked to stop.
        }
        _stop.Dispose();
    }
}
