using System.Collections;

namespace OpenUM.Sip.Message;

/// <summary>Ordered SIP header collection; names in canonical long form, lookup case-insensitive; not for concurrent mutation.</summary>
public sealed class SipHeaders : IEnumerable<SipHeader>
{
    private readonly List<SipHeader> _items;

    /// <summary>Creates an empty collection.</summary>
    public SipHeaders() => _items = new List<SipHeader>();

    internal SipHeaders(int capacity) => _items = new List<SipHeader>(capacity);

    // Bumped on every mutation so SipMessage can cache typed views safely.
    internal int Version { get; private set; }

    /// <summary>Number of header lines.</summary>
    public int Count => _items.Count;

    /// <summary>The header line at <paramref name="index"/>.</summary>
    public SipHeader this[int index] => _items[index];

    /// <summary>Appends a header line; compact names are expanded.</summary>
    public void Add(string name, string value)
    {
        CheckName(name);
        CheckValue(value);
        _items.Add(new SipHeader(SipHeaderNames.Canonicalize(name), value));
        Version++;
    }

    // The parser hands over names that are already canonical and interned.
    internal void AddCanonical(string name, string value)
    {
        _items.Add(new SipHeader(name, value));
        Version++;
    }

    // Serialization writes these verbatim, so a CR or LF here would let a caller inject header lines.
    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!SipGrammar.IsToken(name)) throw new ArgumentException($"Header name '{name}' is not a token.", nameof(name));
    }

    // A quoted-pair may escape any control but CR and LF (RFC 3261 §25.1): a display name received that way is
    // echoed in responses, so an escaped control passes; an unescaped one, or any CR/LF, never does.
    private static void CheckValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = false;
        foreach (var c in value)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                if (!escaped || c is '\r' or '\n')
                {
                    throw new ArgumentException("Header values must not contain control characters.", nameof(value));
                }
            }
            escaped = !escaped && c == '\\';
        }
    }

    /// <summary>Replaces every line of that name with one line, keeping the first one's position.</summary>
    public void Set(string name, string value)
    {
        CheckName(name);
        CheckValue(value);
        Version++;
        var canonical = SipHeaderNames.Canonicalize(name);
        var index = IndexOf(canonical);
        if (index < 0)
        {
            _items.Add(new SipHeader(canonical, value));
            return;
        }
        _items[index] = new SipHeader(canonical, value);
        for (var i = _items.Count - 1; i > index; i--)
        {
            if (Matches(_items[i].Name, canonical)) _items.RemoveAt(i);
        }
    }

    /// <summary>Removes every line of that name; true if any was removed.</summary>
    public bool Remove(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        Version++;
        return _items.RemoveAll(h => Matches(h.Name, canonical)) > 0;
    }

    /// <summary>The first line's value, or null.</summary>
    public string? Get(string name)
    {
        var index = IndexOf(SipHeaderNames.Canonicalize(name));
        return index < 0 ? null : _items[index].Value;
    }

    /// <summary>Each line's value, in order.</summary>
    public IEnumerable<string> GetAll(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        foreach (var h in _items)
        {
            if (Matches(h.Name, canonical)) yield return h.Value;
        }
    }

    /// <summary>All values of all lines of that name, split on top-level commas.</summary>
    public IReadOnlyList<string> SplitValues(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        List<string>? result = null;
        foreach (var h in _items)
        {
            if (!Matches(h.Name, canonical)) continue;
            result ??= new List<string>();
            SipGrammar.SplitTopLevelCommas(h.Value, result);
        }
        return result ?? (IReadOnlyList<string>)Array.Empty<string>();
    }

    /// <summary>True when at least one line of that name exists.</summary>
    public bool Contains(string name) => IndexOf(SipHeaderNames.Canonicalize(name)) >= 0;

    /// <inheritdoc/>
    public IEnumerator<SipHeader> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string canonical)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (Matches(_items[i].Name, canonical)) return i;
        }
        return -1;
    }

    private static bool Matches(string a, string b) =>
        ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
