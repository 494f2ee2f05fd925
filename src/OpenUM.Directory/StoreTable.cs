using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using OpenUM.Directory.Pins;

namespace OpenUM.Directory;

/// <summary>One column: its name and whether it holds a JSON list (SQLite TEXT, PostgreSQL jsonb).</summary>
internal readonly record struct StoreColumn(string Name, bool Json = false)
{
    public static implicit operator StoreColumn(string name) => new(name);
}

/// <summary>
/// Maps one object type to its table, for every store: table name, column list (id first), row reader and
/// parameter values (column order; the id as a Guid, lists as JSON text, enums by name).
/// </summary>
internal sealed class StoreTable<T>(string name, StoreColumn[] columns, Func<DbDataReader, T> read, Func<T, object?[]> values)
{
    /// <summary>Table name.</summary>
    public string Name => name;

    /// <summary>Columns, id first.</summary>
    public IReadOnlyList<StoreColumn> Columns => columns;

    /// <summary>The parameter values of a record, in column order.</summary>
    public object?[] Values(T item) => values(item);

    /// <summary>
    /// Reads every row of a reader whose columns are <see cref="Columns"/> in order; with <paramref name="async"/>
    /// false it never waits asynchronously (the returned task is complete).
    /// </summary>
    public async ValueTask<List<T>> ReadAll(DbDataReader reader, bool async, CancellationToken ct)
    {
        var result = new List<T>();
        while (async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read())
        {
            try
            {
                result.Add(read(reader));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or JsonException or InvalidCastException)
            {
                throw new InvalidDataException($"configuration table {name} has an unreadable row: {ex.Message}", ex);
            }
        }

        return result;
    }
}

/// <summary>Row conversions shared by the table definitions of both stores.</summary>
internal static class StoreValues
{
    public static StoreColumn Json(string name) => new(name, Json: true);

    public static long Milliseconds(TimeSpan value) => (long)value.TotalMilliseconds;

    public static string? NullableString(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    // Enums are stored by name so reordering an enum can never silently change stored meaning.
    public static TEnum ParseEnum<TEnum>(string text)
        where TEnum : struct, Enum =>
        text.Length > 0 && !char.IsAsciiDigit(text[0]) && Enum.TryParse<TEnum>(text, ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a {typeof(TEnum).Name}"));

    public static IReadOnlyList<string> ParseList(string json) =>
        JsonSerializer.Deserialize<string[]>(json) ?? throw new FormatException("a list column holds null");

    public static string FormatList(IReadOnlyList<string> items) => JsonSerializer.Serialize(items.ToArray());

    /// <summary>A mailbox_pins row (hash, history, set_at, consecutive_failures, locked_out, must_change); set_at's type differs per store.</summary>
    public static MailboxPinState ReadPin(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> setAt) => new()
    {
        Hash = reader.GetString(0),
        History = ParseList(reader.GetString(1)),
        SetAt = setAt(reader, 2),
        ConsecutiveFailures = reader.GetInt32(3),
        LockedOut = reader.GetBoolean(4),
        MustChange = reader.GetBoolean(5),
    };
}
