using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace OpenUM.Delivery.Smtp;

/// <summary>
/// Submits due outbox items to the smart host, one session per pass, one message after the other. Session
/// failures (unreachable, certificate problems) keep every item and are reported once per change or minute;
/// message failures are retried with backoff (4xx) or dead-lettered (5xx, or 4xx past the expiry).
/// All timing comes from the <see cref="TimeProvider"/>, so tests drive it without sleeping.
/// </summary>
public sealed class OutboxWorker : IAsyncDisposable
{
    /// <summary>Meter name ("openum.outbox.dead_letters" is the counter to alert on).</summary>
    public const string MeterName = "OpenUM.Delivery";
    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_delivered = s_meter.CreateCounter<long>("openum.outbox.delivered", description: "Voice messages accepted by the smart host");
    private static readonly Counter<long> s_deadLetters = s_meter.CreateCounter<long>("openum.outbox.dead_letters", description: "Voice messages moved to the dead-letter folder");
    private static readonly Counter<long> s_failures = s_meter.CreateCounter<long>("openum.outbox.failures", description: "Failed submission attempts");
    private static readonly Histogram<double> s_latency = s_meter.CreateHistogram<double>("openum.outbox.latency", "ms", "Queued to accepted by the smart host");

    // The gauges read this worker's outbox, so they live on a meter that dies with it: on the shared static meter
    // a disposed worker's callbacks would stay registered, read a deleted folder and throw into every collection.
    private readonly Meter _gauges = new(MeterName);
    private readonly SmtpOutbox _outbox;
    private readonly Func<SmartHostSettings?> _settings;
    private readonly ISmtpSubmitter _submitter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random? _random;
    private TaskCompletionSource _wake = NewSignal();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private string? _lastSessionProblem;
    private DateTimeOffset _lastSessionReport;
    private DateTimeOffset _lastWaitingReport = DateTimeOffset.MinValue;
    private string? _lastLoopFailure;
    private DateTimeOffset _lastLoopFailureReport;
    private int _unreportedLoopFailures;

    /// <summary>Creates the worker; <paramref name="settings"/> is read at every pass (configuration changes apply at once).</summary>
    public OutboxWorker(SmtpOutbox outbox, Func<SmartHostSettings?> settings, ISmtpSubmitter submitter, TimeProvider time, ILogger logger, Random? random = null)
    {
        (_outbox, _settings, _submitter, _time, _logger, _random) = (outbox, settings, submitter, time, logger, random);
        Queued = _gauges.CreateObservableGauge("openum.outbox.queued", QueuedGauge, description: "Voice messages waiting in the outbox");
        // Read at each scrape only: the age of the oldest queued item is what says the outbox is stuck.
        OldestAge = _gauges.CreateObservableGauge("openum.outbox.oldest_age", OldestAgeGauge,
            unit: "s", description: "Age of the oldest voice message waiting in the outbox (absent when it is empty)");
    }

    /// <summary>This worker's queue length gauge (tests collect from it: other workers of the process have their own).</summary>
    internal ObservableGauge<int> Queued { get; }

    /// <summary>This worker's oldest-item age gauge.</summary>
    internal ObservableGauge<double> OldestAge { get; }

    // A scrape reads the disk: a folder that cannot be read gives no value rather than an exception that would fail
    // the whole collection (every other instrument with it).
    private IEnumerable<Measurement<int>> QueuedGauge()
    {
        try
        {
            return [new(System.IO.Directory.EnumerateFiles(_outbox.QueuePath, "*.json").Count())];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private IEnumerable<Measurement<double>> OldestAgeGauge()
    {
        try
        {
            return _outbox.Queued() is [var oldest, ..] ? [new(Math.Max(0, (_time.GetUtcNow() - oldest.QueuedAt).TotalSeconds))] : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Told of every item the smart host accepted (after it is recorded), e.g. so that the recipient's mailbox is counted
    /// again once the mail server has stored it; a listener that throws does not disturb delivery.
    /// </summary>
    public Action<OutboxItem>? Accepted { get; init; }

    /// <summary>How long the loop sleeps at most between two looks at the queue (picks up `openum outbox retry`).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Starts the background loop (the queue left by a previous run is resumed at once).</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>A new item was queued: look now rather than at the next poll.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            // A fresh signal before the pass: a Wake during the pass completes it, so the wait below ends at once.
            var signal = NewSignal();
            Interlocked.Exchange(ref _wake, signal);
            DateTimeOffset? next;
            try
            {
                next = await ProcessDueAsync(ct).ConfigureAwait(false);
                _lastLoopFailure = null;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A disk error must not stop delivery for good: items stay on disk and are tried again.
                ReportLoopFailure(e);
                next = null;
            }
            var wait = PollInterval;
            if (next is { } due) wait = TimeSpan.FromTicks(Math.Clamp((due - _time.GetUtcNow()).Ticks, 0, PollInterval.Ticks));
            if (wait <= TimeSpan.Zero) continue;
            using var delay = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(signal.Task, Task.Delay(wait, _time, delay.Token)).ConfigureAwait(false);
            await delay.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Event 2025 for a failed pass, once per distinct failure and then at most once a minute while it repeats: the
    /// loop retries every poll interval, and a lasting cause (no descriptor left, a read-only disk) must not write a
    /// stack trace every two seconds into a log that may be what is filling the disk.
    /// </summary>
    internal void ReportLoopFailure(Exception e)
    {
        string problem = e.GetType().FullName + ": " + e.Message;
        var now = _time.GetUtcNow();
        if (problem == _lastLoopFailure && now - _lastLoopFailureReport < TimeSpan.FromMinutes(1))
        {
            _unreportedLoopFailures++;
            return;
        }
        _logger.LogError(2025, e, "The SMTP outbox worker failed; it tries again shortly ({Repeated} earlier failures not reported)",
            _unreportedLoopFailures);
        (_lastLoopFailure, _lastLoopFailureReport, _unreportedLoopFailures) = (problem, now, 0);
    }

    /// <summary>One pass: submits every due item; returns when the next item is due (null: nothing queued).</summary>
    public async Task<DateTimeOffset?> ProcessDueAsync(CancellationToken ct)
    {
        var queued = _outbox.Queued();
        if (queued.Count == 0) return null;
        var settings = _settings();
        var now = _time.GetUtcNow();
        if (settings is null)
        {
            if (now - _lastWaitingReport >= TimeSpan.FromMinutes(10))
            {
                DeliveryEvents.WaitingForSmartHost(_logger, queued.Count);
                _lastWaitingReport = now;
            }
            return null;
        }

        var due = queued.Where(i => i.NextAttemptAt <= now).ToList();
        if (due.Count == 0) return queued.Min(i => i.NextAttemptAt);
        var policy = new RetryPolicy(settings.RetryInterval, settings.MaxRetryInterval, _random);

        ISmtpSession session;
        try
        {
            session = await _submitter.OpenAsync(settings, ct).ConfigureAwait(false);
        }
        catch (SmtpSessionException e)
        {
            await SessionFailedAsync(settings, policy, e.Failure, due, queued.Count, ct).ConfigureAwait(false);
            return NextDue();
        }

        await using (session.ConfigureAwait(false))
        {
            for (int i = 0; i < due.Count; i++)
            {
                var item = due[i];
                MimeMessage? loaded;
                try
                {
                    loaded = await _outbox.LoadMessageAsync(item, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    // One unreadable item must not stop every item queued behind it: set it aside, loudly.
                    string reason = $"the stored message cannot be read: {e.Message}";
                    await _outbox.DeadLetterAsync(item, reason, ct).ConfigureAwait(false);
                    s_deadLetters.Add(1);
                    DeliveryEvents.DeadLettered(_logger, item.Id, item.Recipient, item.CallId, _outbox.DeadPath, reason);
                    continue;
                }
                using var message = loaded;
                if (message is null) continue; // purged meanwhile
                string reply;
                try
                {
                    reply = await session.SendAsync(message, item.Sender, item.Recipient, ct).ConfigureAwait(false);
                }
                catch (SmtpSessionException e)
                {
                    s_failures.Add(1);
                    if (e.Failure.AffectsSession || !session.IsConnected)
                    {
                        await SessionFailedAsync(settings, policy, e.Failure, due.Skip(i).ToList(), queued.Count, ct).ConfigureAwait(false);
                        break;
                    }
                    await MessageFailedAsync(settings, policy, item, e.Failure, ct).ConfigureAwait(false);
                    continue;
                }
                // The outcome is recorded before anything else: from here on, a crash cannot submit this item again.
                _outbox.RecordDelivered(item);
                Delivered(settings, item, reply);
                Mailboxes.Listeners.Raise(Accepted, item);
            }
        }
        return NextDue();
    }

    private DateTimeOffset? NextDue()
    {
        var queued = _outbox.Queued();
        return queued.Count == 0 ? null : queued.Min(i => i.NextAttemptAt);
    }

    private void Delivered(SmartHostSettings settings, OutboxItem item, string reply)
    {
        double latency = (_time.GetUtcNow() - item.QueuedAt).TotalMilliseconds;
        if (_lastSessionProblem is not null)
        {
            DeliveryEvents.Recovered(_logger, settings.Endpoint);
            _lastSessionProblem = null;
        }
        s_delivered.Add(1);
        s_latency.Record(latency);
        DeliveryEvents.Submitted(_logger, item.Id, item.Recipient, item.Extension, item.CallId, item.MessageId, settings.Endpoint,
            item.Attempts + 1, latency, reply.Trim());
    }

    /// <summary>The session could not be used: every item waits (no expiry: the message is not at fault), one event per problem.</summary>
    private async Task SessionFailedAsync(SmartHostSettings settings, RetryPolicy policy, SmtpFailure failure, List<OutboxItem> items, int queued, CancellationToken ct)
    {
        s_failures.Add(1);
        var now = _time.GetUtcNow();
        var delay = TimeSpan.Zero;
        foreach (var item in items)
        {
            int attempts = item.Attempts + 1;
            var wait = policy.Delay(attempts);
            delay = wait > delay ? wait : delay;
            await _outbox.UpdateAsync(item with { Attempts = attempts, NextAttemptAt = now + wait, LastError = failure.Reason }, ct).ConfigureAwait(false);
        }
        string problem = failure.Kind + failure.Reason;
        if (problem == _lastSessionProblem && now - _lastSessionReport < TimeSpan.FromMinutes(1)) return;
        (_lastSessionProblem, _lastSessionReport) = (problem, now);
        switch (failure.Kind)
        {
            case SmtpFailureKind.ClientCertificateRejected:
                DeliveryEvents.Rejected(_logger, settings.Endpoint, "the TLS client certificate of this server", failure.Reason,
                    $"The smart host does not accept the certificate this server presents: make it trust the certificate's issuer, or bind a certificate it trusts (`openum cert`), or set --smart-host-client-certificate false if it needs none. {queued} voice messages stay in the outbox");
                break;
            case SmtpFailureKind.AuthenticationFailed or SmtpFailureKind.SessionRejected:
                DeliveryEvents.Rejected(_logger, settings.Endpoint, "the SMTP session", failure.Reason,
                    $"Check --smart-host-user / --smart-host-password-file and the smart host's relay rules. {queued} voice messages stay in the outbox");
                break;
            default:
                DeliveryEvents.NoSmartHostReachable(_logger, settings.Endpoint, failure.Reason, queued, delay.TotalSeconds);
                break;
        }
    }

    private async Task MessageFailedAsync(SmartHostSettings settings, RetryPolicy policy, OutboxItem item, SmtpFailure failure, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        int attempts = item.Attempts + 1;
        if (failure.Kind == SmtpFailureKind.Permanent || now - item.QueuedAt >= settings.MessageExpiry)
        {
            string reason = failure.Kind == SmtpFailureKind.Permanent
                ? failure.Reason
                : $"still deferred after {(now - item.QueuedAt).TotalHours:F1} h (--smart-host-message-expiry): {failure.Reason}";
            await _outbox.DeadLetterAsync(item with { Attempts = attempts }, reason, ct).ConfigureAwait(false);
            s_deadLetters.Add(1);
            if (failure.Kind == SmtpFailureKind.Permanent)
                DeliveryEvents.Rejected(_logger, settings.Endpoint, $"voice message {item.Id} for {item.Recipient} (call {item.CallId})", failure.Reason,
                    $"It was moved to the dead-letter folder {_outbox.DeadPath}; `openum outbox retry --id {item.Id}` queues it again");
            DeliveryEvents.DeadLettered(_logger, item.Id, item.Recipient, item.CallId, _outbox.DeadPath, reason);
            return;
        }
        var wait = policy.Delay(attempts);
        await _outbox.UpdateAsync(item with { Attempts = attempts, NextAttemptAt = now + wait, LastError = failure.Reason }, ct).ConfigureAwait(false);
        DeliveryEvents.Deferred(_logger, item.Id, item.Recipient, settings.Endpoint, attempts, failure.Reason, wait.TotalSeconds);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _gauges.Dispose();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }
}
