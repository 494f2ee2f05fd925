using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// A private Dovecot (IMAP + LMTP) as the users' real mailbox store, run from a temp directory (never the system
/// instance) in the foreground as this process's child: IMAP with STARTTLS on <see cref="ImapPort"/>, implicit TLS on
/// <see cref="ImapsPort"/>, LMTP on <see cref="LmtpPort"/>, all on 127.0.0.1 (ports 37000-37999: base, +1, +2).
/// Users <c>userNNNN@example.test</c>; a master user <see cref="MasterUser"/> (Dovecot's name for a service account
/// that may open every mailbox: <c>LOGIN "user1000@example.test*openum" PASSWORD</c>) whose random password is in
/// <see cref="PasswordFile"/> (0600), the file <c>--imap-password-file</c> names. Needs root and the Debian
/// packages dovecot-core, dovecot-imapd and dovecot-lmtpd (scripts/install-test-deps.sh).
/// </summary>
public sealed partial class DovecotImap : IAsyncDisposable
{
    /// <summary>The store's name in its certificate (SAN also has localhost and 127.0.0.1).</summary>
    public const string HostName = "imap.example.test";

    /// <summary>The master user OpenUM logs in as.</summary>
    public const string MasterUser = "openum";

    /// <summary>The users that exist unless the test names others.</summary>
    public static readonly IReadOnlyList<string> DefaultUsers = [.. Enumerable.Range(1000, 10).Select(n => $"user{n}@example.test")];

    private readonly ITestOutputHelper? _log;
    private ChildProcess? _dovecot;

    private DovecotImap(string work, int basePort, ITestOutputHelper? log)
    {
        (Work, ImapPort, _log) = (work, basePort, log);
        // Random per instance, never on a command line: hashed here, written to files only.
        MasterPassword = "mp-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        UserPassword = "up-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
    }

    /// <summary>The instance's directory (0755: Dovecot's unprivileged processes traverse it).</summary>
    public string Work { get; }
    /// <summary>IMAP with STARTTLS (plaintext login refused before it) on 127.0.0.1.</summary>
    public int ImapPort { get; }
    /// <summary>IMAP with implicit TLS on 127.0.0.1.</summary>
    public int ImapsPort => ImapPort + 1;
    /// <summary>LMTP (no TLS, loopback only) on 127.0.0.1.</summary>
    public int LmtpPort => ImapPort + 2;
    /// <summary>The master user's password (random per instance); it is the first line of <see cref="PasswordFile"/>.</summary>
    public string MasterPassword { get; }
    /// <summary>Every user's own password (random per instance).</summary>
    public string UserPassword { get; }
    /// <summary>The master password file (0600, owned by the test's user), for <c>--imap-password-file</c>.</summary>
    public string PasswordFile => Path.Combine(Work, "openum.pw");
    /// <summary>dovecot.conf of this instance (for <c>doveadm -c</c>).</summary>
    public string ConfPath => Path.Combine(Work, "dovecot.conf");
    /// <summary>Dovecot's log file.</summary>
    public string LogPath => Path.Combine(Work, "dovecot.log");
    /// <summary>Dovecot's log so far.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
    /// <summary>The master process's id while running, else 0.</summary>
    public int Pid => _dovecot is { HasExited: false } d ? d.Id : 0;
    /// <summary>HOST:PORT for <c>--imap-host</c> (STARTTLS port, or the implicit-TLS one); localhost is in the certificate.</summary>
    public string Endpoint(bool implicitTls = false) => $"localhost:{(implicitTls ? ImapsPort : ImapPort)}";

    /// <summary>
    /// Creates and starts an instance whose server certificate is signed by <paramref name="serverCa"/> ("ca" = the
    /// test CA the UM trusts; "untrusted-ca" = the rogue CA). With <paramref name="requireClientCertificate"/>
    /// IMAP logins need a client certificate from the test CA (checked against its CRL).
    /// </summary>
    public static async Task<DovecotImap> StartAsync(TestPki pki, ITestOutputHelper? log, string serverCa = "ca",
        bool requireClientCertificate = false, IEnumerable<string>? users = null)
    {
        if (!File.Exists(Dovecot) || !File.Exists("/usr/lib/dovecot/imap") || !File.Exists("/usr/lib/dovecot/lmtp"))
            throw new InvalidOperationException("Dovecot is not installed: apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd");
        if (Environment.UserName != "root")
            throw new InvalidOperationException("the Dovecot tests must run as root (Dovecot's master runs as root)");
        string work = System.IO.Directory.CreateTempSubdirectory("oum-dc-").FullName;
        File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
        var d = new DovecotImap(work, FreeBasePort(), log);
        await d.WriteConfigurationAsync(pki, serverCa, requireClientCertificate, users ?? DefaultUsers);
        await d.StartAsync();
        return d;
    }

    // Blocks of three consecutive ports in 37000-37999 (this suite's share for Dovecot); a fully free one, claimed.
    private static int FreeBasePort() => TestPorts.ClaimBlock(37000, 37999, 3);

    /// <summary>Starts the master in the foreground (this process owns its PID); all three ports listen when it returns.</summary>
    public async Task StartAsync()
    {
        if (Pid != 0) throw new InvalidOperationException("Dovecot is already running");
        if (_dovecot is not null) await _dovecot.DisposeAsync();
        _dovecot = ChildProcess.Start(Dovecot, ["-F", "-c", ConfPath]);
        _log?.WriteLine($"started Dovecot pid {_dovecot.Id}: IMAP {ImapPort}, IMAPS {ImapsPort}, LMTP {LmtpPort} in {Work}");
        await WaitListeningAsync(true);
    }

    /// <summary>SIGTERM to the master (as <c>systemctl stop</c>); connecting is refused when it returns.</summary>
    public async Task StopAsync()
    {
        Assert.True(_dovecot is { HasExited: false }, "Dovecot is not running\n" + Diagnostics);
        _dovecot!.Terminate();
        Assert.True(await _dovecot.WaitForExitAsync(TimeSpan.FromSeconds(30)), "Dovecot ignored SIGTERM for 30 s (killed)\n" + Diagnostics);
        await WaitListeningAsync(false);
    }

    /// <summary>Stop, then start on the same ports with the same mailboxes.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    private async Task WaitListeningAsync(bool listening)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            int open = 0;
            foreach (int port in new[] { ImapPort, ImapsPort, LmtpPort })
            {
                try
                {
                    using var c = new TcpClient();
                    await c.ConnectAsync(IPAddress.Loopback, port);
                    open++;
                }
                catch (SocketException)
                {
                }
            }
            if (listening ? open == 3 : open == 0) return;
            if (listening && _dovecot is { HasExited: true })
                Assert.Fail($"Dovecot exited with {_dovecot.ExitCode} before listening\n{Diagnostics}");
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Dovecot: {open} of 3 ports listening after 15 s, expected {(listening ? 3 : 0)}\n{Diagnostics}");
            await Task.Delay(50);
        }
    }

    /// <summary>The master's output and the end of Dovecot's log, for failure messages.</summary>
    public string Diagnostics =>
        $"--- Dovecot stdout/stderr ---\n{_dovecot?.StdOut}{_dovecot?.StdErr}\n--- dovecot.log ---\n{PostfixSmartHost.Tail(Log)}";

    private async Task WriteConfigurationAsync(TestPki pki, string serverCa, bool requireClientCertificate, IEnumerable<string> users)
    {
        string tls = Path.Combine(Work, "tls"), mail = Path.Combine(Work, "mail");
        System.IO.Directory.CreateDirectory(tls);
        System.IO.Directory.CreateDirectory(mail);
        System.IO.Directory.CreateDirectory(Path.Combine(Work, "run"));
        await ServerCertificate.IssueAsync(pki, serverCa, tls, HostName);
        // Dovecot checks client certificates against a CRL from the same file (ssl_require_crl defaults to yes).
        await File.WriteAllTextAsync(Path.Combine(tls, "ca.pem"), await File.ReadAllTextAsync(pki.CaCrt) + await File.ReadAllTextAsync(pki.CaCrl));

        await WriteSecretFileAsync(PasswordFile, MasterPassword + "\n", (UnixFileMode)0b110_000_000);
        string masters = Path.Combine(Work, "masters"), userFile = Path.Combine(Work, "users");
        await WriteSecretFileAsync(masters, $"{MasterUser}:{Ssha512(MasterPassword)}\n", (UnixFileMode)0b110_100_000);
        await WriteSecretFileAsync(userFile, string.Concat(users.Select(u => $"{u.ToLowerInvariant()}:{Ssha512(UserPassword)}\n")), (UnixFileMode)0b110_100_000);
        foreach (var r in new[] { await Run("chgrp", "dovecot", masters, userFile), await Run("chown", "dovecot:dovecot", mail) })
            Assert.True(r.ExitCode == 0, r.Describe());

        await File.WriteAllTextAsync(ConfPath, $$"""
            base_dir = {{Work}}/run
            state_dir = {{Work}}/run
            instance_name = oum-dovecot-{{ImapPort}}
            log_path = {{LogPath}}
            protocols = imap lmtp
            listen = 127.0.0.1
            ssl = required
            ssl_cert = <{{tls}}/server.crt
            ssl_key = <{{tls}}/server.key
            ssl_min_protocol = TLSv1.2
            ssl_ca = <{{tls}}/ca.pem
            ssl_verify_client_cert = {{(requireClientCertificate ? "yes" : "no")}}
            auth_ssl_require_client_cert = {{(requireClientCertificate ? "yes" : "no")}}
            auth_mechanisms = plain
            auth_master_user_separator = *
            auth_failure_delay = 0
            auth_verbose = yes
            auth_verbose_passwords = no
            mail_location = maildir:{{mail}}/%u
            mail_uid = dovecot
            mail_gid = dovecot
            first_valid_uid = 1
            mailbox_list_index = yes
            namespace inbox {
              inbox = yes
              separator = /
              mailbox Trash {
                special_use = \Trash
                auto = create
              }
            }
            passdb {
              driver = passwd-file
              args = {{masters}}
              master = yes
              result_success = continue
            }
            passdb {
              driver = passwd-file
              args = username_format=%u {{userFile}}
            }
            userdb {
              driver = static
              args = uid=dovecot gid=dovecot home={{mail}}/%u
            }
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{ImapPort}}
              }
              inet_listener imaps {
                address = 127.0.0.1
                port = {{ImapsPort}}
                ssl = yes
              }
            }
            service lmtp {
              inet_listener lmtp {
                address = 127.0.0.1
                port = {{LmtpPort}}
              }
              unix_listener lmtp {
                mode = 0600
              }
            }
            protocol lmtp {
              postmaster_address = postmaster@example.test
            }
            """.Replace("\r", "") + "\n");
        var check = await Run("/usr/bin/doveconf", "-c", ConfPath, "-n");
        Assert.True(check.ExitCode == 0, "doveconf refused the configuration:\n" + check.Describe());
    }

    // {SSHA512} = base64(SHA-512(password + salt) + salt), a scheme Dovecot reads; made here so no password is
    // ever an argument of a process (doveadm pw -p would put it in /proc/PID/cmdline).
    private static string Ssha512(string password)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = SHA512.HashData([.. Encoding.UTF8.GetBytes(password), .. salt]);
        return "{SSHA512}" + Convert.ToBase64String([.. hash, .. salt]);
    }

    private static async Task WriteSecretFileAsync(string path, string text, UnixFileMode mode)
    {
        await using (var f = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            await f.WriteAsync(Encoding.UTF8.GetBytes(text));
        File.SetUnixFileMode(path, mode);
    }

    private const string Dovecot = "/usr/sbin/dovecot";

    private static Task<ProcessResult> Run(string file, params string[] args) => ChildProcess.RunAsync(file, args, TimeSpan.FromSeconds(60));

    /// <summary>Kills exactly this instance's master and its children, then removes its directory (kept with OPENUM_INTEROP_KEEP=1).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dovecot is not null)
        {
            // Its own process tree only (no shutdown wait: a graceful stop takes ~3 s and the directory goes anyway).
            _dovecot.Kill();
            await _dovecot.DisposeAsync();
        }
        _log?.WriteLine("--- dovecot.log ---\n" + PostfixSmartHost.Tail(Log, 6000));
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") == "1") { _log?.WriteLine($"kept {Work}"); return; }
        try { System.IO.Directory.Delete(Work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
