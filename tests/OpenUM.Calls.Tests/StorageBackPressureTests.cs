using System.Net;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Directory;
using OpenUM.Sip.Dialogs;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// The storage check in the call decision, on loopback with a real SipUserAgent and CallController and a gate that
/// says what the test wants: 503 with Retry-After before any answer, the Announce path, subscriber access.
/// </summary>
public sealed class StorageBackPressureTests : IAsyncLifetime
{
    private const string AccessNumber = "5559000";
    private readonly FakeGate _gate = new();
    private CallControllerHarness _harness = null!;

    private static ConfigurationSnapshot Snapshot(StorageFullAction whenFull) => CallControllerHarness.Snapshot(
        CallControllerHarness.Plan with { StorageFullAction = whenFull, AccessTelephoneNumbers = [AccessNumber] });

    public async Task InitializeAsync() =>
        _harness = await CallControllerHarness.StartAsync(Snapshot(StorageFullAction.Refuse), storage: _gate, subscriberAccess: true);

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private static readonly StorageVerdict Low = new(false, true, "the data directory's filesystem at /x has 1.0 MB free, below 43.4 MB");
    private static readonly StorageVerdict ReadOnly = new(false, false, "the data directory's filesystem at /x is read-only");

    [Fact]
    public async Task LowStorageRefusesWith503AndRetryAfterBeforeAnyAnswerAndSaysWhy()
    {
        _gate.Verdict = Low;
        var (result, client) = await _harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(503, result.StatusCode);
        Assert.Null(result.Dialog);
        Assert.Equal(StorageVerdict.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            result.FinalResponse!.Headers.Get("Retry-After"));
        Assert.Contains(_harness.Events.Lines(), l => l.StartsWith("2062 ", StringComparison.Ordinal) && l.Contains("503, Retry-After 60", StringComparison.Ordinal)
            && l.Contains(Low.Reason, StringComparison.Ordinal));
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("2002 ", StringComparison.Ordinal));
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("1021 ", StringComparison.Ordinal));
        Assert.Equal(0, _harness.Controller.ActiveCalls);
    }

    [Fact]
    public async Task TheGateIsToldHowManyCallsAreInProgress()
    {
        var (first, client1) = await _harness.CallAsync("1000");
        await using var c1 = client1;
        Assert.Equal(200, first.StatusCode);
        Assert.Equal(0, _gate.LastActiveCalls);

        _gate.Verdict = Low;
        var (second, client2) = await _harness.CallAsync("1000");
        await using var c2 = client2;
        Assert.Equal(503, second.StatusCode);
        Assert.Equal(1, _gate.LastActiveCalls);
        // The call in progress is not touched by the shortage.
        Assert.False(first.Dialog!.Terminated.IsCompleted);
        await first.Dialog.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AnnounceAnswersPlaysTheApologyAndHangsUpWithoutRecording()
    {
        _harness.Configuration = Snapshot(StorageFullAction.Announce);
        _gate.Verdict = Low;
        var (result, client) = await _harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(200, result.StatusCode);
        var end = await result.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);
        await TestWait.UntilAsync(() => _harness.Events.Lines().Any(l => l.StartsWith("2003 ", StringComparison.Ordinal)), "event 2003");
        Assert.Contains(_harness.Events.Lines(), l => l.StartsWith("2003 ", StringComparison.Ordinal)
            && l.Contains("announced and hung up", StringComparison.Ordinal) && l.Contains(Low.Reason, StringComparison.Ordinal));
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("1021 ", StringComparison.Ordinal));
        Assert.Contains(_harness.Events.Lines(), l => l.StartsWith("2062 ", StringComparison.Ordinal) && l.Contains("announcement", StringComparison.Ordinal));
        string spool = _harness.SpoolDirectory;
        Assert.True(!System.IO.Directory.Exists(spool) || !System.IO.Directory.EnumerateFiles(spool).Any(), "nothing recorded");
        await TestWait.UntilAsync(() => _harness.Controller.ActiveCalls == 0, "the announced call to end");
    }

    [Fact]
    public async Task AnnounceStillRefusesSubscriberAccessOnAReadOnlyDisk()
    {
        _harness.Configuration = Snapshot(StorageFullAction.Announce);
        _gate.Verdict = ReadOnly;
        var (access, client) = await _harness.CallAsync(AccessNumber);
        await using var _ = client;
        Assert.Equal(503, access.StatusCode);
        Assert.Contains(_harness.Events.Lines(), l => l.StartsWith("2062 ", StringComparison.Ordinal) && l.Contains("read-only", StringComparison.Ordinal)
            && l.Contains("503", StringComparison.Ordinal));
    }

    [Fact]
    public void RefusalsAreLoggedOncePerIntervalWithTheCountOfTheOthers()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var events = new FakeLogger();
        var log = new StorageRefusalLog(time, events);
        for (int i = 0; i < 5; i++) log.Log(new IPEndPoint(IPAddress.Parse("192.0.2." + (i + 1)), 5060), "503, Retry-After 60", Low.Reason);
        // One server-wide cause: one line for the burst, whoever the callers were.
        Assert.Single(events.Lines());
        Assert.StartsWith("2062 Call from 192.0.2.1:5060 turned away (503, Retry-After 60)", events.Lines()[0], StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(10));
        log.Log(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.9"), 5070), "answered with the storage-full announcement", Low.Reason);
        Assert.Equal(2, events.Lines().Count);
        Assert.StartsWith("2062 Call from 192.0.2.9:5070 turned away (answered", events.Lines()[1], StringComparison.Ordinal);
        Assert.EndsWith("(4 similar suppressed)", events.Lines()[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubscribersMayListenWhileSpaceIsLowButNotWhileTheDiskIsReadOnly()
    {
        _gate.Verdict = Low;
        var (listening, client1) = await _harness.CallAsync(AccessNumber);
        await using var c1 = client1;
        Assert.Equal(200, listening.StatusCode);
        await listening.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));

        _gate.Verdict = ReadOnly;
        var (refused, client2) = await _harness.CallAsync(AccessNumber);
        await using var c2 = client2;
        Assert.Equal(503, refused.StatusCode);
        Assert.Equal("60", refused.FinalResponse!.Headers.Get("Retry-After"));
    }

    [Fact]
    public async Task CallsAreTakenAgainOnceTheGateSaysSo()
    {
        _gate.Verdict = ReadOnly;
        var (refused, client1) = await _harness.CallAsync("1000");
        await using var c1 = client1;
        Assert.Equal(503, refused.StatusCode);

        _gate.Verdict = StorageVerdict.Available;
        var (taken, client2) = await _harness.CallAsync("1000");
        await using var c2 = client2;
        Assert.Equal(200, taken.StatusCode);
        await taken.Dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void TheApologyIsSpeech()
    {
        var clip = PromptLibrary.Default.StorageFull;
        Assert.True(clip.Duration > TimeSpan.FromSeconds(2), $"{clip.Duration} is too short for the sentence");
        double sum = 0;
        foreach (short s in clip.Samples.Span) sum += (double)s * s;
        Assert.True(Math.Sqrt(sum / clip.Samples.Length) > 500, "the prompt must hold audible speech");
    }

    private sealed class FakeGate : IStorageGate
    {
        private volatile StrongBox<StorageVerdict> _verdict = new(StorageVerdict.Available);

        public StorageVerdict Verdict { get => _verdict.Value; set => _verdict = new(value); }

        public int LastActiveCalls { get; private set; } = -1;

        public StorageVerdict Check(int activeCalls)
        {
            LastActiveCalls = activeCalls;
            return Verdict;
        }
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; } = value;
    }
}
