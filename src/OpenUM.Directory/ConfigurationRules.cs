using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace OpenUM.Directory;

/// <summary>Syntax rules shared by validation and callers (CLI, peer list): names, addresses, digits.</summary>
public static class ConfigurationRules
{
    /// <summary>Longest object name (Exchange: 64).</summary>
    public const int MaxNameLength = 64;

    /// <summary>True for a strict IPv4 dotted quad or an IPv6 literal without brackets or zone.</summary>
    public static bool IsIPAddressLiteral([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.Contains(':'))
        {
            // Brackets and zone ids ("%eth0") are refused: a gateway address must mean one host everywhere.
            foreach (var c in value)
            {
                if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
                {
                    return false;
                }
            }

            return IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IsStrictIPv4(value);
    }

    /// <summary>True for an RFC 1123 host name: dot-separated labels of letters, digits and '-', the last not all-numeric.</summary>
    public static bool IsHostName([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 253)
        {
            return false;
        }

        var labels = value.Split('.');
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        // RFC 1123 §2.1: the top-level label is alphabetic, which keeps "10.0.0.300" from passing as a name.
        return !IsDigits(labels[^1]);
    }

    /// <summary>
    /// True for an ASCII addr-spec "local@domain": dot-atom local part (without '/' and '\', since the
    /// address names a maildir folder) of at most 64 characters and a host-name domain; 254 characters at most.
    /// </summary>
    public static bool IsEmailAddress([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 254)
        {
            return false;
        }

        var at = value.LastIndexOf('@');
        if (at <= 0 || at > 64 || at == value.Length - 1)
        {
            return false;
        }

        var local = value.AsSpan(0, at);
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-=?^_`{|}~.".Contains(c))
            {
                return false;
            }
        }

        return IsHostName(value[(at + 1)..]);
    }

    /// <summary>True when the value is non-empty and only ASCII digits.</summary>
    public static bool IsDigits([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for a telephone number: an optional leading '+' then digits.</summary>
    public static bool IsPhoneNumber([NotNullWhen(true)] string? value) =>
        !string.IsNullOrEmpty(value) && IsDigits(value[0] == '+' ? value[1..] : value);

    /// <summary>True when the value contains a control character (C0, DEL or C1).</summary>
    public static bool HasControlCharacters(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsStrictIPv4(string value)
    {
        var parts = value.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            // Leading zeros are refused: some parsers read them as octal.
            if (part.Length is 0 or > 3 || !IsDigits(part) || (part.Length > 1 && part[0] == '0') || int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }
}
