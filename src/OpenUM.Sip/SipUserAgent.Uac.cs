using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using OpenUM.Sip.Transport;

namespace OpenUM.Sip;

// Outgoing side: responses to our client transactions, INVITE as a UAC, requests sent in dialogs.
public sealed partial class SipUserAgent
{
    /// <summary>Sends an INVITE (reusing an open connection to the target) and returns its final answer; ACKs a 2xx.</summary>
    /// <remarks>With <see cref="OutgoingCallRequest.Transport"/> = TLS a new connection is authenticated with
    /// <see cref="SipUserAgentOptions.TlsClientOptions"/>: a refused handshake throws the
    /// <see cref="System.Security.Authentication.AuthenticationException"/> (or <see cref="IOException"/>) of
    /// <see cref="System.Net.Security.SslStream"/>, one over <see cref="SipConnectionLimits.TlsHandshakeTimeout"/>
    /// throws <see cref="TimeoutException"/>; both also raise <see cref="OutgoingTlsHandshakeFailed"/>.</remarks>
    /// <remarks>Cancelling <paramref name="ct"/> sends CANCEL once a provisional response arrived (§9.1) and throws
    /// <see cref="OperationCanceledException"/>; a 2xx that crosses the CANCEL is acknowledged and ended with BYE.</remarks>
    public async Task<OutgoingCallResult> InviteAsync(OutgoingCallRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ct.ThrowIfCancellationRequested();
        var connection = await _transport.ConnectAsync(request.Target, request.Transport,
            request.TlsTargetName ?? TargetHostOf(request.RequestUri), ct).ConfigureAwait(false);

        var branch = SipIds.NewBranch();
        var from = request.From.Tag is null ? request.From.WithTag(SipIds.NewTag()) : request.From;
        var invite = SipMessage.CreateRequest("INVITE", request.RequestUri);
        var h = invite.Headers;
        h.Set("Via", ViaFor(connection, branch));
        h.Set("Max-Forwards", "70");
        h.Set("From", from.ToString());
        h.Set("To", request.To.ToString());
        h.Set("Call-ID", SipIds.NewCallId());
        h.Set("CSeq", "1 INVITE");
        h.Set("Contact", ContactFor(connection, request.From.Uri.User));
        h.Set("Allow", _allowHeader);
        h.Set("Supported", _supportedHeader);
        h.Set("User-Agent", _options.UserAgentHeader);
        if (request.ExtraHeaders is not null)
        {
            foreach (var extra in request.ExtraHeaders) h.Add(extra.Name, extra.Value);
        }
        if (!request.SdpOffer.IsEmpty)
        {
            h.Set("Content-Type", "application/sdp");
            invite.Body = request.SdpOffer;
        }

        var call = new OutgoingInvite(this, connection, invite);
        var tx = new InviteClientTransaction(this, SipTransactionKeys.ForClient(branch, "INVITE"), connection, invite, invite.ToArray(), call);
        call.Transaction = tx;
        _clientTransactions[tx.Key] = tx;
        tx.Start();
        OutgoingCallResult result;
        using (ct.UnsafeRegister(static s => ((OutgoingInvite)s!).OnCancelRequested(), call))
        {
            result = await call.Completion.ConfigureAwait(false);
        }
        if (call.CancelRequested) throw new OperationCanceledException(ct);
        return result;
    }

    private void HandleResponse(SipConnection connection, SipMessage response)
    {
        // The client transaction's key (our branch + the CSeq method) is written on the stack to look it up.
        Span<char> viaChars = stackalloc char[SipMessage.ScratchLength];
        Span<char> keyChars = stackalloc char[SipTransactionKeys.StackLength];
        var cseq = response.CSeq;
        if (!response.TryReadTopVia(viaChars, out var top) || !top.HasBranch || cseq is null)
        {
            LogStrayResponse(connection, response.StatusCode, cseq);
            return;
        }
        var key = new KeyWriter(keyChars);
        key.Append(top.Branch);
        key.Append('\n');
        key.Append(cseq.Value.Method);
        var found = key.Overflowed
            ? _clientTransactions.TryGetValue(SipTransactionKeys.ForClient(top.Branch.ToString(), cseq.Value.Method), out var tx)
            : _clientTransactionsBySpan.TryGetValue(keyChars[..key.Length], out tx);
        if (found)
        {
            tx!.OnResponse(response.Own()); // the transaction's user may keep it
            return;
        }
        // A 2xx retransmission after the INVITE transaction ended: the dialog re-sends its ACK (§13.2.2.4).
        if (cseq.Value.Method == "INVITE" && response.StatusCode is >= 200 and < 300
            && FindDialog(response, fromIsLocal: true) is { } dialog)
        {
            dialog.OnSuccessRetransmission();
            return;
        }
        LogStrayResponse(connection, response.StatusCode, cseq);
    }

    // A peer's retransmissions reach here once per response: the CSeq text is only made when the trace is on.
    private void LogStrayResponse(SipConnection connection, int status, SipCSeq? cseq)
    {
        if (_logger.IsEnabled(LogLevel.Debug)) SipLog.StrayResponse(_logger, connection.Info.Remote, status, cseq?.ToString());
    }

    // A dialog's next hop (RFC 3261 §18.1.1, §19.1.4): the URI's transport parameter, else TLS for sips, else
    // the transport the dialog started on; the port defaults per transport. TCP reuses an open connection to
    // that endpoint or opens one, bounded by 64*T1; UDP uses the shared socket.
    internal async Task<SipConnection> ConnectToAsync(SipUri target, SipTransportKind current)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var kind = target.GetParameter("transport")?.ToLowerInvariant() switch
        {
            "udp" => SipTransportKind.Udp,
            "tcp" => SipTransportKind.Tcp,
            "tls" => SipTransportKind.Tls,
            _ when string.Equals(target.Scheme, "sips", StringComparison.OrdinalIgnoreCase) => SipTransportKind.Tls,
            _ => current,
        };
        using var timeout = new CancellationTokenSource(_timers.SixtyFourT1, _wheel.TimeProvider);
        var host = target.Host.Trim('[', ']');
        if (!IPAddress.TryParse(host, out var address))
        {
            // Plain A/AAAA lookup; SRV/NAPTR (RFC 3263) is not done: gateways put an address in their Contact.
            var addresses = await Dns.GetHostAddressesAsync(host, timeout.Token).ConfigureAwait(false);
            address = addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
        }
        var endpoint = new IPEndPoint(address, target.Port ?? (kind == SipTransportKind.Tls ? 5061 : 5060));
        return await OpenAsync(endpoint, kind, TargetHostOf(target), timeout.Token).ConfigureAwait(false);
    }

    // The name a TLS peer's certificate is checked against: the URI host without IPv6 brackets.
    private static string TargetHostOf(SipUri uri) => uri.Host.Trim('[', ']');

    // Starts a non-INVITE client transaction (BYE, CANCEL, ...) whose Via branch is in the request.
    internal void StartClientTransaction(SipConnection connection, SipMessage request, string branch, ISipClientTransactionUser user)
    {
        var tx = new NonInviteClientTransaction(this, SipTransactionKeys.ForClient(branch, request.Method), connection,
            request, request.ToArray(), user);
        _clientTransactions[tx.Key] = tx;
        tx.Start();
    }

    internal void SendCancel(SipConnection connection, SipMessage invite, ISipClientTransactionUser user)
    {
        var cancel = SipRequestBuilder.Cancel(invite);
        StartClientTransaction(connection, cancel, invite.Vias[0].Branch!, user);
    }

    // Via for a request we originate on this connection (RFC 3261 §8.1.1.7, rport per RFC 3581).
    internal static string ViaFor(SipConnection connection, string branch) =>
        string.Concat("SIP/2.0/", TransportToken(connection.Info.Transport), " ", HostPort(connection.Info.Local), ";branch=", branch, ";rport");

    // Contact: where the peer sends in-dialog requests; our listening port for that transport.
    internal string ContactFor(SipConnection connection, string? user)
    {
        var local = connection.Info.Local;
        var transport = connection.Info.Transport;
        var port = transport switch
        {
            SipTransportKind.Tcp when _tcpPort != 0 => _tcpPort,
            SipTransportKind.Tls when _tlsPort != 0 => _tlsPort,
            _ => local.Port,
        };
        // Calls to the same number on the same listener answer with the same Contact: the last one is kept.
        var last = Volatile.Read(ref _lastContact);
        if (last is not null && last.Port == port && last.Transport == transport && last.Address.Equals(local.Address)
            && string.Equals(last.User, user, StringComparison.Ordinal))
        {
            return last.Value;
        }
        var sb = new StringBuilder("<sip:");
        if (!string.IsNullOrEmpty(user)) sb.Append(EscapeUser(user)).Append('@');
        sb.Append(HostPort(new IPEndPoint(local.Address, port)));
        sb.Append(";transport=").Append(TransportToken(transport).ToLowerInvariant()).Append('>');
        var contact = sb.ToString();
        Volatile.Write(ref _lastContact, new KeptContact(local.Address, transport, port, user, contact));
        return contact;
    }

    private KeptContact? _lastContact;

    private sealed record KeptContact(IPAddress Address, SipTransportKind Transport, int Port, string? User, string Value);

    private static string TransportToken(SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tls => "TLS",
        _ => "TCP",
    };

    private static string HostPort(IPEndPoint endpoint)
    {
        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
        return host + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
    }

    // RFC 3261 §25.1 user: unreserved / escaped / user-unreserved.
    private static string EscapeUser(string user)
    {
        var sb = new StringBuilder(user.Length);
        foreach (var b in Encoding.UTF8.GetBytes(user))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || "-_.!~*'()&=+$,;?/".Contains(c)) sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
