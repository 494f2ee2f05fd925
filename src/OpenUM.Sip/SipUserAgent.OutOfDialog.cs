using System.Net;
using System.Net.Sockets;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

// Non-INVITE requests outside any dialog (RFC 3261 §8.1): an unsolicited NOTIFY carrying a message summary.
public sealed partial class SipUserAgent
{
    /// <summary>
    /// Sends a non-INVITE request outside any dialog in a client transaction of its own (RFC 3261 §17.1.2: Timer E
    /// retransmits over UDP, Timer F ends the wait after 64*T1, on the agent's timer wheel) and returns its final
    /// response, whatever the status. An open connection to the target is reused (as <see cref="InviteAsync"/> does);
    /// TLS uses <see cref="SipUserAgentOptions.TlsClientOptions"/> with <see cref="OutgoingRequest.TlsTargetName"/>.
    /// </summary>
    /// <remarks>
    /// No response is not an exception: <see cref="SipRequestResult.Failure"/> says Timeout (408), Transport (503: no
    /// connection, or it broke) or Tls (503: handshake refused or timed out; <see cref="OutgoingTlsHandshakeFailed"/>
    /// is raised too), so a caller can try its next gateway. Cancelling <paramref name="ct"/> only stops the wait
    /// (a non-INVITE request cannot be cancelled, §9.1) and throws <see cref="OperationCanceledException"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">The method is not a token, or is INVITE, ACK or CANCEL; a body without content type.</exception>
    /// <exception cref="InvalidOperationException">TLS without <see cref="SipUserAgentOptions.TlsClientOptions"/>.</exception>
    /// <exception cref="NotSupportedException">UDP while the agent has no UDP listener.</exception>
    public async Task<SipRequestResult> SendRequestAsync(OutgoingRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!SipGrammar.IsToken(request.Method) || request.Method is "INVITE" or "ACK" or "CANCEL")
        {
            throw new ArgumentException($"'{request.Method}' cannot be sent on its own outside a dialog.", nameof(request));
        }
        if (!request.Body.IsEmpty && string.IsNullOrEmpty(request.ContentType))
        {
            throw new ArgumentException("A body needs a content type.", nameof(request));
        }
        ct.ThrowIfCancellationRequested();

        SipConnection connection;
        try
        {
            connection = await OpenAsync(request.Target, request.Transport, request.TlsTargetName ?? TargetHostOf(request.RequestUri), ct)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or InvalidOperationException or NotSupportedException or OutOfMemoryException))
        {
            // A refused connect is a SocketException; anything else on TLS happened in the handshake.
            var failure = request.Transport == SipTransportKind.Tls && ex is not SocketException ? SipRequestFailure.Tls : SipRequestFailure.Transport;
            return new SipRequestResult(503, "Service Unavailable", null) { Failure = failure, Error = ex };
        }

        var branch = SipIds.NewBranch();
        var from = request.From.Tag is null ? request.From.WithTag(SipIds.NewTag()) : request.From;
        var message = SipMessage.CreateRequest(request.Method, request.RequestUri);
        var h = message.Headers;
        h.Set("Via", ViaFor(connection, branch));
        h.Set("Max-Forwards", "70");
        h.Set("From", from.ToString());
        h.Set("To", request.To.ToString());
        h.Set("Call-ID", SipIds.NewCallId());
        h.Set("CSeq", "1 " + request.Method);
        // A NOTIFY is a target refresh request (RFC 6665 §4.2.2): it names where we can be reached.
        h.Set("Contact", ContactFor(connection, request.From.Uri.User));
        h.Set("User-Agent", _options.UserAgentHeader);
        if (request.Headers is not null)
        {
            foreach (var extra in request.Headers) h.Add(extra.Name, extra.Value);
        }
        if (!request.Body.IsEmpty)
        {
            h.Set("Content-Type", request.ContentType!);
            message.Body = request.Body;
        }
        var outcome = new RequestOutcome(_logger);
        StartClientTransaction(connection, message, branch, outcome);
        return await outcome.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    // The one way to a peer for requests we originate: UDP from our listener's socket, TCP/TLS reused or opened by
    // the transport (its budget, TLS client options and handshake timeout).
    internal async Task<SipConnection> OpenAsync(IPEndPoint endpoint, SipTransportKind kind, string? targetHost, CancellationToken ct)
    {
        if (kind == SipTransportKind.Udp)
        {
            return _udp?.GetConnection(endpoint) ?? throw new NotSupportedException("SIP/UDP is not enabled.");
        }
        return await _transport.ConnectAsync(endpoint, kind, targetHost, ct).ConfigureAwait(false);
    }

    // Completes with the final response, or with the 408/503 the transaction reports instead (§8.1.3.1).
    internal sealed class RequestOutcome(Microsoft.Extensions.Logging.ILogger logger) : ISipClientTransactionUser
    {
        private readonly TaskCompletionSource<SipRequestResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<SipRequestResult> Task => _result.Task;

        public void OnProvisional(SipClientTransaction transaction, SipMessage response)
        {
        }

        public void OnFinal(SipClientTransaction transaction, SipMessage response) =>
            _result.TrySetResult(new SipRequestResult(response.StatusCode, response.ReasonPhrase, response));

        public void OnFailed(SipClientTransaction transaction, int statusCode, string reasonPhrase)
        {
            SipLog.TransactionTimeout(logger, transaction.Request.Method,
                transaction.Connection.Info.Remote, statusCode == 408 ? "Timer F" : "transport");
            _result.TrySetResult(new SipRequestResult(statusCode, reasonPhrase, null)
            {
                Failure = statusCode == 408 ? SipRequestFailure.Timeout : SipRequestFailure.Transport,
            });
        }
    }
}
