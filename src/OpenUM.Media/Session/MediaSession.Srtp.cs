using System.Net;
using System.Net.Sockets;
using OpenUM.Media.Srtp;

namespace OpenUM.Media.Session;

public sealed partial class MediaSession
{
    private readonly MediaSecurity _security;

    /// <summary>SRTP/SRTCP rejections of this session so far, per stream (zeros without SRTP).</summary>
    public SrtpStatistics SrtpStatistics => _security.Statistics;

    /// <summary>True while the session protects its media with SRTP.</summary>
    public bool IsSecure => _security.IsSecure;

    private async Task RtcpLoopAsync(CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize, pinned: true);
        var from = new SocketAddress(_rtcpSocket.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _rtcpSocket.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.MessageSize or SocketError.ConnectionReset)
            {
                continue;
            }
            catch (SocketException ex)
            {
                if (!ct.IsCancellationRequested)
                    MediaLog.ReceiveFailed(_logger, LocalPort + 1, ex);
                return;
            }
            if (n is < 8 or >= ReceiveBufferSize)
                continue;
            // Only an address the call's RTP could come from may report on it; others are not worth the crypto.
            if (!AcceptsRtcpFrom(from))
                continue;
            try
            {
                _security.OnRtcp(buffer.AsSpan(0, n), onRtpPort: false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // As on the RTP port: one bad packet (or a context disposed at hang-up) must not end the loop.
                MediaLog.ReceiveFailed(_logger, LocalPort + 1, ex);
            }
        }
    }
}
