using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Sdp;
using OpenUM.Media.Session;
using OpenUM.Media.Srtp;
using OpenUM.Security;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls;

/// <summary>What `openum test-connectivity` reports (the fields of Test-UMConnectivity).</summary>
/// <remarks>
/// <see cref="Media"/> names the codec and, on a Secured call, the SRTP suite; "" when no media was negotiated.
/// <see cref="CallId"/> is the test call's Call-ID (its events carry it); <see cref="Message"/> says where the server
/// put the voice message the call left, when the caller can read the server's events ("" otherwise).
/// </remarks>
public sealed record ConnectivityResult(string UmIPAddress, bool EntireOperationSuccess, double Latency,
    string ReasonForFailure, int StatusCode, long RtpPacketsReceived, long RtpPacketsSent, string Media = "",
    string CallId = "", string Message = "");

/// <summary>
/// TOOL-1: places a real call (SIP over TCP, or mutual TLS; RTP, or SRTP keyed by SDES) to a UM server, plays a
/// few seconds of audio and a DTMF '#', and checks that the server answered, sent media and ended the call.
/// </summary>
public sealed class ConnectivityTest(TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Runs one test call to <paramref name="target"/> for <paramref name="extension"/>; with <paramref name="tls"/>
    /// over mutual TLS (our certificate presented, the server's verified as <paramref name="serverName"/>); with
    /// <paramref name="mediaSecured"/> the offer requires SRTP (a Secured dial plan) and a plain answer fails the test.
    /// </summary>
    public async Task<ConnectivityResult> RunAsync(IPEndPoint target, string extension, RtpPortRange ports, CancellationToken ct,
        TlsContext? tls = null, string? serverName = null, bool mediaSecured = false)
    {
        if (mediaSecured && tls is null)
            throw new ArgumentException("SRTP keys travel in SDP: a media-secured test needs mutual TLS (SEC-4).", nameof(mediaSecured));
        var local = LocalAddressFor(target.Address);
        var transport = tls is null ? SipTransportKind.Tcp : SipTransportKind.Tls;
        await using var agent = new SipUserAgent(new SipUserAgentOptions
        {
            ListenAddress = local, TcpPort = null,
            TlsClientOptions = tls is null ? null : (endpoint, name) => tls.CreateClientOptions(name ?? serverName ?? endpoint.Address.ToString()),
        }, time, logger);
        await agent.StartAsync(ct).ConfigureAwait(false);
        await using var clock = new MediaClock(time);
        await using var media = MediaSession.Open(local, ports, clock, logger);
        var caps = new MediaCapabilities([AudioCodec.Pcmu, AudioCodec.Pcma], true, mediaSecured ? SrtpMode.Required : SrtpMode.Off);
        var offer = OfferAnswer.CreateOffer(caps, local, media.LocalPort);
        var host = target.Address.ToString();
        if (target.AddressFamily == AddressFamily.InterNetworkV6) host = $"[{host}]";
        string scheme = transport == SipTransportKind.Tls ? "tls" : "tcp";
        var request = new OutgoingCallRequest(target,
            SipUri.Parse($"sip:{extension}@{host}:{target.Port};transport={scheme}"),
            new SipNameAddress(SipUri.Parse($"sip:openum-test@{(local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString())}"), "OpenUM connectivity test"),
            new SipNameAddress(SipUri.Parse($"sip:{extension}@{host}")),
            Encoding.UTF8.GetBytes(offer.Sdp.ToString()), transport) { TlsTargetName = serverName };

        long start = time.GetTimestamp();
        OutgoingCallResult answer;
        // The time limit cancels the INVITE itself (CANCEL, or BYE if a 200 crosses it), so a late answer
        // does not leave a call running on the server.
        using var answerLimit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        answerLimit.CancelAfter(TimeSpan.FromSeconds(32));
        try
        {
            answer = await agent.InviteAsync(request, answerLimit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
            || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Fail(target, 0, $"no answer from {target}: {e.Message}");
        }
        double latency = time.GetElapsedTime(start).TotalMilliseconds;
        if (answer.StatusCode is < 200 or >= 300 || answer.Dialog is null || answer.FinalResponse is null)
            return Fail(target, answer.StatusCode, Refusal(answer), latency);

        var dialog = answer.Dialog;
        if (!SessionDescription.TryParse(Encoding.UTF8.GetString(answer.FinalResponse.Body.Span), out var sdp, out string? sdpError) || sdp is null)
            return await HangUp(Fail(target, answer.StatusCode, $"the answer's SDP is malformed: {sdpError}", latency));
        var negotiated = OfferAnswer.ReadAnswer(offer, sdp, out string? answerError);
        if (negotiated is null)
            return await HangUp(Fail(target, answer.StatusCode, $"the answer's SDP is not acceptable: {answerError}", latency));
        if (mediaSecured && negotiated.Srtp is null)
            return await HangUp(Fail(target, answer.StatusCode, "the server answered plain RTP to an SRTP offer", latency));
        string mediaName = negotiated.Codec.ToString().ToUpperInvariant()
            + (negotiated.Srtp is { } srtp ? ", SRTP " + SrtpSuites.Name(srtp.Suite) : "");
        media.Start(negotiated);

        // Listen to the greeting and beep until the server falls silent (it sends nothing while it
        // records), then speak for three seconds (a tone) and press '#': a UM server stops recording,
        // says goodbye and hangs up, which proves both directions of media and signalling.
        if (!await GreetingEndedAsync(media, dialog, ct).ConfigureAwait(false))
            return await HangUp(Fail(target, answer.StatusCode, "the server sent no greeting (no RTP) within 60 s", latency));
        await media.PlayAsync(AudioClip.Tone(440, TimeSpan.FromSeconds(3), 0.2), ct).ConfigureAwait(false);
        await media.SendDtmfAsync('#', ct).ConfigureAwait(false);
        var ended = await Task.WhenAny(dialog.Terminated, Task.Delay(TimeSpan.FromSeconds(20), time, ct)).ConfigureAwait(false);
        bool serverHungUp = ended == dialog.Terminated && dialog.Terminated.Result.Reason == SipDialogEndReason.RemoteBye;
        if (!serverHungUp) await ByeQuietly(dialog).ConfigureAwait(false);

        var stats = media.Statistics;
        var srtpStats = media.SrtpStatistics;
        string reason = stats.PacketsReceived == 0 ? "no RTP received from the server"
            : mediaSecured && srtpStats.RtpAuthenticationFailures > 0 ? $"{srtpStats.RtpAuthenticationFailures} SRTP packets from the server failed authentication"
            : !serverHungUp ? "the server did not end the call after '#'"
            : "";
        return new ConnectivityResult(target.Address.ToString(), reason.Length == 0, latency, reason, answer.StatusCode,
            stats.PacketsReceived, stats.PacketsSent, mediaName, dialog.CallId);

        async Task<ConnectivityResult> HangUp(ConnectivityResult failure)
        {
            await ByeQuietly(dialog).ConfigureAwait(false);
            return failure;
        }
    }

    /// <summary>True once RTP has arrived and then paused for a second; false if none came or the call ended.</summary>
    private async Task<bool> GreetingEndedAsync(MediaSession media, SipDialog dialog, CancellationToken ct)
    {
        long last = 0;
        int quietTicks = 0;
        for (int tick = 0; tick < 600 && !dialog.Terminated.IsCompleted; tick++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct).ConfigureAwait(false);
            long now = media.Statistics.PacketsReceived;
            quietTicks = now == last ? quietTicks + 1 : 0;
            last = now;
            if (now > 0 && quietTicks >= 10) return true;
        }
        return false;
    }

    private static async Task ByeQuietly(SipDialog dialog)
    {
        if (dialog.Terminated.IsCompleted) return;
        try { await dialog.ByeAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
        catch (Exception e) when (e is TimeoutException or IOException or OperationCanceledException or InvalidOperationException) { }
    }

    /// <summary>
    /// Why the server refused, in its own words: the status and reason phrase, the text of its Warning headers
    /// (RFC 3261 §20.43) and Reason headers (RFC 3326), and when to try again (Retry-After), not only "503".
    /// </summary>
    private static string Refusal(OutgoingCallResult answer)
    {
        var text = new StringBuilder($"call refused: {answer.StatusCode} {answer.ReasonPhrase}".TrimEnd());
        if (answer.FinalResponse is { } response)
        {
            var said = response.Headers.GetAll("Warning").SelectMany(SplitHeader).Select(WarningText)
                .Concat(response.Headers.GetAll("Reason").SelectMany(SplitHeader).Select(ReasonText))
                .Where(t => t.Length > 0).Distinct().ToList();
            if (said.Count > 0) text.Append(": ").Append(string.Join("; ", said));
            if (response.Headers.Get("Retry-After") is { } retry && int.TryParse(retry.Split(';')[0].Trim(), out int seconds))
                text.Append($" (retry after {seconds} s)");
        }
        return text.ToString();
    }

    // Header values may be comma-separated lists; commas inside quoted text do not separate.
    private static IEnumerable<string> SplitHeader(string value)
    {
        int start = 0;
        bool quoted = false;
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && quoted) i++;
            else if (value[i] == '"') quoted = !quoted;
            else if (value[i] == ',' && !quoted)
            {
                yield return value[start..i].Trim();
                start = i + 1;
            }
        }
        yield return value[start..].Trim();
    }

    // warning-value = warn-code SP warn-agent SP warn-text (a quoted string): the text, unquoted.
    private static string WarningText(string value) => Quoted(value) ?? value;

    // Reason: SIP ;cause=503 ;text="..." (RFC 3326): the text parameter, else the protocol and cause.
    private static string ReasonText(string value)
    {
        int at = value.IndexOf("text=", StringComparison.OrdinalIgnoreCase);
        return at >= 0 ? Quoted(value[at..]) ?? value[(at + 5)..].Trim() : value;
    }

    private static string? Quoted(string value)
    {
        int open = value.IndexOf('"');
        int close = value.LastIndexOf('"');
        return open >= 0 && close > open ? value[(open + 1)..close].Replace("\\\"", "\"", StringComparison.Ordinal) : null;
    }

    private static ConnectivityResult Fail(IPEndPoint target, int status, string reason, double latency = 0) =>
        new(target.Address.ToString(), false, latency, reason, status, 0, 0);

    /// <summary>The local address the kernel would use to reach <paramref name="remote"/> (SDP needs a concrete one).</summary>
    private static IPAddress LocalAddressFor(IPAddress remote)
    {
        if (IPAddress.IsLoopback(remote)) return remote.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(remote, 9); // UDP connect sends nothing; it only selects the route
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}
