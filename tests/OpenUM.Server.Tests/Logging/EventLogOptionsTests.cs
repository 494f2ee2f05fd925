using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>The values `openum serve --log-target/--event-log-max-size/--event-log-files` accept, and the recorded target.</summary>
public class EventLogOptionsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1024)]
    public void SizesFrom1To1024MegabytesAreAccepted(int megabytes) => Assert.Null(EventLogRotation.CheckMaxSize(megabytes));

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1025)]
    public void OtherSizesAreRefusedWithTheRange(int megabytes)
    {
        string? error = EventLogRotation.CheckMaxSize(megabytes);
        Assert.NotNull(error);
        Assert.Contains("1-1024", error);
        Assert.Contains(megabytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void FileCountsFrom1To100AreAccepted(int files) => Assert.Null(EventLogRotation.CheckFiles(files));

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void OtherFileCountsAreRefusedWithTheRange(int files) => Assert.Contains("1-100", EventLogRotation.CheckFiles(files));

    [Fact]
    public void TheDefaultsKeepAtMost100Megabytes()
    {
        var d = EventLogRotation.Default;
        Assert.Null(EventLogRotation.CheckMaxSize((int)(d.MaxBytes / EventLogRotation.Megabyte)));
        Assert.Null(EventLogRotation.CheckFiles(d.Files));
        Assert.True((d.Files + 1) * d.MaxBytes <= 100 * EventLogRotation.Megabyte);
    }

    [Theory]
    [InlineData("file", EventLogTarget.File)]
    [InlineData("journald", EventLogTarget.Journald)]
    [InlineData("JournalD", EventLogTarget.Journald)]
    [InlineData("both", EventLogTarget.Both)]
    public void TargetsAreParsed(string text, EventLogTarget expected)
    {
        Assert.True(EventLogRotation.TryParseTarget(text, out var target, out string? error), error);
        Assert.Equal(expected, target);
    }

    [Fact]
    public void AnUnknownTargetNamesTheChoices()
    {
        Assert.False(EventLogRotation.TryParseTarget("syslog", out _, out string? error));
        Assert.Contains("'syslog'", error);
        Assert.Contains("journald", error);
        Assert.Contains("file", error);
    }

    [Fact]
    public void TheServersTargetIsRecordedForCommands()
    {
        using var dir = new TempDir();
        var data = new DataDirectory(dir.Path);
        Assert.Equal(EventLogTarget.File, EventLog.RecordedTarget(data)); // nothing recorded yet
        EventLog.RecordTarget(data, EventLogTarget.Journald);
        Assert.Equal(EventLogTarget.Journald, EventLog.RecordedTarget(data));
        EventLog.RecordTarget(data, EventLogTarget.Both);
        Assert.Equal(EventLogTarget.Both, EventLog.RecordedTarget(data));
        EventLog.RecordTarget(data, EventLogTarget.File);
        Assert.Equal(EventLogTarget.File, EventLog.RecordedTarget(data));
        Assert.Equal([EventLog.TargetFileName], dir.Names()); // no temporary file left
    }

    [Fact]
    public void CommandsWriteToEventsJsonlWhenTheJournalSocketIsMissing()
    {
        using var dir = new TempDir();
        var data = new DataDirectory(dir.Path);
        EventLog.RecordTarget(data, EventLogTarget.Journald);
        using (var events = EventLog.ForCommand(data, dir.File("no-such-socket")))
            TestEvents.Numbered(events.CreateLogger("OpenUM.Cli"), "cli", 1, "");
        Assert.Equal(("cli", 1), TestEvents.Parse(File.ReadAllLines(data.EventLog).Single()));
    }
}
