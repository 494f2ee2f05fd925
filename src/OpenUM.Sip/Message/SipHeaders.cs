using System.Buffers;
using System.Collections;
using System.Net;
using System.Text;
using System.Text.Unicode;

namespace OpenUM.Sip.Message;

/// <summary>Ordered SIP header collection; names in canonical long form, lookup case-insensitive; not for concurrent mutation.</summary>
/// <remarks>
/// A parsed message's values stay bytes of the message until something reads them: each becomes a string on its
/// first read and is kept. The transaction layer reads the few values it matches on without any string.
/// </remarks>
public sealed class SipHeaders : IEnumerable<SipHeader>
{
    private Entry[] _items;
    private int _count;
    private byte[] _raw = [];     // the message bytes that parsed values point into
    private IPAddress? _stampAddress; // received (and rport) to write into the top Via when it is read (§18.2.1)
    private int? _stampRPort;
    private int _stampIndex = -1;
    private int _checkedVersion = -1; // the Version at which the parser found the first From and To well formed

    // A header line: a value given as a string (Start = -1), or a range of _raw made a string on first read.
    private struct Entry
    {
        public string Name;
        public string? Value;
        public int Start;
        public int Length;
    }

    /// <summary>Creates an empty collection.</summary>
    public SipHeaders() => _items = [];

    internal SipHeaders(int capacity) => _items = capacity > 0 ? new Entry[capacity] : [];

    // Bumped on every mutation so SipMessage can cache typed views safely.
    internal int Version { get; private set; }

    // The first From and To are as the parser checked them (a stamp of the top Via keeps this true): reading them
    // again need not check their URIs again.
    internal bool AddressesChecked => _checkedVersion == Version;

    internal void MarkAddressesChecked() => _checkedVersion = Version;

    /// <summary>Number of header lines.</summary>
    public int Count => _count;

    /// <summary>The header line at <paramref name="index"/>.</summary>
    public SipHeader this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            return new SipHeader(_items[index].Name, ValueAt(index));
        }
    }

    /// <summary>Appends a header line; compact names are expanded.</summary>
    public void Add(string name, string value)
    {
        CheckName(name);
        CheckValue(value);
        AddCanonical(SipHeaderNames.Canonicalize(name), value);
    }

    // The parser hands over names that are already canonical and interned.
    internal void AddCanonical(string name, string value)
    {
        Settle();
        Append(new Entry { Name = name, Value = value, Start = -1 });
        Version++;
    }

    // Line `index` of `source`, for a response echoing its request (§8.2.6.2). With shareBytes (the source owns
    // bytes that never change) a value still in those bytes stays there: the response points into them, so the
    // value is neither decoded nor encoded again. A collection shares the bytes of one source only.
    internal void AddCopy(SipHeaders source, int index, bool shareBytes)
    {
        ref var line = ref source._items[index];
        if (!shareBytes || line.Value is not null || index == source._stampIndex || (_raw.Length > 0 && !ReferenceEquals(_raw, source._raw)))
        {
            AddCanonical(line.Name, source.ValueAt(index));
            return;
        }
        Settle();
        _raw = source._raw;
        Append(new Entry { Name = line.Name, Start = line.Start, Length = line.Length });
        Version++;
    }

    // A parsed line: its value is bytes [start, start + length) of the buffer Attach gives, white space trimmed.
    internal void AddRaw(string name, int start, int length) =>
        Append(new Entry { Name = name, Start = start, Length = length });

    // The buffer the parsed values point into (the message's own bytes).
    internal void Attach(byte[] raw) => _raw = raw;

    private void Append(in Entry entry)
    {
        if (_count == _items.Length) Array.Resize(ref _items, Math.Max(4, _count * 2));
        _items[_count++] = entry;
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
        Settle();
        Version++;
        var canonical = SipHeaderNames.Canonicalize(name);
        var index = IndexOf(canonical);
        if (index < 0)
        {
            Append(new Entry { Name = canonical, Value = value, Start = -1 });
            return;
        }
        _items[index] = new Entry { Name = canonical, Value = value, Start = -1 };
        RemoveWhere(canonical, index + 1);
    }

    /// <summary>Removes every line of that name; true if any was removed.</summary>
    public bool Remove(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        Settle();
        Version++;
        return RemoveWhere(canonical, 0) > 0;
    }

    private int RemoveWhere(string canonical, int from)
    {
        var kept = from;
        for (var i = from; i < _count; i++)
        {
            if (!Matches(_items[i].Name, canonical)) _items[kept++] = _items[i];
        }
        var removed = _count - kept;
        Array.Clear(_items, kept, removed);
        _count = kept;
        return removed;
    }

    /// <summary>The first line's value, or null.</summary>
    public string? Get(string name)
    {
        var index = IndexOf(SipHeaderNames.Canonicalize(name));
        return index < 0 ? null : ValueAt(index);
    }

    /// <summary>Each line's value, in order.</summary>
    public IEnumerable<string> GetAll(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        for (var i = 0; i < _count; i++)
        {
            if (Matches(_items[i].Name, canonical)) yield return ValueAt(i);
        }
    }

    /// <summary>All values of all lines of that name, split on top-level commas.</summary>
    public IReadOnlyList<string> SplitValues(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        List<string>? result = null;
        for (var i = 0; i < _count; i++)
        {
            if (!Matches(_items[i].Name, canonical)) continue;
            result ??= new List<string>();
            SipGrammar.SplitTopLevelCommas(ValueAt(i), result);
        }
        return result ?? (IReadOnlyList<string>)Array.Empty<string>();
    }

    /// <summary>True when at least one line of that name exists.</summary>
    public bool Contains(string name) => IndexOf(SipHeaderNames.Canonicalize(name)) >= 0;

    /// <inheritdoc/>
    public IEnumerator<SipHeader> GetEnumerator()
    {
        var version = Version;
        for (var i = 0; i < _count; i++)
        {
            if (Version != version) throw new InvalidOperationException("The headers changed during enumeration.");
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Index of the first line at or after `from` with that canonical name, or -1.
    internal int IndexOf(string canonical, int from = 0)
    {
        for (var i = from; i < _count; i++)
        {
            if (Matches(_items[i].Name, canonical)) return i;
        }
        return -1;
    }

    internal string NameAt(int index) => _items[index].Name;

    // The value as a string, built from the message bytes on first read and kept.
    internal string ValueAt(int index)
    {
        ref var entry = ref _items[index];
        var value = entry.Value;
        if (value is not null) return value;
        value = SipParser.DecodeValue(_raw.AsSpan(entry.Start, entry.Length));
        if (index == _stampIndex) value = Stamped(value);
        // Two readers racing here store equal strings.
        entry.Value = value;
        return value;
    }

    // The value as it goes on the wire. Bytes of the message are copied when decoding and encoding them again
    // would give the same bytes (no folded line, valid UTF-8); otherwise the string is encoded.
    internal void WriteValue(int index, IBufferWriter<byte> writer)
    {
        ref var entry = ref _items[index];
        if (entry.Value is null && index != _stampIndex)
        {
            var raw = _raw.AsSpan(entry.Start, entry.Length);
            if (raw.IndexOf((byte)'\r') < 0 && Utf8.IsValid(raw))
            {
                writer.Write(raw.Trim(" \t"u8));
                return;
            }
        }
        var value = ValueAt(index);
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
        writer.Advance(Encoding.UTF8.GetBytes(value, span));
    }

    // The value as characters without building a string when it is still bytes that fit in scratch and hold no
    // folded line; otherwise the string (built once, as ValueAt).
    internal ReadOnlySpan<char> ValueChars(int index, Span<char> scratch)
    {
        ref var entry = ref _items[index];
        if (entry.Value is { } value) return value;
        if (index != _stampIndex && entry.Length <= scratch.Length)
        {
            var raw = _raw.AsSpan(entry.Start, entry.Length);
            if (raw.IndexOf((byte)'\r') < 0) return scratch[..Encoding.UTF8.GetChars(raw, scratch)];
        }
        return ValueAt(index);
    }

    // §18.2.1 and RFC 3581 §4: the top Via gets received (and rport when asked for) when it is next read, so a
    // request that is matched and never answered costs no string. A value already a string is rewritten now.
    internal void StampTopVia(IPAddress received, int? rport)
    {
        Settle();
        var index = IndexOf(SipHeaderNames.Via);
        if (index < 0) return;
        var addressesChecked = AddressesChecked;
        Version++;
        if (addressesChecked) _checkedVersion = Version;
        _stampAddress = received;
        _stampRPort = rport;
        ref var entry = ref _items[index];
        if (entry.Start >= 0)
        {
            entry.Value = null;
            _stampIndex = index;
            return;
        }
        entry.Value = Stamped(entry.Value!);
    }

    // The value with its first via-parm carrying received/rport; the rest of the line as it was.
    private string Stamped(string value)
    {
        var comma = SipGrammar.NextTopLevelComma(value, 0);
        var first = comma >= 0 ? value.AsSpan(0, comma) : value;
        if (SipVia.Stamp(first, _stampAddress!, _stampRPort) is not { } stamped) return value;
        if (comma < 0) return stamped;
        var values = new List<string> { stamped };
        SipGrammar.SplitTopLevelCommas(value[(comma + 1)..], values);
        return string.Join(", ", values);
    }

    // Before a mutation moves lines around: a pending stamp becomes the line's string.
    private void Settle()
    {
        if (_stampIndex < 0) return;
        ref var entry = ref _items[_stampIndex];
        entry.Value = ValueAt(_stampIndex);
        entry.Start = -1;
        _stampIndex = -1;
    }

    // A copy that owns its bytes (for a message kept beyond the read that parsed it).
    internal SipHeaders CopyTo(byte[] raw)
    {
        var copy = new SipHeaders(_count)
        {
            _count = _count,
            _raw = raw,
            _stampAddress = _stampAddress,
            _stampRPort = _stampRPort,
            _stampIndex = _stampIndex,
            _checkedVersion = _checkedVersion,
            Version = Version,
        };
        Array.Copy(_items, copy._items, _count);
        return copy;
    }

    // Empties the collection for reuse with another message's bytes; the line array is kept.
    internal void Reset()
    {
        Array.Clear(_items, 0, _count);
        _count = 0;
        _raw = [];
        _stampAddress = null;
        _stampRPort = null;
        _stampIndex = -1;
        _checkedVersion = -1;
        Version++;
    }

    private static bool Matches(string a, string b) =>
        ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
