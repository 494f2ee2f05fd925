using System.Net;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

// Incoming requests: transaction matching (§17.2.3), validation (§8.2), then dialog or new call.
public sealed partial class SipUserAgent
{
    private void HandleRequest(SipConnection connection, SipMessage request)
    {
        Span<char> viaChars = stackalloc char[SipMessage.ScratchLength];
        Span<char> keyChars = stackalloc char[SipTransactionKeys.StackLength];
        var method = request.Method;
        var key = Prepare(connection, request, viaChars, keyChars, out var top, out var hasVia);
        if (key.IsEmpty)
        {
            // The parser guarantees these for complete messages; anything else cannot be answered sensibly.
            if (hasVia && method != "ACK") TrySendStateless(connection, request, 400, "Missing Mandatory Header");
            return;
        }
        if (method == "ACK")
        {
            HandleAck(request, key);
            return;
        }
        if (_serverTransactionsBySpan.TryGetValue(key, out var existing))
        {
            // A retransmission: the transaction answers it (or absorbs it).
            if (existing is InviteServerTransaction ist) ist.OnRetransmission();
            else if (existing is NonInviteServerTransaction nist) nist.OnRetransmission();
            return;
        }
        HandleNewRequest(connection, request, key.ToString(), top.Port, top.HasRPort);
    }

    // What every request goes through before anything is done with it, reading only what it needs in place: the
    // top Via (false hasVia: none that parses), CSeq, Call-ID, From and To present, the top Via stamped with where
    // the request came from (§18.2.1), and the transaction key (§17.2.3), empty when any of this is missing.
    private static ReadOnlySpan<char> Prepare(SipConnection connection, SipMessage request, Span<char> viaChars, Span<char> keyChars,
        out SipVia.Parts top, out bool hasVia)
    {
        hasVia = request.TryReadTopVia(viaChars, out top);
        if (!hasVia || request.CSeq is null || !HasDialogHeaders(request)) return default;
        StampReceived(request, top, connection.Info.Remote);
        return SipTransactionKeys.ForServer(request, top, request.Method, keyChars);
    }

    private static bool HasDialogHeaders(SipMessage request)
    {
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        return request.TryReadFirst(SipHeaderNames.CallId, scratch, out _)
            && request.TryReadAddress(SipHeaderNames.From, scratch, out _)
            && request.TryReadAddress(SipHeaderNames.To, scratch, out _);
    }

    // The matching an in-dialog request goes through before HandleRequest acts on it: Prepare, not a
    // retransmission, then its dialog (§12.2.2). Null when any step finds nothing. The receive-path benchmark
    // measures this.
    internal SipDialog? MatchInDialog(SipConnection connection, SipMessage request)
    {
        Span<char> viaChars = stackalloc char[SipMessage.ScratchLength];
        Span<char> keyChars = stackalloc char[SipTransactionKeys.StackLength];
        var key = Prepare(connection, request, viaChars, keyChars, out _, out _);
        return key.IsEmpty || _serverTransactionsBySpan.ContainsKey(key) ? null : FindDialog(request);
    }

    // A request that is not a retransmission: it gets a server transaction under `key`, and from here on it may be
    // kept (transaction, call, dialog events), so it owns its bytes.
    private void HandleNewRequest(SipConnection connection, SipMessage request, string key, int? viaPort, bool rport)
    {
        request = request.Own();
        var method = request.Method;
        var cseq = request.CSeq!.Value;
        var responseConnection = ResponseConnection(connection, viaPort, rport);
        // A method we know must match its CSeq; one nobody defined gets §8.2.1's 501 whatever its CSeq says
        // (RFC 4475 §3.1.2.18 prefers that to a 400).
        if (!string.Equals(cseq.Method, method, StringComparison.Ordinal)
            && (SipGrammar.IsKnownMethod(method) || _policy.AllowedMethods.Contains(method)))
        {
            RespondNew(responseConnection, key, request, 400, "CSeq Method Mismatch");
            return;
        }
        if (method == "CANCEL")
        {
            HandleCancel(responseConnection, request, key);
            return;
        }
        var rejection = SipRequestValidator.Validate(request, _policy) ?? UnreachableTarget(request);
        if (rejection is not null)
        {
            if (request.To!.Tag is null && rejection.To?.Tag is null) AddToTag(rejection, request, SipIds.NewTag());
            SendNew(responseConnection, key, request, rejection);
            return;
        }

        // In or out of a dialog: the To tag read in place (the To view is built only where it is needed).
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        if (request.TryReadAddress(SipHeaderNames.To, scratch, out var to) && to.HasTag)
        {
            var dialog = FindDialog(request);
            if (dialog is null && FindSubscription(request.CallId, request.To!.Tag, request.From!.Tag) is { } subscription)
            {
                subscription.OnRequest(request, CreateServerTransaction(responseConnection, key, request), responseConnection);
                return;
            }
            if (dialog is null)
            {
                // §12.2.2: a request for a dialog we do not know.
                RespondNew(responseConnection, key, request, 481, "Call/Transaction Does Not Exist");
                return;
            }
            var tx = CreateServerTransaction(responseConnection, key, request);
            dialog.OnRequest(request, tx);
            return;
        }

        switch (method)
        {
            case "INVITE":
                StartIncomingCall(responseConnection, key, request);
                break;
            case "SUBSCRIBE" when _options.Notifier is not null:
                StartSubscribe(responseConnection, key, request);
                break;
            case "OPTIONS":
                var ok = CreateResponse(request, 200, null, SipIds.NewTag());
                AddCapabilities(ok);
                SendNew(responseConnection, key, request, ok);
                break;
            // Requests that only exist inside a dialog (UPDATE: RFC 3311 §5.2; NOTIFY: only for REFERs we sent).
            case "BYE" or "INFO" or "UPDATE" or "NOTIFY":
                RespondNew(responseConnection, key, request, 481, "Call/Transaction Does Not Exist");
                break;
            default:
                // A method the policy lets through but nothing here implements: 501, listing what we do (RFC 4475 §3.1.1.2).
                var notImplemented = CreateResponse(request, 501, "Not Implemented", SipIds.NewTag());
                notImplemented.Headers.Set("Allow", _allowHeader);
                SendNew(responseConnection, key, request, notImplemented);
                break;
        }
    }

    // A request that sets a dialog's remote target (§12.1.1, §12.2.1.2: INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER) must
    // name one we can reach: a Contact of another scheme, valid in a message (RFC 4475 §3.3.4), would become the
    // address of every later request of the dialog. Without a Contact an INVITE's dialog falls back to the From URI.
    private static SipMessage? UnreachableTarget(SipMessage request)
    {
        if (request.Method is not ("INVITE" or "UPDATE" or "SUBSCRIBE" or "NOTIFY" or "REFER")) return null;
        if (request.Headers.Contains(SipHeaderNames.Contact))
        {
            return request.Contact is null ? SipMessage.CreateResponse(request, 400, "Bad Header: Contact") : null;
        }
        return request.Method == "INVITE" && request.From is { Uri.IsOpaque: true }
            ? SipMessage.CreateResponse(request, 400, "Missing Header: Contact")
            : null;
    }

    private void HandleAck(SipMessage ack, ReadOnlySpan<char> key)
    {
        // §17.2.3: an ACK for our non-2xx matches the INVITE transaction; for a 2xx it goes to the dialog.
        if (_serverTransactionsBySpan.TryGetValue(key, out var tx) && tx is InviteServerTransaction ist && ist.OnAck()) return;
        FindDialog(ack)?.OnAck(ack);
    }

    // §9.2: 200 to the CANCEL, then 487 to the INVITE if it has no final response yet.
    private void HandleCancel(SipConnection connection, SipMessage cancel, string cancelKey)
    {
        var inviteKey = SipTransactionKeys.ForServer(cancel, "INVITE");
        var invite = inviteKey is not null && _serverTransactions.TryGetValue(inviteKey, out var t) ? t as InviteServerTransaction : null;
        if (invite is null)
        {
            RespondNew(connection, cancelKey, cancel, 481, "Call/Transaction Does Not Exist");
            return;
        }
        var call = invite.Owner as IncomingCall;
        var ok = CreateResponse(cancel, 200, null, call?.LocalTag ?? invite.AcceptedTag ?? SipIds.NewTag());
        SendNew(connection, cancelKey, cancel, ok);
        call?.OnCancel();
    }

    private void StartIncomingCall(SipConnection connection, string key, SipMessage invite)
    {
        var tx = new InviteServerTransaction(this, key, connection, invite);
        // The call is the transaction's owner before the transaction can be found: a CANCEL arriving on another
        // connection (or datagram) in between would otherwise get its 200 and cancel nothing (§9.2).
        var call = new IncomingCall(this, tx, connection, invite, SipIds.NewTag());
        tx.Owner = call;
        invite.ServerTransaction = tx;
        if (!_serverTransactions.TryAdd(key, tx))
        {
            call.Discard();
            tx.OnTransportError();
            return;
        }
        if (tx.IsTerminated)
        {
            // The connection was already gone when the call watched it: the transaction ended before it was listed.
            _serverTransactions.TryRemove(new KeyValuePair<string, SipTransaction>(key, tx));
            return;
        }
        // 100 Trying only if the call has not been answered within 200 ms (§17.2.1). A CANCEL that already got in has
        // sent the 487, and this is then ignored.
        tx.ScheduleTrying();
        var handler = OnIncomingCall;
        if (handler is null)
        {
            call.Reject(480, "Temporarily Unavailable");
            return;
        }
        // The handler may do slow work before answering; keep it off this connection's read loop.
        if (HandlerOnReadLoop)
        {
            _ = RunIncomingCallAsync(call, handler);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Agent.RunIncomingCallAsync(s.Call, s.Handler),
            (Agent: this, Call: call, Handler: handler), preferLocal: false);
    }

    private async Task RunIncomingCallAsync(IncomingCall call, Func<IncomingCall, ValueTask> handler)
    {
        try
        {
            await handler(call).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SipLog.IncomingCallHandlerFailed(_logger, ex, call.Request.CallId, call.Connection.Remote);
            call.Reject(500, "Server Internal Error");
        }
    }

    // ---- server transactions and responses ----

    internal SipTransaction CreateServerTransaction(SipConnection connection, string key, SipMessage request)
    {
        SipTransaction tx = request.Method == "INVITE"
            ? new InviteServerTransaction(this, key, connection, request)
            : new NonInviteServerTransaction(this, key, connection, request);
        request.ServerTransaction = tx;
        _serverTransactions.TryAdd(key, tx);
        return tx;
    }

    // Sends a final response through a transaction so retransmitted requests are absorbed.
    internal static void SendFinal(SipTransaction tx, SipMessage response)
    {
        var bytes = response.ToArray();
        if (tx is InviteServerTransaction ist) ist.SendFinal(response.StatusCode, bytes);
        else if (tx is NonInviteServerTransaction nist) nist.SendResponse(response.StatusCode, bytes);
    }

    private void SendNew(SipConnection connection, string key, SipMessage request, SipMessage response) =>
        SendFinal(CreateServerTransaction(connection, key, request), response);

    private void RespondNew(SipConnection connection, string key, SipMessage request, int status, string reason) =>
        SendNew(connection, key, request, CreateResponse(request, status, reason, request.To?.Tag is null ? SipIds.NewTag() : null));

    // Responses outside any transaction: malformed requests and internal errors. True when the response went out.
    private bool TrySendStateless(SipConnection connection, SipMessage request, int status, string reason)
    {
        try
        {
            if (StatelessTarget(connection, request) is not { } target) return false;
            var response = CreateResponse(request, status, reason, request.To is { Tag: null } ? SipIds.NewTag() : null);
            return target.Send(response.ToArray());
        }
        catch (Exception ex)
        {
            SipLog.MessageHandlingFailed(_logger, ex, connection.Info.Id, connection.Info.Remote);
            return false;
        }
    }

    // Only a request is answered, never an ACK (§17). The raw header values are copied (§8.2.6.2), so a malformed
    // CSeq or To is echoed as received, and a missing one is simply absent.
    private static bool CanAnswer(SipMessage? partial) => partial is { IsRequest: true } && partial.Method != "ACK";

    // §18.2.2: over TCP/TLS a response goes back on the request's own connection, whatever its Via says; over UDP
    // to the address the top Via names, read leniently because the error is often that Via (RFC 4475 §3.1.2.1,
    // §3.1.2.16). A datagram without a Via to read has no address: nothing is sent.
    private SipConnection? StatelessTarget(SipConnection connection, SipMessage request)
    {
        if (connection.IsReliable) return connection;
        return request.Headers.Get(SipHeaderNames.Via) is { } top && SipVia.TryReadReplyAddress(top, out var port, out var rport)
            ? ResponseConnection(connection, port, rport)
            : null;
    }

    // §8.2.6.2: a UAS response to a request without a To tag carries one (except 100 Trying).
    internal static SipMessage CreateResponse(SipMessage request, int status, string? reason, string? toTag)
    {
        var response = SipMessage.CreateResponse(request, status, reason);
        if (toTag is not null && status > 100) AddToTag(response, request, toTag);
        return response;
    }

    private static void AddToTag(SipMessage response, SipMessage request, string tag)
    {
        var to = request.Headers.Get("To");
        if (to is not null && request.To?.Tag is null) response.Headers.Set("To", to + ";tag=" + tag);
    }

    internal void AddCapabilities(SipMessage message)
    {
        message.Headers.Set("Allow", _allowHeader);
        message.Headers.Set("Accept", "application/sdp");
        message.Headers.Set("Supported", _supportedHeader);
        message.Headers.Set("User-Agent", _options.UserAgentHeader);
        if (_options.Notifier is not null) message.Headers.Set("Allow-Events", AllowEvents);
    }

    // §18.2.1 and RFC 3581 §4: note where the request really came from in the top Via. The headers write it
    // when the Via is next read (a response copying it), so a request that is only matched builds nothing.
    private static void StampReceived(SipMessage request, in SipVia.Parts top, IPEndPoint source)
    {
        if (!top.HasRPort && IsSentBy(top.Host, source.Address)) return;
        request.Headers.StampTopVia(source.Address, top.HasRPort ? source.Port : null);
    }

    // The Via host is the source address: compared as text first, so the usual case builds no IPAddress.
    private static bool IsSentBy(ReadOnlySpan<char> host, IPAddress source)
    {
        host = host.Trim("[]");
        Span<char> text = stackalloc char[64];
        if (source.TryFormat(text, out var length) && host.Equals(text[..length], StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var sentBy) && sentBy.Equals(source);
    }

    // §18.2.2: reliable transports answer on the same connection; UDP answers to the source port when
    // rport was requested (RFC 3581), else to the received address and the Via port.
    private SipConnection ResponseConnection(SipConnection connection, int? viaPort, bool rport)
    {
        if (connection.IsReliable || _udp is null || rport) return connection;
        var port = viaPort ?? 5060;
        return port == connection.Info.Remote.Port
            ? connection
            : _udp.GetConnection(new IPEndPoint(connection.Info.Remote.Address, port), connection.Info.Local);
    }
}
