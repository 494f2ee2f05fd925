using System.Globalization;
using F = OpenUM.Directory.ConfigurationFields;

namespace OpenUM.Directory;

// CFG-1 rules for the smart host settings of a UM server (DLV-2).
public static partial class ConfigurationValidator
{
    /// <summary>Allowed SmartHostRetryInterval / SmartHostMaxRetryInterval range.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) SmartHostRetryIntervalRange = (TimeSpan.FromSeconds(1), TimeSpan.FromHours(6));
    /// <summary>Allowed SmartHostMessageExpiry range.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) SmartHostMessageExpiryRange = (TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));

    private static void ValidateSmartHost(UmServer server)
    {
        if (server.SmartHost is { } smartHost && !SmartHostEndpoint.TryParse(smartHost, out _, out _))
        {
            throw Fail(F.SmartHost, $"'{smartHost}' is not HOST:PORT: give a host name or address and a port 1-65535, e.g. mail.contoso.com:25 or [2001:db8::25]:587");
        }

        RequireDefined(server.SmartHostTls, F.SmartHostTls);
        if ((server.SmartHostUser is null) != (server.SmartHostPasswordFile is null))
        {
            throw server.SmartHostUser is null
                ? Fail(F.SmartHostUser, "a password file is set but no user: give --smart-host-user too (or neither for no SMTP AUTH)")
                : Fail(F.SmartHostPasswordFile, "a user is set but no password file: give --smart-host-password-file too (or neither for no SMTP AUTH)");
        }

        if (server.SmartHostUser is { } user && (user.Length == 0 || user.Any(char.IsControl)))
        {
            throw Fail(F.SmartHostUser, "the user name must not be empty or contain control characters");
        }

        if (server.SmartHostPasswordFile is { } file && !Path.IsPathFullyQualified(file))
        {
            throw Fail(F.SmartHostPasswordFile, $"'{file}' is not an absolute path: the server reads it from its own working directory");
        }

        var (min, max) = SmartHostRetryIntervalRange;
        RequireRange(server.SmartHostRetryInterval, min, max, F.SmartHostRetryInterval);
        RequireRange(server.SmartHostMaxRetryInterval, min, max, F.SmartHostMaxRetryInterval);
        if (server.SmartHostMaxRetryInterval < server.SmartHostRetryInterval)
        {
            throw Fail(F.SmartHostMaxRetryInterval, $"{Seconds(server.SmartHostMaxRetryInterval)} s is shorter than the first retry interval ({Seconds(server.SmartHostRetryInterval)} s)");
        }

        RequireRange(server.SmartHostMessageExpiry, SmartHostMessageExpiryRange.Min, SmartHostMessageExpiryRange.Max, F.SmartHostMessageExpiry);
    }

    private static void RequireRange(TimeSpan value, TimeSpan min, TimeSpan max, string field)
    {
        if (value < min || value > max)
        {
            throw Fail(field, $"{Seconds(value)} s is out of range: allowed {Seconds(min)} to {Seconds(max)} s");
        }
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>Parses the HOST:PORT form of <see cref="UmServer.SmartHost"/> (IPv6 addresses in brackets).</summary>
public static class SmartHostEndpoint
{
    /// <summary>Splits <paramref name="value"/> into host and port; false when it is not HOST:PORT.</summary>
    public static bool TryParse(string? value, out string host, out int port)
    {
        (host, port) = ("", 0);
        if (string.IsNullOrEmpty(value) || value.Length > 260 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return false;
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            port = 0;
            return false;
        }

        var name = value[..colon];
        if (name.StartsWith('['))
        {
            if (!name.EndsWith(']') || !System.Net.IPAddress.TryParse(name[1..^1], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                port = 0;
                return false;
            }

            name = name[1..^1];
        }
        else if (name.Contains(':') || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
        {
            port = 0;
            return false;
        }

        host = name;
        return true;
    }
}
