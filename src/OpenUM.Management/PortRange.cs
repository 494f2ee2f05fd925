namespace OpenUM.Management;

/// <summary>Parses "A-B" port ranges.</summary>
internal static class PortRange
{
    public static bool TryParse(string text, out int first, out int last, out string? error)
    {
        first = last = 0;
        error = null;
        int dash = text.IndexOf('-');
        if (dash <= 0 || !int.TryParse(text.AsSpan(0, dash), out first) || !int.TryParse(text.AsSpan(dash + 1), out last))
            error = $"'{text}' is not a range like 16384-17383.";
        else if (first < 1024 || last > 65535 || first >= last)
            error = $"'{text}': ports must lie within 1024-65535 with the first below the last.";
        else if (last - first < 3)
            error = $"'{text}' leaves room for less than two calls (each call takes an even RTP port and the odd one after it).";
        return error is null;
    }
}
