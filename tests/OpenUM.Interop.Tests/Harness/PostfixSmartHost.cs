using System.Net;
using System.Net.Sockets;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// A private Postfix instance as the SMTP smart host, run from a temp directory (never the system
/// instance): smtpd on 127.0.0.1:PORT only, STARTTLS mandatory, a client certificate from the test CA
/// required (smtpd_tls_req_ccert), mail for &lt;user&gt;@example.test delivered into
/// WORK/mail/&lt;address&gt;/new/ by a small pipe(8) script, nothing relayed anywhere. Needs root (Postfix's
/// master) and the Debian postfix package (scripts/install-test-deps.sh).
/// Layout and settings follow Debian's Postfix 3.7: the delivery script exists because virtual(8) cannot
/// give each recipient its own Maildir from a regexp map.
/// </summary>
public sealed class PostfixSmartHost : IAsyncDisposable
{
    /// <summary>The smart host's name in its certificate (SAN also has localhost and 127.0.0.1).</summary>
    public const string HostName = "mail.example.test";
    private readonly ITestOutputHelper? _log;

    private PostfixSmartHost(string work, int port, ITestOutputHelper? log) => (Work, Port, _log) = (work, port, log);

    /// <summary>The instance's directory (at most ~85 bytes: Postfix addresses its log socket by absolute path).</summary>
    public string Work { get; }
    /// <summary>smtpd's port on 127.0.0.1.</summary>
    public int Port { get; }
    /// <summary>The implicit-TLS (SMTPS) smtpd's port on 127.0.0.1; 0 when there is none.</summary>
    public int SmtpsPort { get; private init; }
    private string Conf => Path.Combine(Work, "etc");
    private string Tls => Path.Combine(Conf, "tls");
    /// <summary>Postfix's log file.</summary>
    public string LogPath => Path.Combine(Work, "maillog");

    /// <summary>Postfix's log so far.</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>
    /// Creates and starts an instance whose server certificate is signed by <paramref name="serverCa"/>
    /// ("ca" = the test CA the UM trusts; "untrusted-ca" = the rogue CA) and which requires client
    /// certificates from the test CA. <paramref name="extraMainCf"/> lines go into main.cf and replace the base setting of the
    /// parameters they set: <c>virtual_transport = lmtp:inet:127.0.0.1:PORT</c> hands the mail to a
    /// <see cref="DovecotImap"/> instead of the Maildir script. With
    /// <paramref name="smtps"/> a second smtpd listens on <see cref="SmtpsPort"/> with implicit TLS (wrapper mode).
    /// </summary>
    public static async Task<PostfixSmartHost> StartAsync(TestPki pki, ITestOutputHelper? log, string serverCa = "ca", string extraMainCf = "", bool smtps = false)
    {
        string postfix = File.Exists("/usr/sbin/postfix") ? "/usr/sbin/postfix" : Peers.Require("postfix", "postfix");
        if (!File.Exists("/usr/lib/postfix/sbin/master"))
            throw new InvalidOperationException("Postfix is incomplete (/usr/lib/postfix/sbin/master missing): apt-get install -y postfix");
        if (Environment.UserName != "root")
            throw new InvalidOperationException("the Postfix smart host tests must run as root (Postfix's master runs as root)");
        _ = postfix;
        // Short path (Postfix's postlog socket path ≤ 107 bytes) that the delivery user can traverse.
        string work = System.IO.Directory.CreateTempSubdirectory("oum-pf-").FullName;
        File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
        var host = new PostfixSmartHost(work, FreePort(), log) { SmtpsPort = smtps ? FreePort(36000) : 0 };
        await host.WriteConfigurationAsync(pki, serverCa, extraMainCf);
        await host.StartAsync();
        return host;
    }

    /// <summary>Ports 33000-33999 (this suite's share of the loopback range; SMTPS 36000-36999); a free one, claimed.</summary>
    private static int FreePort(int first = 33000) => TestPorts.ClaimBlock(first, first + 999);

    /// <summary>postfix start; the port listens when it returns (master -w).</summary>
    public async Task StartAsync()
    {
        var r = await Run("/usr/sbin/postfix", "-c", Conf, "start");
        Assert.True(r.ExitCode == 0, "postfix start failed:\n" + r.Describe() + "\n" + Tail(Log));
        await WaitListeningAsync(true);
    }

    /// <summary>postfix stop; connecting is refused when it returns.</summary>
    public async Task StopAsync()
    {
        var r = await Run("/usr/sbin/postfix", "-c", Conf, "stop");
        Assert.True(r.ExitCode == 0, "postfix stop failed:\n" + r.Describe());
        await WaitListeningAsync(false);
    }

    /// <summary>Rewrites main.cf with other extra lines and reloads.</summary>
    public async Task ReloadAsync(TestPki pki, string extraMainCf)
    {
        await WriteConfigurationAsync(pki, null, extraMainCf);
        var r = await Run("/usr/sbin/postfix", "-c", Conf, "reload");
        Assert.True(r.ExitCode == 0, "postfix reload failed:\n" + r.Describe());
    }

    /// <summary>Files in the recipient's Maildir new/ (sorted).</summary>
    public string[] Mail(string address)
    {
        string dir = Path.Combine(Work, "mail", address.ToLowerInvariant(), "new");
        return System.IO.Directory.Exists(dir) ? System.IO.Directory.GetFiles(dir).Order().ToArray() : [];
    }

    /// <summary>Waits (hang guard) until at least <paramref name="count"/> messages arrived.</summary>
    public async Task<string[]> WaitForMailAsync(string address, int count, TimeSpan hangGuard, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var files = Mail(address);
            if (files.Length >= count) return files;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{files.Length} of {count} messages for {address} in the Postfix mailbox after {hangGuard.TotalSeconds:0} s\n{diagnostics?.Invoke()}\n--- maillog ---\n{Tail(Log)}");
            await Task.Delay(100);
        }
    }

    private async Task WriteConfigurationAsync(TestPki pki, string? serverCa, string extraMainCf)
    {
        System.IO.Directory.CreateDirectory(Tls);
        System.IO.Directory.CreateDirectory(Path.Combine(Work, "mail"));
        System.IO.Directory.CreateDirectory(Path.Combine(Work, "spool"));
        File.Copy(pki.CaCrt, Path.Combine(Tls, "ca.crt"), overwrite: true);
        if (serverCa is not null) await ServerCertificate.IssueAsync(pki, serverCa, Tls, HostName);
        await File.WriteAllTextAsync(Path.Combine(Conf, "recipients.regexp"), "/^[a-z0-9][a-z0-9._+=-]*@example\\.test$/\tOK\n");
        string deliver = Path.Combine(Conf, "maildir-deliver");
        // Maildir delivery: tmp/ then rename into new/. Exit 75 = try later, 67 = bounce (sysexits).
        await File.WriteAllTextAsync(deliver, """
            #!/bin/sh
            umask 022
            base=$1 rcpt=$2
            case "$rcpt" in ""|.*|*/*|*[!a-z0-9._+=@-]*) echo "5.1.1 bad recipient"; exit 67;; esac
            dir="$base/$rcpt"
            mkdir -p "$dir/tmp" "$dir/new" "$dir/cur" || exit 75
            t=$(date +%s.%N); name="${t%.*}.M${t#*.}P$$.mail"
            if cat > "$dir/tmp/$name" && mv "$dir/tmp/$name" "$dir/new/$name"; then exit 0; fi
            rm -f "$dir/tmp/$name"; exit 75
            """.Replace("\r", "") + "\n");
        File.SetUnixFileMode(deliver, (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Combine(Conf, "main.cf"), MainCf(extraMainCf));
        await File.WriteAllTextAsync(Path.Combine(Conf, "master.cf"), $"""
            127.0.0.1:{Port} inet n - n - - smtpd
            cleanup unix n - n - 0 cleanup
            qmgr unix n - n 300 1 qmgr
            tlsmgr unix - - n 1000? 1 tlsmgr
            rewrite unix - - n - - trivial-rewrite
            bounce unix - - n - 0 bounce
            defer unix - - n - 0 bounce
            trace unix - - n - 0 bounce
            flush unix n - n 1000? 0 flush
            anvil unix - - n - 1 anvil
            showq unix n - n - - showq
            error unix - - n - - error
            retry unix - - n - - error
            discard unix - - n - - discard
            postlog unix-dgram n - n - 1 postlogd
            lmtp unix - - n - - lmtp
            maildir unix - n n - - pipe
              flags=DORXhu user=nobody:nogroup argv={deliver} {Work}/mail ${"{"}recipient{"}"}
            {(SmtpsPort == 0 ? "" : $"127.0.0.1:{SmtpsPort} inet n - n - - smtpd\n  -o smtpd_tls_wrappermode=yes\n  -o syslog_name=postfix/smtps")}
            """.Replace("\r", "") + "\n");
        var chown = await Run("chown", "nobody:nogroup", Path.Combine(Work, "mail"));
        Assert.True(chown.ExitCode == 0, chown.Describe());
    }

    // main.cf: the base settings, each one an extra line sets left out. Postfix would take the last definition anyway,
    // but every Postfix process reading a file with a repeated parameter logs "overriding earlier entry", and that burst
    // of log datagrams can fill the postlog socket's queue (10 on Linux) before postlogd reads it: postlogd, logging the
    // same warning to its own socket, then blocks for good, and every process that logs blocks behind it (seen as a
    // `postfix reload` that never returns on a loaded machine).
    private string MainCf(string extraMainCf)
    {
        var overridden = extraMainCf.Split('\n')
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2 && kv[0].Length > 0 && !char.IsWhiteSpace(kv[0][0]))
            .Select(kv => kv[0].Trim()).ToHashSet(StringComparer.Ordinal);
        string baseCf = $"""
            compatibility_level = 3.6
            config_directory = {Conf}
            queue_directory = {Work}/spool
            data_directory = {Work}/data
            mail_owner = postfix
            setgid_group = postdrop
            maillog_file = {LogPath}
            maillog_file_prefixes = {Work}
            myhostname = {HostName}
            mydomain = example.test
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            mydestination =
            local_recipient_maps =
            alias_maps =
            alias_database =
            relay_domains =
            relayhost =
            biff = no
            default_transport = error:5.7.1 outbound mail disabled on this test smart host
            relay_transport = error:5.7.1 outbound mail disabled on this test smart host
            local_transport = error:5.1.1 local delivery disabled on this test smart host
            notify_classes =
            virtual_mailbox_domains = example.test
            virtual_mailbox_maps = regexp:{Conf}/recipients.regexp
            virtual_alias_maps =
            virtual_transport = maildir
            maildir_destination_recipient_limit = 1
            smtpd_peername_lookup = no
            smtpd_relay_restrictions = reject_unauth_destination
            smtpd_recipient_restrictions = reject_unlisted_recipient
            smtpd_tls_security_level = encrypt
            smtpd_tls_ask_ccert = yes
            smtpd_tls_req_ccert = yes
            smtpd_tls_CAfile = {Tls}/ca.crt
            smtpd_tls_ccert_verifydepth = 5
            smtpd_tls_cert_file = {Tls}/server.crt
            smtpd_tls_key_file = {Tls}/server.key
            smtpd_tls_protocols = >=TLSv1.2
            smtpd_tls_mandatory_protocols = >=TLSv1.2
            smtpd_tls_loglevel = 1, peercert
            smtpd_tls_fingerprint_digest = sha256
            tls_append_default_CA = no
            """.Replace("\r", "");
        var kept = baseCf.Split('\n').Where(l => !(l.Split('=', 2) is [var name, _] && overridden.Contains(name.Trim())));
        return string.Join('\n', kept).TrimEnd() + "\n" + extraMainCf.Replace("\r", "").Trim() + "\n";
    }

    private async Task WaitListeningAsync(bool listening)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            bool open;
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, Port);
                open = true;
            }
            catch (SocketException)
            {
                open = false;
            }
            if (open == listening) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Postfix on 127.0.0.1:{Port} still {(open ? "listening" : "not listening")} after 15 s\n{Tail(Log)}");
            await Task.Delay(100);
        }
    }

    private static Task<ProcessResult> Run(string file, params string[] args) => ChildProcess.RunAsync(file, args, TimeSpan.FromSeconds(60));

    /// <summary>The end of a long text.</summary>
    public static string Tail(string text, int chars = 4000) => text.Length <= chars ? text : "..." + text[^chars..];

    /// <summary>Stops the instance and removes its directory (kept with OPENUM_INTEROP_KEEP=1).</summary>
    public async ValueTask DisposeAsync()
    {
        await Run("/usr/sbin/postfix", "-c", Conf, "stop");
        _log?.WriteLine("--- Postfix maillog ---\n" + Tail(Log, 6000));
        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") == "1") { _log?.WriteLine($"kept {Work}"); return; }
        try { System.IO.Directory.Delete(Work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
