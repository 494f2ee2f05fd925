using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Hostile;

/// <summary>
/// A server facing a hostile network, in Dual mode: dial plan Secure (SipSecured, gateway gw1.example.test, which
/// resolves to <see cref="GatewayAddress"/> for the server only, mailbox 1000) and dial plan Open (Unsecured,
/// gateway sipp = 127.0.0.1, mailbox 2000). Strangers are every other loopback address.
/// </summary>
public static class HostileServer
{
    /// <summary>The address gw1.example.test resolves to (for the server; stunnel binds it as its source).</summary>
    public const string GatewayAddress = "127.0.0.10";

    /// <summary>Mailbox of the Open dial plan.</summary>
    public const string OpenMailbox = "user2000@example.test";

    /// <summary>The names the server resolves, and optionally its descriptor limit.</summary>
    public static ServeEnvironment Environment(int? openFiles = null) => new(new Dictionary<string, string>
    {
        [TestPki.GatewayName] = GatewayAddress,
        [TestPki.UmName] = "127.0.0.1",
    }, openFiles);

    /// <summary>Configures both dial plans (plus <paramref name="serverSettings"/> for <c>server set</c>) and starts serve.</summary>
    public static async Task<TlsUmServer> StartAsync(ITestOutputHelper? log, int? openFiles = null, params string[] serverSettings)
    {
        var server = await TlsUmServer.CreateAsync(log);
        try
        {
            // Made by the CLI once per run and copied into the data directory (ConfiguredDataTemplates).
            await ConfiguredDataTemplates.ApplyAsync("hostile", server.Um, async um =>
            {
                await TlsUmServer.ConfigureSecuredByCliAsync(um, server.Pki, "um", "SipSecured");
                await um.CliOkAsync("dialplan", "new", "--name", "Open", "--number-of-digits-in-extension", "4");
                await um.CliOkAsync("gateway", "new", "--name", "sipp", "--address", "127.0.0.1", "--dial-plan", "Open");
                await um.CliOkAsync("mailbox", "new", "--extension", "2000", "--dial-plan", "Open",
                    "--email", OpenMailbox, "--display-name", "User 2000");
            }, log);
            if (serverSettings.Length > 0) await server.Um.CliOkAsync(["server", "set", .. serverSettings]);
            await server.StartAsync("Dual", Environment(openFiles));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One OPTIONS from the gateway's certificate through stunnel bound to <paramref name="source"/>; true when it
    /// got 200 (the TLS connection was admitted and the certificate accepted).
    /// </summary>
    public static async Task<(bool Ok, string Describe)> PingOverTlsAsync(TlsUmServer server, string source, ITestOutputHelper? log)
    {
        var pki = server.Pki;
        await using var stunnel = await StunnelClient.StartAsync(server.TlsPort, pki.Crt("gw1"), pki.Key("gw1"), pki.CaCrt, source);
        var sipp = await Sipp.RunAsync(new SippOptions("options-ping.xml", stunnel.AcceptPort, "1000")
        {
            Transport = "t1",
            Timeout = TimeSpan.FromSeconds(10),
        }, log);
        return (sipp.ExitCode == 0 && sipp.Successful == 1, sipp.Describe() + "\n" + stunnel.Log);
    }
}
