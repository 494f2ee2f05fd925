using Microsoft.Data.Sqlite;

namespace OpenUM.Directory;

/// <summary>The SQLite statements of one table; the columns and row conversions come from its <see cref="StoreTable{T}"/>.</summary>
internal sealed class SqliteTable<T>(StoreTable<T> table)
{
    private readonly string _select = $"SELECT {string.Join(", ", table.Columns.Select(c => c.Name))} FROM {table.Name} ORDER BY rowid";
    private readonly string _insert = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns.Select(c => c.Name))}) VALUES ({string.Join(", ", table.Columns.Select(c => "$" + c.Name))})";
    private readonly string _update = $"UPDATE {table.Name} SET {string.Join(", ", table.Columns.Skip(1).Select(c => $"{c.Name} = ${c.Name}"))} WHERE id = $id";
    private readonly string _delete = $"DELETE FROM {table.Name} WHERE id = $id";

    public List<T> ReadAll(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Command(connection, transaction, _select);
        using var reader = command.ExecuteReader();
        return table.ReadAll(reader);
    }

    public void Insert(SqliteConnection connection, SqliteTransaction transaction, T item) => Write(connection, transaction, _insert, item);

    public void Update(SqliteConnection connection, SqliteTransaction transaction, T item) => Write(connection, transaction, _update, item);

    public void Delete(SqliteConnection connection, SqliteTransaction transaction, Guid id)
    {
        using var command = Command(connection, transaction, _delete);
        command.Parameters.AddWithValue("$id", Value(id));
        command.ExecuteNonQuery();
    }

    private void Write(SqliteConnection connection, SqliteTransaction transaction, string sql, T item)
    {
        using var command = Command(connection, transaction, sql);
        var row = table.Values(item);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            command.Parameters.AddWithValue("$" + table.Columns[i].Name, Value(row[i]));
        }

        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"configuration table {table.Name}: row {row[0]} was not written");
        }
    }

    // Ids are TEXT in the SQLite schema (Microsoft.Data.Sqlite would otherwise bind a Guid as a 16-byte BLOB);
    // booleans bind as 0/1 and JSON lists are already text.
    private static object Value(object? value) => value switch
    {
        null => DBNull.Value,
        Guid id => id.ToString("D"),
        _ => value,
    };

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}

/// <summary>The SQLite statements of the six tables of <see cref="StoreTables"/>.</summary>
internal static class SqliteTables
{
    public static readonly SqliteTable<DialPlan> DialPlans = new(StoreTables.DialPlans);
    public static readonly SqliteTable<IpGateway> IpGateways = new(StoreTables.IpGateways);
    public static readonly SqliteTable<HuntGroup> HuntGroups = new(StoreTables.HuntGroups);
    public static readonly SqliteTable<UmServer> UmServers = new(StoreTables.UmServers);
    public static readonly SqliteTable<Mailbox> Mailboxes = new(StoreTables.Mailboxes);
    public static readonly SqliteTable<MailboxPolicy> MailboxPolicies = new(StoreTables.MailboxPolicies);
}
