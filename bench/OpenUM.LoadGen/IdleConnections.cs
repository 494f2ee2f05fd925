using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace OpenUM.LoadGen;

/// <summary>
/// Opens K mutual-TLS connections to the server (full handshake with the client certificate), sends nothing on them,
/// says "HELD K" on standard output and keeps them open for the hold time: what an idle gateway connection costs
/// the server is its RSS with them minus its RSS without.
/// </summary>
internal static class IdleConnections
{
    public static async Task<int> RunAsync(LoadOptions o, CancellationToken ct)
    {
        using var clientCert = X509Certificate2.CreateFromPemFile(o.Cert!, o.Key!);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(o.Ca!);
        var open = new List<SslStream>(o.Calls);
        try
        {
            for (int i = 0; i < o.Calls; i++)
            {
                var socket = new Socket(o.Target!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(o.Target, ct).ConfigureAwait(false);
                var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
                open.Add(ssl);
                await ssl.AuthenticateAsClientAsync(LoadGenerator.ClientOptions(o.ServerName, clientCert, ca), ct).ConfigureAwait(false);
            }
            Console.WriteLine($"HELD {open.Count}");
            await Task.Delay(TimeSpan.FromSeconds(o.Hold), ct).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            foreach (var ssl in open)
                await ssl.DisposeAsync().ConfigureAwait(false);
        }
    }
}
