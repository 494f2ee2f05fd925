using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace OpenUM.Directory.Postgres;

/// <summary>One column: its name and, for jsonb columns, the parameter type (text is sent as jsonb).</summary>
internal readonly record struct PgColumn(string Name, bool Json = false)
{
    public static implicit operator PgColumn(string name) => new(name);
}

/// <summary>Maps one object type to its PostgreSQL table: column list (id first), row reader and values (column order).</summary>
internal sealed class PostgresTable<T>(string name, PgColumn[] columns, Func<NpgsqlDataReader, T> read, Func<T, object?[]> values)
{
    private readonly string _select = $"SELECT {string.Join(", ", columns.Select(Select))} FROM {name} ORDER BY seq";
    private readonly string _insert = $"INSERT INTO {name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select(c => "@" + c.Name))})";
    private readonly string _update = $"UPDATE {name} SET {string.Join(", ", columns.Skip(1).Select(c => $"{c.Name} = @{c.Name}"))} WHERE id = @id";
    private readonly string _delete = $"DELETE FROM {name} WHERE id = @id";

    /// <summary>Table name.</summary>
    public string Name => name;

    public List<T> ReadAll(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var command = new NpgsqlCommand(_select, connection, transaction);
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read())
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

    public void Insert(NpgsqlConnection connection, NpgsqlTransaction transaction, T item) => Write(connection, transaction, _insert, item);

    public void Update(NpgsqlConnection connection, NpgsqlTransaction transaction, T item) => Write(connection, transaction, _update, item);

    public void Delete(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id)
    {
        using var command = new NpgsqlCommand(_delete, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.ExecuteNonQuery();
    }

    private void Write(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, T item)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        var row = values(item);
        for (var i = 0; i < columns.Length; i++)
        {
            var parameter = new NpgsqlParameter(columns[i].Name, row[i] ?? DBNull.Value);
            if (columns[i].Json)
            {
                parameter.NpgsqlDbType = NpgsqlDbType.Jsonb;
            }

            command.Parameters.Add(parameter);
        }

        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"configuration table {name}: row {row[0]} was not written");
        }
    }

    // jsonb comes back as text, which the same JSON readers as SQLite's parse.
    private static string Select(PgColumn column) => column.Json ? column.Name + "::text" : column.Name;
}

/// <summary>Row conversions shared by the PostgreSQL tables.</summary>
internal static class PgValues
{
    public static PgColumn Json(string name) => new(name, Json: true);

    public static long Milliseconds(TimeSpan value) => (long)value.TotalMilliseconds;

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
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
}
