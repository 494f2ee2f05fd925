using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OpenUM.Directory;

/// <summary>SQLite's way of saying the store's statements (see <see cref="SqliteSchema"/> for the tables).</summary>
internal sealed class SqliteDialect : StoreDialect
{
    public static readonly SqliteDialect Instance = new();

    private SqliteDialect()
    {
    }

    public override string Parameter(string name) => "$" + name;

    public override string OrderColumn => "rowid";

    // Dial plan columns are COLLATE NOCASE, so plain equality is already case-insensitive (and uses the key).
    public override string DialPlanEquals(string column, string parameter) => $"{column} = {Parameter(parameter)}";

    public override string PinKey => "(dial_plan, extension)";

    // Ids are TEXT in the SQLite schema (Microsoft.Data.Sqlite would otherwise bind a Guid as a 16-byte BLOB);
    // booleans bind as 0/1 and JSON lists are already text.
    public override void Add(DbCommand command, string name, object? value, bool json = false) =>
        ((SqliteCommand)command).Parameters.AddWithValue(Parameter(name), value switch
        {
            null => DBNull.Value,
            Guid id => id.ToString("D"),
            _ => value,
        });

    public override object SetAt(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public override DateTimeOffset ReadSetAt(DbDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
