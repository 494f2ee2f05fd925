using System.Globalization;
using Npgsql;

namespace OpenUM.Directory.Postgres;

/// <summary>
/// A PostgreSQL configuration store given as an Npgsql connection string
/// (<c>Host=db;Username=openum;Database=openum</c>) or a URI (<c>postgres://openum@db:5432/openum?sslmode=require</c>).
/// <see cref="ToString"/> is safe to print: it never holds the password.
/// </summary>
public sealed class StoreLocation
{
    private StoreLocation(NpgsqlConnectionStringBuilder builder)
    {
        ConnectionString = builder.ConnectionString;
        var shown = new NpgsqlConnectionStringBuilder(builder.ConnectionString);
        if (!string.IsNullOrEmpty(shown.Password))
        {
            shown.Password = "***";
        }

        Display = shown.ConnectionString;
    }

    /// <summary>The Npgsql connection string (holds the password when one was given: never print it).</summary>
    public string ConnectionString { get; }

    /// <summary>The connection string with the password replaced by ***.</summary>
    public string Display { get; }

    /// <inheritdoc/>
    public override string ToString() => Display;

    /// <summary>
    /// Parses a --store value; false with a reason (which never repeats the value, as it may hold a password)
    /// when it is neither a postgres:// / postgresql:// URI nor an Npgsql connection string.
    /// </summary>
    public static bool TryParse(string text, out StoreLocation? location, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        location = null;
        text = text.Trim();
        try
        {
            NpgsqlConnectionStringBuilder builder;
            if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            {
                builder = FromUri(text, out error);
                if (error is not null)
                {
                    return false;
                }
            }
            else if (text.Contains('=', StringComparison.Ordinal))
            {
                builder = new NpgsqlConnectionStringBuilder(text);
            }
            else
            {
                error = "expected an Npgsql connection string (Host=...;Username=...;Database=...) or a postgres:// URI";
                return false;
            }

            if (string.IsNullOrEmpty(builder.Host))
            {
                error = "the PostgreSQL host is missing (Host=... or postgres://HOST/...)";
                return false;
            }

            location = new StoreLocation(builder);
            error = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or UriFormatException or OverflowException)
        {
            // Npgsql's own messages name the key, not the value; they are shown without the input.
            error = "not a valid Npgsql connection string or postgres:// URI: " + e.Message;
            return false;
        }
    }

    /// <summary>Parses or throws <see cref="ArgumentException"/> with the reason.</summary>
    public static StoreLocation Parse(string text) =>
        TryParse(text, out var location, out var error) ? location! : throw new ArgumentException(error, nameof(text));

    // libpq URI form: postgres[ql]://[user[:password]@][host][:port][/dbname][?param=value&...]
    // (one host; a unix-socket directory goes in ?host=).
    private static NpgsqlConnectionStringBuilder FromUri(string text, out string? error)
    {
        error = null;
        var builder = new NpgsqlConnectionStringBuilder();
        var uri = new Uri(text, UriKind.Absolute);
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        if (uri.Host.Length > 0)
        {
            builder.Host = uri.Host.Trim('[', ']');
        }

        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            switch (key.ToLowerInvariant())
            {
                case "host": builder.Host = value; break;
                case "port": builder.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "user": builder.Username = value; break;
                case "password": builder.Password = value; break;
                case "dbname": builder.Database = value; break;
                case "sslmode": builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                case "application_name": builder.ApplicationName = value; break;
                case "connect_timeout": builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "sslrootcert": builder.RootCertificate = value; break;
                case "sslcert": builder.SslCertificate = value; break;
                case "sslkey": builder.SslKey = value; break;
                case "passfile": builder.Passfile = value; break;
                default:
                    error = $"URI parameter '{key}' is not supported (use host, port, user, dbname, sslmode, sslrootcert, sslcert, sslkey, passfile, application_name, connect_timeout, or an Npgsql connection string)";
                    break;
            }
        }

        return builder;
    }
}

/// <summary>The configuration store cannot be reached or read (the message names it without its password).</summary>
public sealed class ConfigurationStoreUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
