using Microsoft.Extensions.Logging.Testing;

namespace OpenUM.TestSupport;

/// <summary>Views of a <see cref="FakeLogger"/>'s records that the tests assert on (event ids, messages, fields).</summary>
public static class FakeLogExtensions
{
    /// <summary>The event ids logged so far, oldest first.</summary>
    public static int[] EventIds(this FakeLogger logger) => logger.Collector.EventIds();

    /// <summary>The event ids collected so far, oldest first.</summary>
    public static int[] EventIds(this FakeLogCollector collector) => [.. collector.GetSnapshot().Select(r => r.Id.Id)];

    /// <summary>The formatted messages logged so far, oldest first.</summary>
    public static string[] Messages(this FakeLogger logger) => [.. logger.Collector.GetSnapshot().Select(r => r.Message)];

    /// <summary>Each event as one "id message" line, oldest first (for assertions on an event and its wording).</summary>
    public static IReadOnlyList<string> Lines(this FakeLogger logger) => logger.Collector.Lines();

    /// <summary>Each collected event as one "id message" line, oldest first.</summary>
    public static IReadOnlyList<string> Lines(this FakeLogCollector collector) =>
        [.. collector.GetSnapshot().Select(r => $"{r.Id.Id} {r.Message}")];

    /// <summary>The records of one event id, oldest first.</summary>
    public static IReadOnlyList<FakeLogRecord> Records(this FakeLogger logger, int eventId) => logger.Collector.Records(eventId);

    /// <summary>The collected records of one event id, oldest first.</summary>
    public static IReadOnlyList<FakeLogRecord> Records(this FakeLogCollector collector, int eventId) =>
        [.. collector.GetSnapshot().Where(r => r.Id.Id == eventId)];

    /// <summary>
    /// The structured values of a record as the code logged them (an int stays an int, an enum an enum), which
    /// <see cref="FakeLogRecord.StructuredState"/> turns into strings; empty for an event without structure.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Fields(this FakeLogRecord record)
    {
        var fields = new Dictionary<string, object?>();
        if (record.State is IEnumerable<KeyValuePair<string, object?>> pairs)
            foreach (var (key, value) in pairs) fields[key] = value;
        return fields;
    }

    /// <summary>The structured values in the order logged (the message template is the last, "{OriginalFormat}").</summary>
    public static KeyValuePair<string, object?>[] Values(this FakeLogRecord record) =>
        record.State is IEnumerable<KeyValuePair<string, object?>> pairs ? [.. pairs] : [];
}
