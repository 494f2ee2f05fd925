using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Tls;

/// <summary>What one <c>openssl s_client</c> connection saw.</summary>
public sealed record ProbeResult(string Command, string? SipStatusLine, X509Certificate2? ServerCertificate, string StdOut, string StdErr, bool HungAndKilled)
{
    /// <summary>True when the server answered the OPTIONS with 200.</summary>
    public bool Got200 => SipStatusLine?.StartsWith("SIP/2.0 200", StringComparison.Ordinal) == true;

    /// <summary>True when s_client itself refused the server's certificate.</summary>
    public bool ServerVerifyFailed => Regex.IsMatch(StdOut + StdErr, "verify error|Verification error", RegexOptions.IgnoreCase);

    /// <summary>The TLS alert s_client reported, if any.</summary>
    public string Alert => Regex.Match(StdOut + StdErr, @"(sslv3|tlsv1|tlsv13) alert [a-z ]+").Value;

    /// <summary>Everything, for failure messages.</summary>
    public string Describe() =>
        $"$ {Command}\nsip='{SipStatusLine}' alert='{Alert}' killed={HungAndKilled} server_cert={ServerCertificate?.Subject} serial={ServerCertificate?.SerialNumber}\n" +
        $"--- stdout ---\n{ProcessResult.Tail(StdOut, 3000)}\n--- stderr ---\n{ProcessResult.Tail(StdErr, 3000)}";
}

/// <summary>
/// <c>openssl s_client</c> against the TLS port: completes the handshake (checking the server certificate
/// against the CA and um.example.test), sends one SIP OPTIONS and waits for an answer or the end of the
/// connection. With TLS 1.3 a refused client certificate is only seen after the client's Finished, so the
/// request is what makes a refusal visible. stdin stays open until the answer came (or the connection ended).
/// </summary>
public static class OpenSslProbe
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>One probe. <paramref name="clientCert"/> null = no client certificate.</summary>
    public static async Task<ProbeResult> OptionsAsync(int port, TestPki pki, string? clientCert, string? clientKey,
        IEnumerable<string>? extraArgs = null, bool verifyServer = true, ITestOutputHelper? log = null)
    {
        string openssl = Peers.Require("openssl", "openssl");
        var psi = new ProcessStartInfo(openssl)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", TestPki.UmName, "-showcerts" };
        if (verifyServer)
            args.AddRange(["-verify_hostname", TestPki.UmName, "-CAfile", pki.CaCrt, "-verify_return_error"]);
        if (clientCert is not null)
            args.AddRange(["-cert", clientCert, "-key", clientKey ?? clientCert]);
        if (extraArgs is not null)
            args.AddRange(extraArgs);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        string command = "openssl " + string.Join(' ', args);

        using var process = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var gate = new Lock();
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (gate) stdout.AppendLine(e.Data);
            if (e.Data.StartsWith("SIP/2.0 ", StringComparison.Ordinal))
                answered.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (gate) stderr.AppendLine(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool killed = false;
        try
        {
            string branch = "z9hG4bK-probe" + Guid.NewGuid().ToString("N")[..12];
            string options =
                $"OPTIONS sip:{TestPki.UmName}:{port};transport=tls SIP/2.0\r\n" +
                $"Via: SIP/2.0/TLS 127.0.0.1:5999;branch={branch};rport\r\n" +
                $"From: <sip:probe@{TestPki.GatewayName}>;tag={branch[7..]}\r\n" +
                $"To: <sip:{TestPki.UmName}>\r\n" +
                $"Call-ID: {branch}@127.0.0.1\r\n" +
                "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
            try
            {
                await process.StandardInput.WriteAsync(options);
                await process.StandardInput.FlushAsync();
            }
            catch (IOException)
            {
                // s_client already gone (handshake refused)
            }
            using var cts = new CancellationTokenSource(HangGuard);
            var exited = process.WaitForExitAsync(cts.Token);
            await Task.WhenAny(answered.Task, exited);   // exited turns cancelled at the hang guard
            try { process.StandardInput.Close(); } catch (IOException) { }
            using var closeGuard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(closeGuard.Token);
                await process.WaitForExitAsync(CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                killed = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                killed = true;
            }
        }
        string outText, errText;
        lock (gate)
        {
            outText = stdout.ToString();
            errText = stderr.ToString();
        }
        string? status = outText.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith("SIP/2.0 ", StringComparison.Ordinal));
        var pem = Regex.Match(outText, "-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----");
        var cert = pem.Success ? X509Certificate2.CreateFromPem(pem.Value) : null;
        var result = new ProbeResult(command, status, cert, outText, errText, killed);
        log?.WriteLine(result.Describe());
        return result;
    }
}
