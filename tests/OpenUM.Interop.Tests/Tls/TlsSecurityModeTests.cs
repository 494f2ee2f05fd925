using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>SEC-2: a call on the wrong transport for its dial plan (SipSecured on TCP, Unsecured over TLS) gets 403 and event 1021.</summary>
public sealed class TlsSecurityModeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SipSecuredCallOnTcpGets403()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        await server.ConfigureSecuredAsync();
        // A gateway of the secured dial plan that TCP admission recognises by address: "localhost" is a
        // name (secured dial plans need FQDN addresses), resolving to 127.0.0.1.
        await server.Um.CliOkAsync("gateway", "new", "--name", "local", "--address", "localhost", "--dial-plan", TlsUmServer.DialPlan);
        await server.Um.CliOkAsync("server", "set", "--um-startup-mode", "Dual");
        await server.StartAsync("Dual");

        int before = server.Um.ReadEvents().Count;
        var sipp = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", server.TcpPort, "1000")
        {
            Transport = "t1",
            Calls = 1,
            Timeout = TimeSpan.FromSeconds(30),
        }, output);
        var received = sipp.Received();
        Assert.True(sipp.ExitCode == 0 && received.Any(l => l.StartsWith("SIP/2.0 403", StringComparison.Ordinal)),
            $"expected 403 for the SipSecured dial plan's call on TCP; received [{string.Join(" | ", received)}]\n{sipp.Describe()}\n{server.Diagnostics}");
        var ev = await server.WaitForEventSinceAsync(before, 1021, e => e.Message.Contains("SipSecured", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "1021 naming the SipSecured dial plan for a call on TCP");
        output.WriteLine(ev.Raw);
        Assert.DoesNotContain(server.Um.ReadEvents().Skip(before), e => e.Id == 2002);
        Assert.Empty(server.Um.AllMaildirFiles());
        await server.AssertCleanStopAsync();
    }

    [Fact]
    public async Task UnsecuredCallOverTlsGets403()
    {
        await using var server = await TlsUmServer.CreateAsync(output);
        var pki = server.Pki;
        await server.Um.CliOkAsync("cert", "trust", pki.CaCrt);
        await server.ImportAndEnableAsync("um");
        await server.Um.CliOkAsync("dialplan", "new", "--name", "Open", "--number-of-digits-in-extension", "4", "--voip-security", "Unsecured");
        await server.Um.CliOkAsync("gateway", "new", "--name", "gw1", "--address", TestPki.GatewayName, "--dial-plan", "Open");
        await server.Um.CliOkAsync("mailbox", "new", "--extension", "1000", "--dial-plan", "Open",
            "--email", TlsUmServer.MailboxAddress, "--display-name", "User 1000");
        await server.Um.CliOkAsync("server", "set", "--um-startup-mode", "Dual");
        await server.StartAsync("Dual");
        await using var stunnel = await StunnelClient.StartAsync(server.TlsPort, pki.Crt("gw1"), pki.Key("gw1"), pki.CaCrt);

        int before = server.Um.ReadEvents().Count;
        var sipp = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", stunnel.AcceptPort, "1000")
        {
            Transport = "t1",
            Calls = 1,
            Timeout = TimeSpan.FromSeconds(30),
        }, output);
        var received = sipp.Received();
        Assert.True(sipp.ExitCode == 0 && received.Any(l => l.StartsWith("SIP/2.0 403", StringComparison.Ordinal)),
            $"expected 403 for the Unsecured dial plan's call over TLS; received [{string.Join(" | ", received)}]\n{sipp.Describe()}\n{stunnel.Log}\n{server.Diagnostics}");
        var ev = await server.WaitForEventSinceAsync(before, 1021, e => e.Message.Contains("Unsecured", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "1021 naming the Unsecured dial plan for a call over TLS");
        output.WriteLine(ev.Raw);
        Assert.DoesNotContain(server.Um.ReadEvents().Skip(before), e => e.Id == 2002);
        await server.AssertCleanStopAsync();
    }
}
