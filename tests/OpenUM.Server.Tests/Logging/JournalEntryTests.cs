using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>
/// The datagram layout of systemd's Native Journal Protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL): "KEY=value\n",
/// or for a value with a newline "KEY\n" + 64-bit little-endian length + value + "\n".
/// </summary>
public class JournalEntryTests
{
    [Fact]
    public void ASingleLineValueIsKeyEqualsValueNewline()
    {
        var entry = new JournalEntry();
        entry.Add("MESSAGE", "hello");
        entry.Add("PRIORITY", "6");
        Assert.Equal("MESSAGE=hello\nPRIORITY=6\n"u8.ToArray(), entry.Datagram.ToArray());
    }

    [Fact]
    public void AMultiLineValueUsesTheBinarySafeForm()
    {
        var entry = new JournalEntry();
        entry.Add("MESSAGE", "foo\nbar");
        byte[] expected = [.. "MESSAGE\n"u8, 7, 0, 0, 0, 0, 0, 0, 0, .. "foo\nbar"u8, (byte)'\n'];
        Assert.Equal(expected, entry.Datagram.ToArray());
    }

    [Fact]
    public void TheLengthCountsUtf8BytesNotCharacters()
    {
        var entry = new JournalEntry();
        entry.Add("OPENUM_X", "ä\n€"); // 2 + 1 + 3 bytes
        var d = entry.Datagram;
        Assert.Equal("OPENUM_X\n"u8.ToArray(), d[..9].ToArray());
        Assert.Equal(6UL, BinaryPrimitives.ReadUInt64LittleEndian(d[9..17]));
        Assert.Equal("ä\n€"u8.ToArray(), d[17..23].ToArray());
        Assert.Equal((byte)'\n', d[23]);
        Assert.Equal(24, d.Length);
    }

    [Fact]
    public void AnOversizeValueIsCutOnACharacterBoundaryAndMarked()
    {
        var entry = new JournalEntry { FieldLimit = 100 };
        entry.Add("OPENUM_X", new string('é', 300)); // 600 bytes
        var fields = JournalDatagram.Parse(entry.Datagram);
        string value = Assert.Single(fields, f => f.Name == "OPENUM_X").Text;
        Assert.EndsWith(" [truncated by openum: 600 bytes]", value);
        Assert.True(Encoding.UTF8.GetByteCount(value) <= 100);
        Assert.Matches("^é+ \\[", value); // no broken character before the marker
    }

    [Theory]
    [InlineData("remoteAddress", "OPENUM_REMOTE_ADDRESS")]
    [InlineData("RemoteAddress", "OPENUM_REMOTE_ADDRESS")]
    [InlineData("callId", "OPENUM_CALL_ID")]
    [InlineData("rtpAuthenticationFailures", "OPENUM_RTP_AUTHENTICATION_FAILURES")]
    [InlineData("SHA256Thumbprint", "OPENUM_SHA256_THUMBPRINT")]
    [InlineData("RTPPort", "OPENUM_RTP_PORT")]
    [InlineData("latencyMs", "OPENUM_LATENCY_MS")]
    [InlineData("odd-name.x", "OPENUM_ODD_NAME_X")]
    public void PropertyNamesBecomeUpperSnakeFields(string property, string field) =>
        Assert.Equal(field, JournalEntry.FieldName("OPENUM_", property));

    [Fact]
    public void FieldNamesAreAtMost64Characters() =>
        Assert.Equal(64, JournalEntry.FieldName("OPENUM_", new string('a', 100)).Length);

    [Theory]
    [InlineData(LogLevel.Critical, 2)]
    [InlineData(LogLevel.Error, 3)]
    [InlineData(LogLevel.Warning, 4)]
    [InlineData(LogLevel.Information, 6)]
    [InlineData(LogLevel.Debug, 7)]
    public void LevelsMapToSyslogPriorities(LogLevel level, int priority) => Assert.Equal(priority, JournaldLoggerProvider.Priority(level));

    [Fact]
    public void AnEventCarriesItsIdNamePropertiesAndException()
    {
        var entry = new JournalEntry();
        var state = new List<KeyValuePair<string, object?>>
        {
            new("RemoteAddress", "192.0.2.7"), new("RemotePort", 5060), new("Secure", true), new("Missing", null),
            new("EventId", "clash"), new("Category", "clash"), new("{OriginalFormat}", "Refused {RemoteAddress}:{RemotePort}"),
        };
        Exception error;
        try { throw new InvalidOperationException("boom"); } catch (InvalidOperationException e) { error = e; }
        JournaldLoggerProvider.Encode(entry, "OpenUM.Sip", LogLevel.Warning, new EventId(1021, "CallRejected"), state, error,
            (_, _) => "Refused 192.0.2.7:5060");
        var f = JournalDatagram.Parse(entry.Datagram).ToDictionary(x => x.Name, x => x.Text);
        Assert.Equal("Refused 192.0.2.7:5060\n" + error, f["MESSAGE"]);
        Assert.Equal("4", f["PRIORITY"]);
        Assert.Equal("openum", f["SYSLOG_IDENTIFIER"]);
        Assert.Equal("1021", f["EVENT_ID"]);
        Assert.Equal("CallRejected", f["OPENUM_EVENT_NAME"]);
        Assert.Equal("OpenUM.Sip", f["OPENUM_CATEGORY"]);
        Assert.Equal("192.0.2.7", f["OPENUM_REMOTE_ADDRESS"]);
        Assert.Equal("5060", f["OPENUM_REMOTE_PORT"]);
        Assert.Equal("true", f["OPENUM_SECURE"]);
        Assert.Equal("clash", f["OPENUM_EVENT_ID"]); // a property, beside the event's own EVENT_ID
        Assert.Equal("clash", f["OPENUM_PROPERTY_CATEGORY"]); // never overwrites a fixed field
        Assert.Equal(error.ToString(), f["OPENUM_EXCEPTION"]);
        Assert.False(f.ContainsKey("OPENUM_MISSING"));
        Assert.DoesNotContain(f.Keys, k => k.Contains("ORIGINAL", StringComparison.Ordinal));
    }
}

/// <summary>A reader of native-protocol datagrams written for the tests, independent of the encoder.</summary>
internal static class JournalDatagram
{
    public static List<(string Name, string Text)> Parse(ReadOnlySpan<byte> d)
    {
        var fields = new List<(string, string)>();
        while (!d.IsEmpty)
        {
            int end = d.IndexOfAny((byte)'=', (byte)'\n');
            Assert.True(end > 0, "a field without a name");
            string name = Encoding.ASCII.GetString(d[..end]);
            Assert.Matches("^[A-Z][A-Z0-9_]{0,63}$", name);
            if (d[end] == (byte)'=')
            {
                int nl = d[(end + 1)..].IndexOf((byte)'\n');
                Assert.True(nl >= 0, $"field {name} does not end with a newline");
                fields.Add((name, Encoding.UTF8.GetString(d.Slice(end + 1, nl))));
                d = d[(end + 1 + nl + 1)..];
            }
            else
            {
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(end + 1, 8));
                var value = d.Slice(end + 9, (int)length);
                Assert.Equal((byte)'\n', d[end + 9 + (int)length]);
                fields.Add((name, Encoding.UTF8.GetString(value)));
                d = d[(end + 9 + (int)length + 1)..];
            }
        }
        return fields;
    }
}
