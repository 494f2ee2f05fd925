using System.Buffers;
using System.Globalization;
using System.Text;

namespace OpenUM.Media.Sdp;

// A part of an SDP line that writes itself without making a string first.
internal interface ISdpWritable
{
    void WriteTo(ref SdpWriter writer);
}

// SDP text built in one pooled buffer: the parts (origin, c=, attributes, numbers) are written in place, not made
// into strings first, and the result is copied once, into a string or straight into UTF-8 bytes for a SIP body.
internal ref struct SdpWriter
{
    private char[] _buffer;
    private int _length;

    public SdpWriter(int capacity) => _buffer = ArrayPool<char>.Shared.Rent(capacity);

    public readonly ReadOnlySpan<char> Written => _buffer.AsSpan(0, _length);

    public void Append(char c)
    {
        if (_length == _buffer.Length)
            Grow(1);
        _buffer[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> s)
    {
        if (s.Length > _buffer.Length - _length)
            Grow(s.Length);
        s.CopyTo(_buffer.AsSpan(_length));
        _length += s.Length;
    }

    public void AppendNumber<T>(T value) where T : ISpanFormattable
    {
        // 20 characters hold any 64-bit number, sign included.
        if (_buffer.Length - _length < 20)
            Grow(20);
        value.TryFormat(_buffer.AsSpan(_length), out int written, default, CultureInfo.InvariantCulture);
        _length += written;
    }

    // "<type>=" starts every line; "\r\n" ends it.
    public void Start(char type)
    {
        Append(type);
        Append('=');
    }

    public void End() => Append("\r\n");

    public void Line(char type, ReadOnlySpan<char> value)
    {
        Start(type);
        Append(value);
        End();
    }

    public void Line<T>(char type, T part) where T : ISdpWritable
    {
        Start(type);
        part.WriteTo(ref this);
        End();
    }

    public override readonly string ToString() => new(Written);

    public static string Format<T>(T part) where T : ISdpWritable
    {
        using var w = Of(part);
        return w.ToString();
    }

    public static byte[] FormatUtf8<T>(T part) where T : ISdpWritable
    {
        using var w = Of(part);
        return w.ToUtf8();
    }

    // A part that throws while writing leaves its buffer to the collector, not to the pool.
    private static SdpWriter Of<T>(T part) where T : ISdpWritable
    {
        var w = new SdpWriter(512);
        part.WriteTo(ref w);
        return w;
    }

    public readonly byte[] ToUtf8() => Encoding.UTF8.GetBytes(_buffer, 0, _length);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
            ArrayPool<char>.Shared.Return(buffer);
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + needed));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
