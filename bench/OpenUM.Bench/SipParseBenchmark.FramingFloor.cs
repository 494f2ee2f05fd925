using System.Buffers.Text;
using BenchmarkDotNet.Attributes;

namespace OpenUM.Bench;

// REFERENCE, not OpenUM code: the floor under any stream parser on the same bytes. It only frames the message:
// finds the end of the header section (CRLFCRLF), walks the header lines (CRLF), finds each colon and reads the
// Content-Length value so it knows where the body ends. No validation, no folding, no compact forms except "l",
// no strings, no objects. Full parsing (ParseStream) does all of this and builds a SipMessage on top.
public partial class SipParseBenchmark
{
    /// <summary>Framing-only floor: header end, line boundaries, colon per line, Content-Length; returns the message length.</summary>
    [Benchmark(Description = "FramingFloor (reference)")]
    public int FramingFloor()
    {
        ReadOnlySpan<byte> data = _invite;
        var headerEnd = data.IndexOf("\r\n\r\n"u8);
        if (headerEnd < 0) return -1;
        var head = data[..(headerEnd + 2)];
        var contentLength = 0;
        var pos = head.IndexOf("\r\n"u8) + 2; // skip the start line
        while (pos < head.Length)
        {
            var line = head[pos..];
            var eol = line.IndexOf("\r\n"u8);
            line = line[..eol];
            pos += eol + 2;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon].TrimEnd((byte)' ');
            if (name.Length == 14 ? System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8)
                : name.Length == 1 && (name[0] | 0x20) == 'l')
            {
                Utf8Parser.TryParse(line[(colon + 1)..].Trim((byte)' '), out contentLength, out _);
            }
        }
        return headerEnd + 4 + contentLength;
    }
}
