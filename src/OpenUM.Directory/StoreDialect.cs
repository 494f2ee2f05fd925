using System.Collections.Concurrent;
using System.Data.Common;

namespace OpenUM.Directory;

/// <summary>
/// What one database needs said its own way: parameter names and values, the insertion order column, how a JSON
/// column is read and how a dial plan is compared. The statements themselves are written once, in
/// <see cref="StoreCommands"/> and <see cref="StorePins"/>.
/// </summary>
internal abstract class StoreDialect
{
    private readonly ConcurrentDictionary<string, TableSql> _tables = new(StringComparer.Ordinal);

    /// <summary>A parameter's name as it stands in a statement ("$id", "@id").</summary>
    public abstract string Parameter(string name);

    /// <summary>The column that keeps rows in the order they were inserted.</summary>
    public abstract string OrderColumn { get; }

    /// <summary>The select expression of a column (a JSON column comes back as text).</summary>
    public virtual string Select(StoreColumn column) => column.Name;

    /// <summary>
    /// The condition "<paramref name="column"/> names the same dial plan as <paramref name="parameter"/>"
    /// (dial plan names are case-insensitive); the PIN table's unique key is on the same expression.
    /// </summary>
    public abstract string DialPlanEquals(string column, string parameter);

    /// <summary>The conflict target of the PIN table's unique key on (dial plan, extension).</summary>
    public abstract string PinKey { get; }

    /// <summary>Adds a parameter to <paramref name="command"/>; <paramref name="json"/> marks JSON text.</summary>
    public abstract void Add(DbCommand command, string name, object? value, bool json = false);

    /// <summary>The value stored in mailbox_pins.set_at.</summary>
    public abstract object SetAt(DateTimeOffset value);

    /// <summary>Reads mailbox_pins.set_at.</summary>
    public abstract DateTimeOffset ReadSetAt(DbDataReader reader, int ordinal);

    /// <summary>The four statements of one table in this dialect, built once.</summary>
    public TableSql Sql<T>(StoreTable<T> table) => _tables.GetOrAdd(table.Name, static (_, arg) => new TableSql(arg.Dialect, arg.Table.Name, arg.Table.Columns),
        (Dialect: this, Table: table));
}

/// <summary>Select, insert, update and delete of one table (columns in the order of its <see cref="StoreTable{T}"/>).</summary>
internal sealed class TableSql(StoreDialect dialect, string table, IReadOnlyList<StoreColumn> columns)
{
    public string Select { get; } = $"SELECT {string.Join(", ", columns.Select(dialect.Select))} FROM {table} ORDER BY {dialect.OrderColumn}";

    public string Insert { get; } =
        $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select(c => dialect.Parameter(c.Name)))})";

    public string Update { get; } =
        $"UPDATE {table} SET {string.Join(", ", columns.Skip(1).Select(c => $"{c.Name} = {dialect.Parameter(c.Name)}"))} WHERE id = {dialect.Parameter("id")}";

    public string Delete { get; } = $"DELETE FROM {table} WHERE id = {dialect.Parameter("id")}";
}

/// <summary>Reads and writes the rows of a <see cref="StoreTable{T}"/> on any connection, in the connection's dialect.</summary>
internal static class StoreCommands
{
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>The result of a task started with async false, which never waits, so it is complete.</summary>
    public static T Completed<T>(ValueTask<T> task) =>
        task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("a synchronous store call did not complete synchronously");

    public static List<T> ReadAll<T>(StoreDialect dialect, DbConnection connection, DbTransaction? transaction, StoreTable<T> table) =>
        Completed(ReadAll(dialect, connection, transaction, table, async: false, CancellationToken.None));

    /// <summary>Every row of <paramref name="table"/>; with <paramref name="async"/> false it never waits asynchronously.</summary>
    public static async ValueTask<List<T>> ReadAll<T>(StoreDialect dialect, DbConnection connection, DbTransaction? transaction, StoreTable<T> table,
        bool async, CancellationToken ct)
    {
        var command = Command(connection, transaction, dialect.Sql(table).Select);
        try
        {
            var reader = async ? await command.ExecuteReaderAsync(ct).ConfigureAwait(false) : command.ExecuteReader();
            try
            {
                return await table.ReadAll(reader, async, ct).ConfigureAwait(false);
            }
            finally
            {
                await DisposeAsync(reader, async).ConfigureAwait(false);
            }
        }
        finally
        {
            await DisposeAsync(command, async).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes the asynchronous way only when asked: a synchronous call must not start waiting here.</summary>
    public static ValueTask DisposeAsync<TDisposable>(TDisposable disposable, bool async)
        where TDisposable : IDisposable, IAsyncDisposable
    {
        if (async)
        {
            return disposable.DisposeAsync();
        }

        disposable.Dispose();
        return default;
    }

    public static void Insert<T>(StoreDialect dialect, DbConnection connection, DbTransaction transaction, StoreTable<T> table, T item) =>
        Write(dialect, connection, transaction, table, dialect.Sql(table).Insert, item);

    public static void Update<T>(StoreDialect dialect, DbConnection connection, DbTransaction transaction, StoreTable<T> table, T item) =>
        Write(dialect, connection, transaction, table, dialect.Sql(table).Update, item);

    public static void Delete<T>(StoreDialect dialect, DbConnection connection, DbTransaction transaction, StoreTable<T> table, Guid id)
    {
        using var command = Command(connection, transaction, dialect.Sql(table).Delete);
        dialect.Add(command, "id", id);
        command.ExecuteNonQuery();
    }

    public static long ReadVersion(DbConnection connection, DbTransaction? transaction) =>
        Scalar(connection, transaction, "SELECT version FROM config_version WHERE id = 1");

    public static long IncrementVersion(DbConnection connection, DbTransaction transaction) =>
        Scalar(connection, transaction, "UPDATE config_version SET version = version + 1 WHERE id = 1 RETURNING version");

    public static void Execute(DbConnection connection, DbTransaction? transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        command.ExecuteNonQuery();
    }

    private static long Scalar(DbConnection connection, DbTransaction? transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Write<T>(StoreDialect dialect, DbConnection connection, DbTransaction transaction, StoreTable<T> table, string sql, T item)
    {
        using var command = Command(connection, transaction, sql);
        var row = table.Values(item);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            dialect.Add(command, table.Columns[i].Name, row[i], table.Columns[i].Json);
        }

        if (command.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"configuration table {table.Name}: row {row[0]} was not written");
        }
    }
}
