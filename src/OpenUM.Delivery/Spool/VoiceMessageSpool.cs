using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenUM.Delivery.Spool;

/// <summary>
/// The durable hand-off between a call and delivery (DLV-1), in the way of a mail queue: a recording's description is
/// written when the recording starts (<see cref="BeginAsync"/>), its audio beside it while the call runs, and both stay
/// until the sink (maildir or SMTP outbox) has the message. Nothing is dropped: a recording cut short by a full disk is
/// delivered marked incomplete, one interrupted by a crash is delivered at the next start, and a delivery that fails
/// (for lack of space or otherwise) is retried every <see cref="RetryInterval"/>, or as soon as space returns.
/// </summary>
public sealed class VoiceMessageSpool : IVoiceMessageSpool, IAsyncDisposable
{
    /// <summary>How often pending messages are retried unless told otherwise.</summary>
    public static readonly TimeSpan DefaultRetryInterval = TimeSpan.FromMinutes(1);

    // While messages wait for space, free space is looked at this often (one statvfs) so they leave within seconds of
    // an operator making room, not up to a retry interval later.
    private static readonly TimeSpan SpaceCheckInterval = TimeSpan.FromSeconds(5);
    private const string Interrupted = "the recording was interrupted: the server stopped before it was handed over";
    private const string NoDescription = "found in the spool without a readable description: the caller and the mailbox it was for are unknown";

    private readonly SpoolFiles _files;
    private readonly IVoiceMessageSink _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string? _orphanRecipient;
    private readonly ConcurrentDictionary<string, Item> _items = new(StringComparer.Ordinal);
    // Ids removed since the current scan listed the directory: a listing that still showed them must not revive them.
    private readonly ConcurrentDictionary<string, byte> _removed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pass = new(1, 1);
    private bool _temporariesCleaned;
    private CancellationTokenSource? _loopStop;
    private Task? _loop;

    /// <summary>
    /// Uses <paramref name="directory"/> (created owner-only) as the spool and <paramref name="sink"/> to deliver, retrying
    /// every <paramref name="retryInterval"/> (default one minute). A recording found without a readable description (left
    /// by an older version or a crash) goes to <paramref name="orphanRecipient"/> (the postmaster), or stays for the
    /// operator when there is none.
    /// </summary>
    public VoiceMessageSpool(string directory, IVoiceMessageSink sink, ILogger logger, TimeSpan? retryInterval = null, TimeProvider? time = null,
        string? orphanRecipient = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(logger);
        RetryInterval = retryInterval ?? DefaultRetryInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryInterval, TimeSpan.Zero, nameof(retryInterval));
        (_files, _sink, _logger, _time, _orphanRecipient) = (new SpoolFiles(directory), sink, logger, time ?? TimeProvider.System, orphanRecipient);
    }

    /// <summary>The spool directory.</summary>
    public string Directory => _files.Directory;

    /// <summary>How long the retry loop waits between passes over pending messages.</summary>
    public TimeSpan RetryInterval { get; }

    /// <summary>Messages handed over and not yet delivered (in this process's knowledge).</summary>
    public int PendingCount => _items.Values.Count(i => i.State == SpoolState.Recorded);

    /// <summary>Called at each durable step (tests take a copy of the disk there: what a crash at that point leaves).</summary>
    internal Action<string>? Checkpoint { get; set; }

    /// <inheritdoc />
    public async Task<SpooledRecording> BeginAsync(VoiceMessage description)
    {
        ArgumentNullException.ThrowIfNull(description);
        // Version 7 GUIDs sort by time, so pending messages are retried oldest first; the id reveals nothing of the call.
        string id = Guid.CreateVersion7(_time.GetUtcNow()).ToString("N");
        var message = description with { AudioPath = _files.AudioPath(id), DeliveryKey = id, Duration = TimeSpan.Zero, Truncated = null };
        var item = new Item(id, message, SpoolState.Recording);
        _items[id] = item;
        try
        {
            await _files.WriteAsync(id, new SpoolEntry(SpoolState.Recording, message), Checkpoint).ConfigureAwait(false);
            item.OnDisk = true;
            Checkpoint?.Invoke("described");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever the cause (a sick disk mostly), the description stays in memory: the call goes on.
            item.DescriptionError = StorageErrors.Describe(e);
            ReportStorageFailure(e);
            SpoolEvents.NotSpooled(_logger, message.CalledExtension, message.CallId, StorageErrors.Describe(e), message.AudioPath);
        }
        return new SpooledRecording(id, message.AudioPath);
    }

    /// <summary>
    /// A write to the spool or to the message's destination failed on the storage (full, read-only, I/O error), so
    /// whoever watches the disk can look again at once rather than at its next tick.
    /// </summary>
    public event Action? StorageFailed;

    private void ReportStorageFailure(Exception e)
    {
        if (StorageErrors.IsStorage(e)) StorageFailed?.Invoke();
    }

    /// <inheritdoc />
    public async Task SubmitAsync(SpooledRecording recording, RecordingOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(outcome);
        if (!_items.TryGetValue(recording.Id, out var item) || item.State != SpoolState.Recording)
            return;
        if (outcome.Duration <= TimeSpan.Zero && outcome.Truncated is null)
        {
            // The caller hung up at the beep: no message, and nothing left behind.
            TryRemove(item);
            return;
        }
        item.Message = item.Message with { Duration = outcome.Duration, Truncated = outcome.Truncated };
        if (outcome.Truncated is { } truncated)
            SpoolEvents.Incomplete(_logger, item.Message.CalledExtension, item.Message.CallerId, item.Message.CallId, truncated, outcome.Duration.TotalSeconds);
        try
        {
            await _files.WriteAsync(item.Id, new SpoolEntry(SpoolState.Recorded, item.Message), Checkpoint).ConfigureAwait(false);
            item.OnDisk = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The description written at the start still stands on disk (after a crash: an interrupted recording,
            // delivered marked so), or BeginAsync said it could not be written; the length and completeness wait
            // here until delivery.
            item.DescriptionError ??= StorageErrors.Describe(e);
            ReportStorageFailure(e);
        }
        // Only now may a retry pass pick it up: it must not deliver and remove the files while they are being written.
        item.State = SpoolState.Recorded;
        Checkpoint?.Invoke("handed-over");
        await TryDeliverAsync(item, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// One pass: finds descriptions left on disk (by a crash, or before this process), then tries to deliver every
    /// message handed over and not delivered yet. Concurrent calls return at once while a pass runs.
    /// </summary>
    public async Task RetryPendingAsync(CancellationToken ct)
    {
        if (!await _pass.WaitAsync(0, ct).ConfigureAwait(false)) return;
        try
        {
            Scan();
            foreach (var item in _items.Values.Where(i => i.State == SpoolState.Recorded).OrderBy(i => i.Id, StringComparer.Ordinal).ToList())
            {
                ct.ThrowIfCancellationRequested();
                await TryDeliverAsync(item, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>
    /// Starts the retry loop: a first pass at once (what a previous run left), then <paramref name="afterFirstPass"/>
    /// (the SMTP worker starts after it, so that a message queued just before a crash is recognised, not queued
    /// twice), then a pass every <see cref="RetryInterval"/>, or sooner when messages wait for space and it returns.
    /// </summary>
    public void Start(Action? afterFirstPass = null)
    {
        if (_loop is not null) throw new InvalidOperationException("The spool's retry loop is already running.");
        _loopStop = new CancellationTokenSource();
        var ct = _loopStop.Token;
        _loop = Task.Run(() => LoopAsync(afterFirstPass, ct), CancellationToken.None);
    }

    /// <summary>
    /// Stops the retry loop (messages stay on disk for the next start). A message not delivered whose description never
    /// reached the disk cannot be found by the next start: it is reported lost (event 2066), never dropped in silence.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_loopStop is not null)
        {
            await _loopStop.CancelAsync().ConfigureAwait(false);
            if (_loop is not null) await _loop.ConfigureAwait(false);
            _loopStop.Dispose();
            (_loopStop, _loop) = (null, null);
        }
        foreach (var item in _items.Values.Where(i => !i.OnDisk && !i.Delivered).OrderBy(i => i.Id, StringComparer.Ordinal))
        {
            var m = item.Message;
            SpoolEvents.Lost(_logger, m.RecipientAddress, m.CalledExtension, m.CallerId, m.CallId,
                "the server stopped before it was delivered, and its description could not be written to the spool" +
                ((item.DescriptionError ?? item.LastError) is { } error ? " (" + error + ")" : "") +
                (_orphanRecipient is not null ? "; audio of it left in the spool goes to " + _orphanRecipient + " at the next start" : ""));
        }
    }

    private async Task LoopAsync(Action? afterFirstPass, CancellationToken ct)
    {
        try
        {
            try
            {
                await PassAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                if (!ct.IsCancellationRequested) afterFirstPass?.Invoke();
            }
            while (true)
            {
                await WaitForNextPassAsync(ct).ConfigureAwait(false);
                await PassAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task PassAsync(CancellationToken ct)
    {
        try
        {
            await RetryPendingAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The spool directory itself could not be read (gone, unreadable): said once per pass, tried again next time.
            SpoolEvents.DeliveryFailed(_logger, "?", "?", Directory, "the spool could not be read: " + e.Message);
        }
    }

    private async Task WaitForNextPassAsync(CancellationToken ct)
    {
        long start = _time.GetTimestamp();
        while (true)
        {
            var remaining = RetryInterval - _time.GetElapsedTime(start);
            if (remaining <= TimeSpan.Zero) return;
            // Woken every few seconds even when nothing waits for space: a message that runs out of it may be handed
            // over at any time during this wait (a look at the items costs nothing; statvfs only when one waits).
            await Task.Delay(remaining > SpaceCheckInterval ? SpaceCheckInterval : remaining, _time, ct).ConfigureAwait(false);
            long needed = SpaceNeeded();
            if (needed > 0 && FreeBytes() >= needed) return;
        }
    }

    // The least space a message waiting for space needs: when that much is free, a pass is worth it.
    private long SpaceNeeded()
    {
        long needed = 0;
        foreach (var item in _items.Values)
        {
            if (item.SpaceNeeded > 0 && (needed == 0 || item.SpaceNeeded < needed)) needed = item.SpaceNeeded;
        }
        return needed;
    }

    private long FreeBytes()
    {
        try
        {
            return new DriveInfo(Directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }

    // Descriptions on disk that this process does not know: left by a previous run (or a crash). A description of a
    // recording still "Recording" was interrupted and is delivered marked so; audio without a readable description
    // is an orphan (AdoptOrphan); an unreadable description without audio is reported once and kept for the operator.
    private void Scan()
    {
        _removed.Clear();
        if (!_temporariesCleaned)
        {
            _files.DeleteTemporaries(id => _items.ContainsKey(id));
            _temporariesCleaned = true;
        }
        var described = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in _files.EntryIds())
        {
            described.Add(id);
            if (_items.ContainsKey(id) || _removed.ContainsKey(id)) continue;
            SpoolEntry? entry;
            string? unreadable = null;
            try
            {
                entry = SpoolFiles.Read(_files.JsonPath(id));
            }
            catch (FileNotFoundException)
            {
                continue; // delivered and removed meanwhile
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                (entry, unreadable) = (null, e.Message);
            }
            if (entry?.Message is not { } message)
            {
                // With its audio, an orphan (below); without, there is nothing to deliver and nothing to know it by.
                if (File.Exists(_files.AudioPath(id)))
                    described.Remove(id);
                else if (_reported.TryAdd(id, 0))
                    SpoolEvents.DeliveryFailed(_logger, "?", "?", _files.JsonPath(id),
                        "unreadable spool entry without audio, kept for the operator: " + (unreadable ?? "not a voice message description"));
                continue;
            }
            message = message with { AudioPath = _files.AudioPath(id), DeliveryKey = message.DeliveryKey ?? id };
            if (entry.State == SpoolState.Recording)
                message = message with { Truncated = Interrupted };
            var item = new Item(id, message, SpoolState.Recorded) { OnDisk = true, Recovered = true };
            if (_items.TryAdd(id, item) && entry.State == SpoolState.Recording)
                SpoolEvents.Incomplete(_logger, message.CalledExtension, message.CallerId, message.CallId, Interrupted,
                    SpooledAudio.DurationOf(message.AudioPath).TotalSeconds);
        }
        foreach (string id in _files.AudioIds())
        {
            if (described.Contains(id) || _items.ContainsKey(id) || _removed.ContainsKey(id)) continue;
            AdoptOrphan(id);
        }
    }

    // Audio without a description: an older version wrote the description only after the recording, and a crash (or a
    // full disk) in between left the audio alone; a description can also be unreadable. The caller and the mailbox are
    // unknown, so the recording goes to the postmaster, marked incomplete; without one it stays for the operator.
    private void AdoptOrphan(string id)
    {
        string audio = _files.AudioPath(id);
        if (_orphanRecipient is null)
        {
            if (_reported.TryAdd(id, 0))
                SpoolEvents.DeliveryFailed(_logger, "?", "?", audio, "a recording without a description (its recipient is unknown); it is kept for the operator");
            return;
        }
        DateTimeOffset written;
        try
        {
            written = File.GetLastWriteTimeUtc(audio);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // gone meanwhile; the next pass looks again
        }
        // The same ReceivedAt and DeliveryKey at every start, so that a delivery a crash interrupted is recognised.
        var message = new VoiceMessage(_orphanRecipient, "Postmaster", "", null, "", written, TimeSpan.Zero, audio, "spool-" + id)
        {
            Truncated = NoDescription,
            DeliveryKey = id,
        };
        if (_items.TryAdd(id, new Item(id, message, SpoolState.Recorded) { OnDisk = true, Recovered = true }))
            SpoolEvents.OrphanFound(_logger, audio, SpooledAudio.DurationOf(audio).TotalSeconds, _orphanRecipient);
    }

    private async Task TryDeliverAsync(Item item, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref item.Busy, 1) == 1) return;
        try
        {
            if (!item.Delivered)
            {
                var message = SpooledAudio.ForDelivery(item.Message);
                string? where = null;
                if (item.Recovered)
                {
                    // Found on disk at start: the crash may have come after the sink took it and before the spool forgot it.
                    where = await _sink.FindDeliveredAsync(message, ct).ConfigureAwait(false);
                    item.Recovered = where is not null;
                }
                where ??= await _sink.DeliverAsync(message, ct).ConfigureAwait(false);
                Checkpoint?.Invoke("delivered");
                item.Delivered = true;
                item.SpaceNeeded = 0;
                if (item.Attempts > 0)
                    SpoolEvents.DeliveredAfterRetry(_logger, message.CalledExtension, message.CallerId, message.Duration.TotalSeconds, where, item.Attempts, message.CallId);
                else
                    SpoolEvents.Delivered(_logger, message.CalledExtension, message.CallerId, message.Duration.TotalSeconds, where, message.CallId);
            }
            Remove(item);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            if (item.Delivered)
                return; // the message is delivered; its files go at the next pass (or the next start recognises it)
            string error = StorageErrors.Describe(e);
            ReportStorageFailure(e);
            item.SpaceNeeded = StorageErrors.IsOutOfSpace(e) ? SpooledAudio.SpaceToDeliver(item.Message.AudioPath) : 0;
            item.Attempts++;
            // Once per message and cause: a disk full for an hour must not write a line per message per minute.
            if (!string.Equals(item.LastError, error, StringComparison.Ordinal))
                SpoolEvents.SpooledForRetry(_logger, item.Message.CalledExtension, item.Message.CallId, error, item.Message.AudioPath, RetryInterval);
            item.LastError = error;
        }
        finally
        {
            Volatile.Write(ref item.Busy, 0);
        }
    }

    private void Remove(Item item)
    {
        _files.Remove(item.Id, Checkpoint);
        _removed[item.Id] = 0;
        _items.TryRemove(item.Id, out _);
    }

    private void TryRemove(Item item)
    {
        try
        {
            Remove(item);
        }
        catch (Exception e) when (StorageErrors.IsStorage(e))
        {
            // Left on disk; should it be found at a start, it is an interrupted recording and delivered as such.
            _removed[item.Id] = 0;
            _items.TryRemove(item.Id, out _);
        }
    }

    private sealed class Item(string id, VoiceMessage message, SpoolState state)
    {
        public string Id { get; } = id;
        public VoiceMessage Message { get; set; } = message;
        public volatile SpoolState State = state;
        // A description of it is on disk: a restart finds it (without one, only this process knows the message).
        public volatile bool OnDisk;
        public bool Recovered;
        public int Attempts;
        public volatile bool Delivered;
        public int Busy;
        public string? LastError;
        public string? DescriptionError;
        public long SpaceNeeded;
    }
}
