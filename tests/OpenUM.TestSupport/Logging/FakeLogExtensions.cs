using System.Globalization;
using Microsoft.Extensions.Logging.Testing;

namespace OpenUM.TestSupport.Logging;

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
    /// One structured value of a record, read back as <typeparamref name="T"/> (an enum by name, numbers and
    /// booleans invariantly). FakeLogger keeps structured values as invariant strings, so this compares values,
    /// not the boxed type the code passed. Throws when the record has no such field.
    /// </summary>
    public static T Field<T>(this FakeLogRecord record, string key)
    {
        foreach (var (name, text) in record.StructuredState ?? [])
        {
            if (name != key) continue;
            if (text is null) return default!;
            var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            return (T)(type.IsEnum ? Enum.Parse(type, text) : Convert.ChangeType(text, type, CultureInfo.InvariantCulture));
        }
        throw new KeyNotFoundException($"event {record.Id.Id} has no field {key}; it has: "
            + string.Join(", ", (record.StructuredState ?? []).Select(p => p.Key)));
    }

    /// <summary>The structured values of a record (as FakeLogger keeps them: invariant strings), in the order logged.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Fields(this FakeLogRecord record) => record.StructuredState ?? [];
}
