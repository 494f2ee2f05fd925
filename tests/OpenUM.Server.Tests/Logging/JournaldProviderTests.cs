using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenUM.Server.Logging;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>The journal client against a datagram socket standing in for journald, and reading entries back.</summary>
public class JournaldProviderTests
{
    private sealed class FakeJournal : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { ReceiveTimeout = 30_000 };
        private readonly byte[] _buffer = new byte[4 * 1024 * 1024];

        public FakeJournal(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
        }

        public string Path { get; }

        public Dictionary<string, string> Receive()
        {
            int n = _socket.Receive(_buffer); // the timeout is a hang guard
            return JournalDatagram.Parse(_buffer.AsSpan(0, n)).ToDictionary(f => f.Name, f => f.Text);
        }

        public bool HasPending => _socket.Available > 0;

        public void Dispose() => _socket.Dispose();
    }

    private static JournaldLoggerProvider Provider(string socket, ILoggerProvider fallback, TimeProvider? time = null) =>
        new(socket, fallback, "the fallback", time ?? TimeProvider.System);

    [Fact]
    public void UnderBothACommandsEventGoesToTheJournalAndToEventsJsonl()
    {
        using var dir = new TempDir();
        using var journal = new FakeJournal(dir.File("socket"));
        var data = new OpenUM.Server.DataDirectory(dir.File("data"));
        System.IO.Directory.CreateDirectory(data.Root);
        EventLog.RecordTarget(data, EventLogTarget.Both);
        using (var events = EventLog.ForCommand(data, journal.Path))
            TestEvents.Numbered(events.CreateLogger("OpenUM.Cli"), "cli", 7, "");
        Assert.Equal("writer cli event 7 ", journal.Receive()["MESSAGE"]);
        Assert.Equal(("cli", 7), TestEvents.Parse(File.ReadAllLines(data.EventLog).Single()));
    }

    [Fact]
    public void EachEventIsOneDatagramWithItsFields()
    {
        using var dir = new TempDir();
        using var journal = new FakeJournal(dir.File("socket"));
        var fallback = new FakeLoggerProvider();
        using var provider = Provider(journal.Path, fallback);
        TestEvents.Numbered(provider.CreateLogger("OpenUM.Test"), "serve", 42, "line one\nline two");
        var f = journal.Receive();
        Assert.Equal("writer serve event 42 line one\nline two", f["MESSAGE"]);
        Assert.Equal("6", f["PRIORITY"]);
        Assert.Equal("openum", f["SYSLOG_IDENTIFIER"]);
        Assert.Equal("9001", f["EVENT_ID"]);
        Assert.Equal("TestEvent", f["OPENUM_EVENT_NAME"]);
        Assert.Equal("42", f["OPENUM_SEQ"]);
        Assert.Equal("line one\nline two", f["OPENUM_PADDING"]);
        Assert.Empty(fallback.Collector.GetSnapshot());
    }

    [Fact]
    public void AnEntryOverTheDatagramLimitIsSentWithShortenedValues()
    {
        using var dir = new TempDir();
        using var journal = new FakeJournal(dir.File("socket"));
        using var provider = Provider(journal.Path, new FakeLoggerProvider());
        string big = new('x', 150_000);
        // Message, writer and padding, each cut to the 64 KiB field limit, are together still over the datagram limit.
        TestEvents.Numbered(provider.CreateLogger("OpenUM.Test"), big, 1, big);
        var f = journal.Receive();
        Assert.EndsWith($" [truncated by openum: {150_000} bytes]", f["OPENUM_WRITER"]);
        Assert.True(f["OPENUM_WRITER"].Length <= JournaldLoggerProvider.SmallFieldLimit);
        Assert.True(f["MESSAGE"].Length <= JournaldLoggerProvider.SmallFieldLimit);
        Assert.Equal("1", f["OPENUM_SEQ"]); // short values stay whole
    }

    [Fact]
    public void WithoutAJournalEventsGoToTheFallbackAndThatIsSaidOnceAMinute()
    {
        using var dir = new TempDir();
        var fallback = new FakeLoggerProvider();
        var time = new ManualTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var provider = Provider(dir.File("no-journal-here"), fallback, time);
        var logger = provider.CreateLogger("OpenUM.Test");
        for (int i = 0; i < 3; i++) TestEvents.Numbered(logger, "serve", i, "");
        time.Now += TimeSpan.FromMinutes(2);
        TestEvents.Numbered(logger, "serve", 3, "");
        Assert.Equal([0, 1, 2, 3], fallback.Collector.GetSnapshot().Where(e => e.Id.Id == 9001).Select(e => e.Field<int>("Seq")));
        var notes = fallback.Collector.GetSnapshot().Where(e => e.Id.Id == 2017).ToList();
        Assert.Equal(2, notes.Count);
        Assert.Equal(1, notes[0].Field<int>("Count"));
        Assert.Equal(3, notes[1].Field<int>("Count"));
        Assert.Contains("no-journal-here", notes[0].Message);
        Assert.Contains("the fallback", notes[0].Message);
    }

    [Fact]
    public void AJournalThatComesBackIsUsedAgain()
    {
        using var dir = new TempDir();
        var fallback = new FakeLoggerProvider();
        using var provider = Provider(dir.File("socket"), fallback);
        var logger = provider.CreateLogger("OpenUM.Test");
        TestEvents.Numbered(logger, "serve", 1, ""); // journald not started yet
        using var journal = new FakeJournal(dir.File("socket"));
        TestEvents.Numbered(logger, "serve", 2, "");
        Assert.Equal("2063", journal.Receive()["EVENT_ID"]); // what it missed comes first
        Assert.Equal("2", journal.Receive()["OPENUM_SEQ"]);
        Assert.Equal([1], fallback.Collector.GetSnapshot().Where(e => e.Id.Id == 9001).Select(e => e.Field<int>("Seq")));
    }

    [Fact]
    public void JournalctlJsonBecomesTheShapeOfAnEventsJsonlLine()
    {
        // A line as `journalctl -o json` writes it: text values as strings, a value with bytes that are no
        // valid UTF-8 as an array of numbers.
        string line = """
            {"__REALTIME_TIMESTAMP":"1767225600123456","_PID":"4242","_UID":"0","PRIORITY":"4","SYSLOG_IDENTIFIER":"openum",
             "MESSAGE":"Refused 192.0.2.7\nSystem.Exception: boom","EVENT_ID":"1021","OPENUM_EVENT_NAME":"CallRejected",
             "OPENUM_CATEGORY":"OpenUM.Sip","OPENUM_REMOTE_ADDRESS":"192.0.2.7","OPENUM_PROPERTY_EVENT_ID":"x",
             "OPENUM_RAW":[104,105,255],"OPENUM_EXCEPTION":"System.Exception: boom"}
            """.ReplaceLineEndings("");
        var e = JournalReader.ToEvent(line)!.Value;
        Assert.Equal(1021, e.GetProperty("id").GetInt32());
        Assert.Equal("Warning", e.GetProperty("level").GetString());
        Assert.Equal("CallRejected", e.GetProperty("name").GetString());
        Assert.Equal("Refused 192.0.2.7", e.GetProperty("message").GetString());
        Assert.Equal("System.Exception: boom", e.GetProperty("exception").GetString());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234560), e.GetProperty("time").GetDateTimeOffset());
        var p = e.GetProperty("properties");
        Assert.Equal("192.0.2.7", p.GetProperty("remoteAddress").GetString());
        Assert.Equal("x", p.GetProperty("eventId").GetString());
        Assert.StartsWith("hi", p.GetProperty("raw").GetString());
        Assert.Equal("0", e.GetProperty("uid").GetString());
        Assert.Null(JournalReader.ToEvent("""{"MESSAGE":"a line of the service's standard output","SYSLOG_IDENTIFIER":"openum"}"""));
    }

    [Fact]
    public void AMissingJournalctlIsReportedNotThrown()
    {
        var (events, error) = JournalReader.Read(null, 5, "openum-test-no-such-journalctl");
        Assert.Empty(events);
        Assert.Contains("openum-test-no-such-journalctl was not found", error);
    }

    [Fact]
    public void JournalctlIsAskedForTheLastNOfOneEvent()
    {
        Assert.Equal(["-t", "openum", "-o", "json", "--all", "--no-pager", "-q", "-n", "20", "EVENT_ID=1021"], JournalReader.Arguments(1021, 20));
        Assert.DoesNotContain("-n", JournalReader.Arguments(null, 0));
    }
}
