using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Calls.Tests.Harness;
using OpenUM.Delivery;
using OpenUM.Delivery.Spool;
using OpenUM.Sip.Dialogs;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>
/// A voicemail call whose recording cannot be written: the caller hears the normal end (the server says goodbye and
/// hangs up), the description handed to the spool before the beep still becomes a message, marked incomplete.
/// </summary>
public sealed class RecordingFailureCallTests : IAsyncLifetime
{
    private CallControllerHarness _harness = null!;
    private RedirectingSpool _redirect = null!;

    public async Task InitializeAsync() =>
        _harness = await CallControllerHarness.StartAsync(spool: spool => _redirect = new RedirectingSpool(spool));

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task ARecordingFileThatCannotBeCreatedEndsTheCallNormallyAndStillLeavesAMessage()
    {
        // The audio goes where no file can be created (what a full or read-only data directory does to open(2)).
        _redirect.AudioPath = id => Path.Combine(_harness.Root, "missing-directory", id + ".wav");

        // The caller only listens: greeting, beep, then (nothing can be recorded) goodbye and the server's BYE.
        var (answer, client) = await _harness.CallAsync("1000");
        await using var _ = client;
        Assert.Equal(200, answer.StatusCode);
        var end = await answer.Dialog!.Terminated.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(SipDialogEndReason.RemoteBye, end.Reason);

        var submitted = await _redirect.Submitted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.Zero, submitted.Duration);
        Assert.Contains("could not be created", submitted.Truncated);
        Assert.DoesNotContain(_harness.Events.Lines(), l => l.StartsWith("2005 ", StringComparison.Ordinal)); // not a failed call

        string inbox = _harness.Inbox;
        await TestWait.UntilAsync(() => System.IO.Directory.Exists(inbox) && System.IO.Directory.EnumerateFiles(inbox).Any(), "the message");
        using var message = await MimeKit.MimeMessage.LoadAsync(System.IO.Directory.EnumerateFiles(inbox).Single());
        Assert.Contains("could not be created", message.Headers[VoiceMessageComposer.TruncatedHeader]);
        Assert.Empty(message.Attachments);
        Assert.Empty(System.IO.Directory.GetFiles(_harness.SpoolDirectory));
    }

    [Fact]
    public async Task ARecordedMessageIsDescribedInTheSpoolBeforeItsAudioAndLeavesNoFileOpen()
    {
        var test = new ConnectivityTest(TimeProvider.System, NullLogger.Instance);
        var outcome = await test.RunAsync(_harness.EndPoint, "1000", _harness.GatewayPorts, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(outcome.EntireOperationSuccess, outcome.ReasonForFailure);
        Assert.True(_redirect.DescribedBeforeAudio, "the description was on disk when the recording began, its audio not yet");
        var submitted = await _redirect.Submitted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(submitted.Truncated);
        Assert.True(submitted.Duration > TimeSpan.Zero);
        string inbox = _harness.Inbox;
        await TestWait.UntilAsync(() => System.IO.Directory.Exists(inbox) && System.IO.Directory.EnumerateFiles(inbox).Any(), "the message");
        Assert.DoesNotContain(OpenFiles(), f => f.StartsWith(_harness.Root, StringComparison.Ordinal));
    }

    private static List<string> OpenFiles()
    {
        var files = new List<string>();
        foreach (var fd in System.IO.Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target) files.Add(target);
            }
            catch (IOException)
            {
                // closed while listing
            }
        }
        return files;
    }

    /// <summary>The real spool, with the audio path optionally moved and what the call hands over recorded.</summary>
    private sealed class RedirectingSpool(IVoiceMessageSpool inner) : IVoiceMessageSpool
    {
        public Func<string, string>? AudioPath { get; set; }

        public TaskCompletionSource<RecordingOutcome> Submitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool DescribedBeforeAudio { get; private set; }

        public async Task<SpooledRecording> BeginAsync(VoiceMessage description)
        {
            var recording = await inner.BeginAsync(description);
            DescribedBeforeAudio = File.Exists(Path.ChangeExtension(recording.AudioPath, ".json")) && !File.Exists(recording.AudioPath);
            return AudioPath is { } move ? recording with { AudioPath = move(recording.Id) } : recording;
        }

        public async Task SubmitAsync(SpooledRecording recording, RecordingOutcome outcome, CancellationToken ct)
        {
            await inner.SubmitAsync(recording, outcome, ct);
            Submitted.TrySetResult(outcome);
        }
    }
}
