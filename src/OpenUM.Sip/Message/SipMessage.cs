using System.Buffers;
using System.Globalization;
using System.Text;

namespace OpenUM.Sip.Message;

/// <summary>A SIP request or response (RFC 3261 §7).</summary>
public sealed partial class SipMessage
{
    private string _method = "";
    private string _reasonPhrase = "";
    private SipUri? _requestUri;
    private int _uriStart = -1; // a parsed Request-URI still in the message bytes: made a SipUri on first read
    private int _uriLength;
    private byte[] _raw = [];   // a parsed message's bytes (from index 0): header values and body point into them
    private int _rawLength;

    private SipMessage(bool isRequest, SipHeaders headers)
    {
        IsRequest = isRequest;
        Headers = headers;
    }

    // The parser's start line: a request whose Request-URI (already validated) is bytes [uriStart, uriStart +
    // uriLength) of the buffer Attach gives, or whose URI did not parse (uriStart -1); or a response. `reuse` is a
    // pooled message to fill instead of a new one (its headers are the ones given).
    internal static SipMessage NewRequest(string method, int uriStart, int uriLength, SipHeaders headers, SipMessage? reuse)
    {
        var m = reuse ?? new SipMessage(true, headers);
        m.IsRequest = true;
        m._method = method;
        m._uriStart = uriStart;
        m._uriLength = uriLength;
        return m;
    }

    internal static SipMessage NewResponse(int statusCode, string reason, SipHeaders headers, SipMessage? reuse)
    {
        var m = reuse ?? new SipMessage(false, headers);
        m.IsRequest = false;
        m.StatusCode = statusCode;
        m._reasonPhrase = reason;
        return m;
    }

    /// <summary>True for requests.</summary>
    public bool IsRequest { get; private set; }

    /// <summary>Request method as received (case-sensitive, RFC 3261 §7.1).</summary>
    public string Method
    {
        get => _method;
        set
        {
            if (!SipGrammar.IsToken(value)) throw new ArgumentException("A method must be a token.", nameof(value));
            _method = value;
        }
    }

    /// <summary>Request-URI (null only on a partial message whose URI did not parse).</summary>
    public SipUri? RequestUri
    {
        get
        {
            var uri = Volatile.Read(ref _requestUri);
            if (uri is not null || _uriStart < 0) return uri;
            uri = ParseRequestUri(_raw.AsSpan(_uriStart, _uriLength));
            // Two readers racing here store equal URIs.
            Volatile.Write(ref _requestUri, uri);
            return uri;
        }
        set
        {
            _requestUri = value;
            _uriStart = -1;
        }
    }

    // The Request-URI is of a scheme we serve (sip, sips, tel; §8.2.2.1), known without building it: the parser lets
    // only such a URI into a message's bytes.
    internal bool HasServedRequestUri => _uriStart >= 0 || Volatile.Read(ref _requestUri) is { IsOpaque: false };

    private static SipUri? ParseRequestUri(ReadOnlySpan<byte> bytes)
    {
        var rented = bytes.Length > 256 ? ArrayPool<char>.Shared.Rent(bytes.Length) : null;
        try
        {
            var chars = rented is null ? stackalloc char[bytes.Length] : rented.AsSpan(0, bytes.Length);
            Ascii.ToUtf16(bytes, chars, out _);
            return SipUri.TryParse(chars, out var uri) ? uri : null;
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    // The bytes the parser read this message from (the first `length` of raw); header values, Request-URI and
    // body point into them.
    internal void Attach(byte[] raw, int length)
    {
        _raw = raw;
        _rawLength = length;
        Headers.Attach(raw);
    }

    /// <summary>Response status code.</summary>
    public int StatusCode { get; set; }

    /// <summary>Response reason phrase.</summary>
    public string ReasonPhrase
    {
        get => _reasonPhrase;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new ArgumentException("CR/LF in reason phrase.", nameof(value));
            _reasonPhrase = value;
        }
    }

    /// <summary>Headers in order.</summary>
    public SipHeaders Headers { get; }

    /// <summary>Body; Content-Length is computed on serialization.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    // The server transaction an incoming request created, so a failure after it answered does not answer twice.
    internal Transactions.SipTransaction? ServerTransaction { get; set; }

    /// <summary>Creates a request with no headers.</summary>
    public static SipMessage CreateRequest(string method, SipUri requestUri)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        return new SipMessage(true, new SipHeaders()) { Method = method, RequestUri = requestUri };
    }

    /// <summary>
    /// Creates a response copying all Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2); adds no To tag.
    /// </summary>
    public static SipMessage CreateResponse(SipMessage request, int statusCode, string? reasonPhrase = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (statusCode is < 100 or > 699) throw new ArgumentOutOfRangeException(nameof(statusCode));
        // Room for what a 2xx with SDP adds to the five copied lines.
        var response = new SipMessage(false, new SipHeaders(12))
        {
            StatusCode = statusCode,
            ReasonPhrase = reasonPhrase ?? SipReasonPhrases.Get(statusCode),
        };
        // The values are the request's bytes when it owns them: a lent request's go back to the pool after the call.
        var share = !request.IsPooled;
        var headers = request.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.Equals(headers.NameAt(i), SipHeaderNames.Via, StringComparison.OrdinalIgnoreCase)) response.Headers.AddCopy(headers, i, share);
        }
        CopyFirst(headers, response.Headers, SipHeaderNames.From, share);
        CopyFirst(headers, response.Headers, SipHeaderNames.To, share);
        CopyFirst(headers, response.Headers, SipHeaderNames.CallId, share);
        CopyFirst(headers, response.Headers, SipHeaderNames.CSeq, share);
        // RFC 3261 §8.2.6.1: a 100 echoes the request's Timestamp.
        if (statusCode == 100) CopyFirst(headers, response.Headers, "Timestamp", share);
        return response;
    }

    private static void CopyFirst(SipHeaders from, SipHeaders to, string canonical, bool share)
    {
        var index = from.IndexOf(canonical);
        if (index >= 0) to.AddCopy(from, index, share);
    }

    /// <summary>Writes start line, headers in order, a computed Content-Length, CRLF and the body.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (IsRequest && RequestUri is null) throw new InvalidOperationException("A request needs a Request-URI.");
        Write(writer);
    }

    private void Write(IBufferWriter<byte> writer)
    {
        if (IsRequest)
        {
            WriteText(writer, _method);
            WriteAscii(writer, " "u8);
            WriteText(writer, RequestUri?.ToString() ?? "<invalid>");
            WriteAscii(writer, " SIP/2.0\r\n"u8);
        }
        else
        {
            WriteAscii(writer, "SIP/2.0 "u8);
            WriteNumber(writer, StatusCode, "D3");
            WriteAscii(writer, " "u8);
            WriteText(writer, _reasonPhrase);
            WriteAscii(writer, "\r\n"u8);
        }
        var lengthWritten = false;
        var headers = Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers.NameAt(i);
            if (string.Equals(name, SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                // The body decides the length; a stale header must never reach the wire (framing).
                if (!lengthWritten) WriteContentLength(writer);
                lengthWritten = true;
                continue;
            }
            WriteText(writer, name);
            WriteAscii(writer, ": "u8);
            headers.WriteValue(i, writer);
            WriteAscii(writer, "\r\n"u8);
        }
        if (!lengthWritten) WriteContentLength(writer);
        WriteAscii(writer, "\r\n"u8);
        if (!Body.IsEmpty) writer.Write(Body.Span);
    }

    private void WriteContentLength(IBufferWriter<byte> writer)
    {
        WriteAscii(writer, "Content-Length: "u8);
        WriteNumber(writer, Body.Length, default);
        WriteAscii(writer, "\r\n"u8);
    }

    private static void WriteNumber(IBufferWriter<byte> writer, int value, ReadOnlySpan<char> format)
    {
        var span = writer.GetSpan(11);
        value.TryFormat(span, out var written, format, CultureInfo.InvariantCulture);
        writer.Advance(written);
    }

    private static void WriteAscii(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    private static void WriteText(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Serializes the message to a new array.</summary>
    public byte[] ToArray()
    {
        // Written into the thread's buffer and copied once: the array returned is the only allocation.
        var w = t_writer ??= new ArrayBufferWriter<byte>(2048);
        w.ResetWrittenCount();
        WriteTo(w);
        var bytes = w.WrittenSpan.ToArray();
        if (w.Capacity > MaxKeptWriter) t_writer = null; // a rare large message does not stay with the thread
        return bytes;
    }

    private const int MaxKeptWriter = 16 * 1024;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_writer;

    /// <summary>The serialized message as text, for logs and tests.</summary>
    public override string ToString()
    {
        var w = new ArrayBufferWriter<byte>(512 + Body.Length);
        Write(w);
        return Encoding.UTF8.GetString(w.WrittenSpan);
    }
}
