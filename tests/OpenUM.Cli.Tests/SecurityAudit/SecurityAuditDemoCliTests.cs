using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenUM.Cli.Tests.SecurityAudit;

/// <summary>
/// The must-show, with the real executable: the configuration the README's first command creates (`openum serve` on
/// an empty data directory) is audited; every fix command the audit printed is run as printed, through a shell, with only
/// its placeholders filled in with what an operator would have (a CA's answer, made here by a test CA); audited again,
/// those findings are gone.
/// </summary>
public sealed partial class SecurityAuditDemoCliTests : IDisposable
{
    private const string Fqdn = "um.audit.test";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-audit-demo-").FullName;
    private readonly string _data;
    private readonly string _work;

    public SecurityAuditDemoCliTests()
    {
        _data = Path.Combine(_root, "openum-data");
        _work = System.IO.Directory.CreateDirectory(Path.Combine(_root, "work")).FullName;
    }

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TheDemoConfigurationsFindingsAreGoneOnceTheirPrintedFixesAreRun()
    {
        await CreateDemoConfigurationAsync();

        var (code, before) = Audit();
        Assert.Equal(5, code);
        Assert.Equal(["OUM-SEC-001 Default", "OUM-SEC-011 Loopback", "OUM-SEC-020 (none yet)"], before.Select(f => f.Key));

        using var ca = new AuditTestCa("Contoso Gateways Root");
        foreach (var finding in before)
        {
            // A finding an earlier fix already put right (removing the Loopback gateway fixed both plan and gateway) is left.
            if (!Audit().Findings.Any(f => f.Key == finding.Key)) continue;
            foreach (var command in finding.Fix) RunFix(command, ca);
        }

        var (after, remaining) = Audit();
        Assert.DoesNotContain(remaining, f => before.Any(b => b.Key == f.Key));
        // What the fixes brought: the gateways' CA is now trusted, and the audit asks for its CRL; that fix too, and nothing is left.
        Assert.Equal(4, after);
        var crl = Assert.Single(remaining);
        Assert.Equal("OUM-SEC-025", crl.Id);
        foreach (var command in crl.Fix) RunFix(command, ca);
        var (clean, none) = Audit();
        Assert.True(clean == 0 && none.Count == 0, string.Join("\n", none.Select(f => f.Key)));
    }

    private sealed record Finding(string Id, string Object, IReadOnlyList<string> Fix)
    {
        public string Key => $"{Id} {Object}";
    }

    private (int Code, IReadOnlyList<Finding> Findings) Audit()
    {
        var (code, json, err) = OpenUmCli.Run(_data, "security", "audit", "--fqdn", Fqdn, "--json");
        Assert.True(code is 0 or >= 3, $"the audit failed ({code}): {err}");
        var findings = JsonDocument.Parse(json).RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => new Finding(f.GetProperty("id").GetString()!, f.GetProperty("object").GetString()!,
                [.. f.GetProperty("fix").EnumerateArray().Select(c => c.GetString()!)]))
            .ToList();
        return (code, findings);
    }

    // The command as printed, placeholders replaced by the operator's inputs, run by bash in a working directory (where
    // `cert new-request --out openum.csr` writes); `openum` is the executable under test, on the data directory of the audit.
    private void RunFix(string command, AuditTestCa ca)
    {
        string line = Placeholder().Replace(command, m => m.Value switch
        {
            "<gateway-ca-certificate-file>" => Write("gateway-ca.crt", ca.RootPem),
            "<ca-signed-certificate-file>" => Write("openum.crt", ca.Sign(File.ReadAllText(Path.Combine(_work, "openum.csr")))),
            "<crl-file>" => Write("gateway-ca.crl", ca.Crl(TimeSpan.FromDays(7))),
            _ => throw new InvalidOperationException($"no operator input for {m.Value} in: {command}"),
        });
        var start = new ProcessStartInfo("bash") { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("openum() { dotnet \"$OPENUM_DLL\" \"$@\"; }\n" + line);
        start.Environment["OPENUM_DLL"] = Path.Combine(AppContext.BaseDirectory, "openum.dll");
        start.Environment["OPENUM_DATA"] = _data;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(HangGuard)) { process.Kill(); Assert.Fail($"hung: {line}"); }
        Assert.True(process.ExitCode == 0, $"`{line}` (printed as `{command}`) exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    private string Write(string name, string text) => Write(name, System.Text.Encoding.ASCII.GetBytes(text));

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_work, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    // `openum serve` on an empty data directory, as the README's first command, until it has created the demo
    // configuration (event 2010) and listens (1114); then SIGTERM.
    private async Task CreateDemoConfigurationAsync()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "openum.dll"), "serve", "--data-dir", _data, "--sip-tcp-port", "0", "--sip-tls-port", "0" })
            start.ArgumentList.Add(a);
        using var server = Process.Start(start)!;
        server.StandardInput.Close();
        var stderr = server.StandardError.ReadToEndAsync();
        var stdout = server.StandardOutput.ReadToEndAsync();
        try
        {
            var deadline = DateTime.UtcNow + HangGuard;
            string events = Path.Combine(_data, "events.jsonl");
            while (!(File.Exists(events) && Logged(events, 2010) && Logged(events, 1114)))
            {
                if (server.HasExited) Assert.Fail($"openum serve exited with {server.ExitCode}: {await stderr}");
                Assert.True(DateTime.UtcNow < deadline, "openum serve created no demo configuration within the hang guard");
                await Task.Delay(100);
            }
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            if (!server.WaitForExit(TimeSpan.FromSeconds(30))) server.Kill();
            await Task.WhenAll(stdout, stderr);
        }
    }

    private static bool Logged(string events, int id)
    {
        using var stream = new FileStream(events, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Contains($"\"id\":{id},", StringComparison.Ordinal);
    }

    [GeneratedRegex("<[a-z0-9-]+>")]
    private static partial Regex Placeholder();
}
