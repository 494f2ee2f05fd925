using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;

namespace OpenUM.Sip.Tests.Stack;

internal static class StackHarness
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);

    public const string Answer =
        "v=0\r\no=openum 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

    public static async Task<SipUserAgent> StartAsync(TimeProvider time, Action<SipUserAgentOptions>? configure = null)
    {
        var options = new SipUserAgentOptions { ListenAddress = IPAddress.Loopback, TcpPort = 0 };
        configure?.Invoke(options);
        var agent = new SipUserAgent(options, time, NullLogger.Instance);
        await agent.StartAsync(CancellationToken.None);
        return agent;
    }

    public static IPEndPoint Tcp(this SipUserAgent agent) => agent.LocalEndPoints[0];

    public static Task<T> Guard<T>(this Task<T> task) => task.WaitAsync(HangGuard);

    public static Task Guard(this Task task) => task.WaitAsync(HangGuard);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    // Captures the next incoming calls.
    public static TaskCompletionSource<IncomingCall> CaptureCall(SipUserAgent agent)
    {
        var tcs = new TaskCompletionSource<IncomingCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.OnIncomingCall = call =>
        {
            tcs.TrySetResult(call);
            return ValueTask.CompletedTask;
        };
        return tcs;
    }

    // A response the raw peer sends to a request of the stack (§8.2.6.2 copies).
    public static string ResponseTo(RawSipMessage request, int status, string reason)
    {
        var sb = new StringBuilder();
        sb.Append("SIP/2.0 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        foreach (var via in request.All("Via")) sb.Append("Via: ").Append(via).Append("\r\n");
        sb.Append("From: ").Append(request.Header("From")).Append("\r\n");
        sb.Append("To: ").Append(request.Header("To")).Append("\r\n");
        sb.Append("Call-ID: ").Append(request.Header("Call-ID")).Append("\r\n");
        sb.Append("CSeq: ").Append(request.CSeq).Append("\r\n");
        sb.Append("Content-Length: 0\r\n\r\n");
        return sb.ToString();
    }

    public static Task Cancelled(CancellationToken token)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => tcs.TrySetResult());
        return tcs.Task;
    }

    public static async Task Until(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(HangGuard);
        while (!condition()) await Task.Delay(10, cts.Token);
    }

    // Gateway (raw socket) calls the agent; the call is answered and acknowledged.
    public static async Task<Established> EstablishAsync(SipUserAgent agent, bool ack = true)
    {
        var incoming = CaptureCall(agent);
        var peer = await RawSipClient.ConnectAsync(agent.Tcp());
        var call = new PeerCall(peer.LocalEndPoint, agent.Tcp());
        await peer.SendAsync(call.Invite());
        var ic = await incoming.Task.Guard(); // answered at once: no 100 Trying comes first (§17.2.1)
        var dialog = ic.Accept(Bytes(Answer));
        var ok = await peer.ReadAsync();
        Assert.Equal(200, ok.Status);
        call.ToTag = ok.Tag("To");
        if (ack)
        {
            await peer.SendAsync(call.AckFor2xx(ok.ContactUri()!, call.CSeq));
            await dialog.Confirmed.Guard();
        }
        return new Established(peer, call, dialog, ok, ic);
    }

    internal sealed record Established(RawSipClient Peer, PeerCall Call, SipDialog Dialog, RawSipMessage Ok, IncomingCall Incoming) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Peer.DisposeAsync();
    }
}
