using Npgsql;
using NpgsqlTypes;

namespace OpenUM.Directory.Postgres;

/// <summary>The PostgreSQL statements of one table; the columns and row conversions come from its <see cref="StoreTable{T}"/>.</summary>
internal sealed class PostgresTable<T>(StoreTable<T> table)
{
    private readonly string _select = $"SELECT {string.Join(", ", table.Columns.Select(Select))} FROM {table.Name} ORDER BY seq";
    private readonly string _insert = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) VALUES ({string.Join(", ", table.Columns.Select(c => "@" + c.Name))})";
    private readonly string _update = $"UPDATE {table.Name} SET {string.Join(", ", table.Columns.Skip(1).Select(c => $"{c.Name} = @{c.Name}"))} WHERE id = @id";
    private readonly string _delete = $"DELETE FROM {table.Name} WHERE id = @id";

    public List<T> ReadAll(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        using var command = new NpgsqlCommand(_select, connection, transaction);
        using var reader = command.ExecuteReader();
        return table.ReadAll(reader);
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
        var row = table.Values(item);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            var parameter = new NpgsqlParameter(column.Name, row[i] ?? DBNull.Value);
            if (column.Json)
            {
                // JSON lists are formatted as text; the parameter type makes PostgreSQL take them as jsonb.
                parameter.NpgsqlDbType = NpgsqlDbType.Jsonb;
            }

            command.Parameters.Add(parameter);
        }

        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"configuration table {table.Name}: row {row[0]} was not written");
        }
    }

    // jsonb comes back as text, which the same JSON readers as SQLite's parse.
    private static string Select(StoreColumn column) => column.Json ? column.Name + "::text" : column.Name;
}
