using System.Buffers;
using System.Runtime.InteropServices;

namespace OpenUM.Sip.Message;

// Messages lent by the receive path. A connection's read loop parses into a pooled message whose bytes are a
// rented array, hands it to the stack, and returns it when that call is over: an ACK or a retransmission that is
// matched and dropped costs no allocation. Whatever keeps a request or response beyond that call (a transaction,
// a call, a dialog's event) keeps Own(), the copy that owns its bytes.
public sealed partial class SipMessage
{
    // One spare message per thread: a read loop parses and hands over on one thread between two awaits.
    [ThreadStatic] private static SipMessage? t_spare;

    private bool _pooled;
    private SipMessage? _owned; // the copy Own made, while lent

    // Lent from the pool: valid until Return; Own() to keep it.
    internal bool IsPooled => _pooled;

    // A message for the parser to fill (its headers emptied); a new one when the thread's spare is in use.
    internal static SipMessage Rent()
    {
        var m = t_spare;
        t_spare = null;
        m ??= new SipMessage(false, new SipHeaders(16)) { _pooled = true };
        return m;
    }

    // The parser did not hand it out (no message, or more bytes needed): back to the thread.
    internal static void Unrent(SipMessage m)
    {
        m.Clear();
        t_spare = m;
    }

    // A rejection keeps its partial message: it leaves the pool for good (its array, if rented, is never returned).
    internal void LeavePool() => _pooled = false;

    // After the call it was lent for: its bytes go back to the array pool and the message to the thread.
    internal static void Return(SipMessage? m)
    {
        if (m is null || !m._pooled) return;
        var raw = m._raw;
        m.Clear();
        if (raw.Length > 0) ArrayPool<byte>.Shared.Return(raw);
        t_spare = m;
    }

    private void Clear()
    {
        Headers.Reset();
        _raw = [];
        _rawLength = 0;
        _method = "";
        _reasonPhrase = "";
        _requestUri = null;
        _uriStart = -1;
        _uriLength = 0;
        StatusCode = 0;
        Body = default;
        ServerTransaction = null;
        _vias = null;
        _from = null;
        _to = null;
        _contact = null;
        _cseq = null;
        _owned = null;
    }

    // This message when it owns its bytes; for a lent one, a copy that does (the same copy on every call).
    internal SipMessage Own()
    {
        if (!_pooled) return this;
        if (_owned is { } owned) return owned;
        var raw = _raw.AsSpan(0, _rawLength).ToArray();
        var copy = new SipMessage(IsRequest, Headers.CopyTo(raw))
        {
            _method = _method,
            _reasonPhrase = _reasonPhrase,
            _requestUri = _requestUri,
            _uriStart = _uriStart,
            _uriLength = _uriLength,
            _raw = raw,
            _rawLength = _rawLength,
            StatusCode = StatusCode,
            Body = Body,
            _vias = _vias,
            _from = _from,
            _to = _to,
            _contact = _contact,
            _cseq = _cseq,
        };
        // A body the parser set points into the lent bytes: the copy points into its own.
        if (MemoryMarshal.TryGetArray(Body, out var segment) && ReferenceEquals(segment.Array, _raw))
        {
            copy.Body = raw.AsMemory(segment.Offset, segment.Count);
        }
        _owned = copy;
        return copy;
    }
}
