using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace OpenUM.Directory.Postgres;

/// <summary>PostgreSQL's way of saying the store's statements (see <see cref="PostgresSchema"/> for the tables).</summary>
internal sealed class PostgresDialect : StoreDialect
{
    public static readonly PostgresDialect Instance = new();

    private PostgresDialect()
    {
    }

    public override string Parameter(string name) => "@" + name;

    public override string OrderColumn => "seq";

    // jsonb comes back as text, which the same JSON readers as SQLite's parse.
    public override string Select(StoreColumn column) => column.Json ? column.Name + "::text" : column.Name;

    // The unique indexes are on lower(dial_plan), so the comparison is written the same way to use them.
    public override string DialPlanEquals(string column, string parameter) => $"lower({column}) = lower({Parameter(parameter)})";

    public override string PinKey => "(lower(dial_plan), extension)";

    public override void Add(DbCommand command, string name, object? value, bool json = false)
    {
        var parameter = new NpgsqlParameter(name, value ?? DBNull.Value);
        if (json)
        {
            // JSON lists are formatted as text; the parameter type makes PostgreSQL take them as jsonb.
            parameter.NpgsqlDbType = NpgsqlDbType.Jsonb;
        }

        ((NpgsqlCommand)command).Parameters.Add(parameter);
    }

    public override object SetAt(DateTimeOffset value) => value.ToUniversalTime();

    public override DateTimeOffset ReadSetAt(DbDataReader reader, int ordinal) => new(reader.GetDateTime(ordinal), TimeSpan.Zero);
}
