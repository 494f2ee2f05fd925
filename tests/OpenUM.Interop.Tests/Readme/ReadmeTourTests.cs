using System.Text.Json;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Readme;

/// <summary>
/// The README is a promise: every <c>```sh</c> command in it is run literally, in order, by bash in a fresh copy of
/// this repository, the first command (<c>dotnet run --project src/OpenUM.Cli -- serve</c>) running the server the
/// others talk to, and each must exit 0. The test supplies only what the README tells the reader to bring (a WAV
/// greeting, a PIN file, the CA's certificate and its answer to the request) and fills in its placeholders
/// (<c>&lt;thumbprint&gt;</c>, <c>&lt;item&gt;</c>) from the server's own answers, as a reader would.
/// </summary>
// Runs alone (RunAloneCollection): the README's server listens on its fixed default ports (SIP 5060, TLS 5061) and
// takes RTP ports anywhere in its default 16384-31999, over the ranges other tests use (a capture that must see no
// plain RTP in its server's range could see this one's); and `dotnet run` builds a fresh copy, both cores for a minute.
[Collection(RunAloneCollection.Name)]
public sealed class ReadmeTourTests : IAsyncLifetime
{
    private static readonly TimeSpan CommandGuard = TimeSpan.FromMinutes(5);
    private const string ServeCommand = "dotnet run --project src/OpenUM.Cli -- serve";
    private const string TestCommand = "scripts/test.sh";

    private readonly string _clone = System.IO.Directory.CreateTempSubdirectory("openum-readme-").FullName;
    private readonly List<string> _aliases = [];
    private ChildProcess? _server;

    [Fact]
    public async Task Every_README_command_works_as_written()
    {
        string root = Path.GetDirectoryName(TestPki.RepoFile("OpenUM.slnx"))!;
        var commands = ReadmeTour.Parse(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        Assert.True(commands.Count >= 30, $"the README has {commands.Count} shell commands; the tour has more (was the parser broken?)");
        Assert.Equal(ServeCommand, Strip(commands[0].Text));
        Assert.Equal(TestCommand, Strip(commands[1].Text));
        await CopyRepositoryAsync(root);

        // The first command runs until the end; the second is the command that runs this test.
        _server = ChildProcess.Start("bash", ["-c", "unset OPENUM_DATA OPENUM_STORE; exec " + commands[0].Text], _clone);
        await WaitForServerAsync();

        foreach (var command in commands.Skip(2))
        {
            if (command.Text.StartsWith("alias ", StringComparison.Ordinal))
            {
                _aliases.Add(command.Text);
                continue;
            }
            // `a && b` runs as a reader runs it: a, then b with its placeholders filled from what a did.
            foreach (string part in command.Text.Split(" && "))
            {
                string text = await FillInAsync(command with { Text = part });
                await BringFixturesAsync(text);
                var result = await BashAsync(text);
                Assert.True(result.ExitCode == 0 && !result.HungAndKilled,
                    $"README ({command.Section}): `{text}` failed:\n{result.Describe()}\n--- server output:\n{Tail(_server.StdOut + _server.StdErr)}");
                CheckOutput(text, result.StdOut);
            }
        }

        Assert.False(_server.HasExited, "serve stopped during the tour:\n" + Tail(_server.StdOut + _server.StdErr));
        // The tour leaves the server with nothing to complain about but warnings (the example gateways do not resolve)
        // and the one error it causes on purpose: the example smart host cannot be reached (1082), so the message waits.
        var errors = (_server.StdOut + _server.StdErr).Split('\n')
            .Where(l => (l.Contains(" fail: ") || l.Contains(" crit: ")) && !l.Contains("OpenUM.Delivery[1082]")).ToList();
        Assert.True(errors.Count == 0, "the server logged errors during the tour:\n" + string.Join('\n', errors));
    }

    // What the README says a command shows, beyond its exit code.
    private static void CheckOutput(string command, string stdout)
    {
        if (command.StartsWith("openum test-connectivity", StringComparison.Ordinal))
            Assert.Matches(@"Message\s+: Voice message for extension \d+ from openum-test .* (delivered to|could not be delivered now)", stdout);
        if (command.StartsWith("ls openum-data/maildir/", StringComparison.Ordinal))
            Assert.Contains(".vm", stdout);
        if (command.StartsWith("openum outbox list", StringComparison.Ordinal))
            Assert.Contains("Queued", stdout);
        if (command.StartsWith("openum outdialing test", StringComparison.Ordinal))
            Assert.Matches(@"Result\s+: Allowed", stdout);
        if (command.StartsWith("openum mailbox reset-pin", StringComparison.Ordinal))
            Assert.Matches("New PIN for mailbox 2001 in dial plan Contoso: [0-9]{8,}", stdout);
    }

    private async Task<string> FillInAsync(ReadmeCommand command)
    {
        string text = command.Text;
        foreach (string name in command.Placeholders)
        {
            string? value = name switch
            {
                // The certificate the CA signed: the one with a key that is not self-signed.
                "thumbprint" => (await JsonAsync("openum cert list --json")).EnumerateArray()
                    .Where(c => c.GetProperty("hasPrivateKey").GetBoolean() && !c.GetProperty("isSelfSigned").GetBoolean())
                    .Select(c => c.GetProperty("thumbprint").GetString()).FirstOrDefault(),
                "item" => (await JsonAsync("openum outbox list --json")).EnumerateArray()
                    .Select(i => i.GetProperty("id").GetString()).FirstOrDefault(),
                _ => throw new Xunit.Sdk.XunitException($"README ({command.Section}): `{text}` has a placeholder <{name}> this test cannot fill in"),
            };
            Assert.True(value is not null, $"README ({command.Section}): `{text}` needs a <{name}>, and the tour so far has made none");
            text = text.Replace("<" + name + ">", value, StringComparison.Ordinal);
        }
        return text;
    }

    // The files a reader brings: made here when a command names them and they are not there yet.
    private async Task BringFixturesAsync(string command)
    {
        string Here(string name) => Path.Combine(_clone, name);
        if (command.Contains("alice.wav", StringComparison.Ordinal) && !File.Exists(Here("alice.wav")))
            await File.WriteAllBytesAsync(Here("alice.wav"), ToneWav(seconds: 2));
        if (command.Contains("pin.txt", StringComparison.Ordinal) && !File.Exists(Here("pin.txt")))
            await File.WriteAllTextAsync(Here("pin.txt"), "73918264\n"); // 8 digits, no run or repeat: the Staff policy's rules
        var pki = await TestPki.GetAsync();
        if (command.Contains("contoso-root.crt", StringComparison.Ordinal) && !File.Exists(Here("contoso-root.crt")))
            File.Copy(pki.CaCrt, Here("contoso-root.crt"));
        if (command.Contains("um-signed.crt", StringComparison.Ordinal) && !File.Exists(Here("um-signed.crt")))
        {
            // The CA's answer to the request the tour wrote one command earlier.
            var signed = await ChildProcess.RunAsync(Peers.Require("openssl", "openssl"),
                ["x509", "-req", "-in", Here("um.csr"), "-CA", pki.CaCrt, "-CAkey", pki.CaKey, "-set_serial", "0x" + Convert.ToHexString(Guid.NewGuid().ToByteArray()[..15]),
                 "-days", "365", "-copy_extensions", "copyall", "-out", Here("um-signed.crt")], TimeSpan.FromMinutes(1));
            Assert.True(signed.ExitCode == 0, "signing um.csr failed:\n" + signed.Describe());
        }
    }

    private async Task<JsonElement> JsonAsync(string command)
    {
        var result = await BashAsync(command);
        Assert.True(result.ExitCode == 0, result.Describe());
        return JsonDocument.Parse(result.StdOut).RootElement.Clone();
    }

    // One command in its own bash, after the aliases the README defined so far (each on its own line, as typed).
    private Task<ProcessResult> BashAsync(string command)
    {
        string script = string.Join('\n', ["unset OPENUM_DATA OPENUM_STORE", "shopt -s expand_aliases", .. _aliases, command]);
        return ChildProcess.RunAsync("bash", ["-c", script], CommandGuard, _clone);
    }

    private async Task WaitForServerAsync()
    {
        // The first `dotnet run` builds the copy from nothing: generous.
        var until = DateTime.UtcNow.AddMinutes(10);
        while (!(_server!.StdOut + _server.StdErr).Contains("[1037]", StringComparison.Ordinal))
        {
            Assert.False(_server.HasExited, "serve exited:\n" + Tail(_server.StdOut + _server.StdErr));
            Assert.True(DateTime.UtcNow < until, "serve did not start within 10 minutes:\n" + Tail(_server.StdOut + _server.StdErr));
            await Task.Delay(250);
        }
    }

    // The repository as a fresh clone has it (tracked files and new ones not ignored; no build output, no data).
    private async Task CopyRepositoryAsync(string root)
    {
        var copy = await ChildProcess.RunAsync("bash",
            ["-c", "git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C \"$1\"", "copy", _clone],
            TimeSpan.FromMinutes(2), root);
        Assert.True(copy.ExitCode == 0 && File.Exists(Path.Combine(_clone, "OpenUM.slnx")), "copying the repository failed:\n" + copy.Describe());
    }

    private static byte[] ToneWav(int seconds)
    {
        const int rate = 8000;
        var samples = new short[rate * seconds];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate));
        using var wav = new MemoryStream();
        using (var w = new BinaryWriter(wav))
        {
            w.Write("RIFF"u8); w.Write(36 + samples.Length * 2); w.Write("WAVE"u8);
            w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
            w.Write("data"u8); w.Write(samples.Length * 2);
            foreach (short s in samples) w.Write(s);
        }
        return wav.ToArray();
    }

    private static string Strip(string command) => command.Split(" #", 2)[0].TrimEnd();

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            // `dotnet run` and the server it started: the whole tree (a graceful stop is other tests' subject).
            _server.Kill();
            await _server.DisposeAsync();
        }
        try { System.IO.Directory.Delete(_clone, recursive: true); }
        catch (IOException) { }
    }
}
