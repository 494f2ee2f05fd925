using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Smtp;

/// <summary>
/// DLV-2 SMTP AUTH against the Postfix smart host with Cyrus SASL (sasldb of the Debian sasl2-bin package,
/// no saslauthd): AUTH only after STARTTLS, relaying only for authenticated clients, the client certificate
/// still required. A wrong password is a session problem (1185) that keeps the message until it is fixed.
/// </summary>
public sealed class SmtpAuthTests(ITestOutputHelper output)
{
    private const string Mailbox = OpenUmProcess.MailboxAddress;
    private const string User = "um1";
    private const string Password = "vm-submit-7d1c";

    [Fact]
    public async Task WrongPasswordKeepsTheMessageAndTheRightOneDeliversIt()
    {
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output);
        await EnableSaslAsync(postfix, pki);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        string passwordFile = Path.Combine(um.Um.DataDir, "smtp.pw");
        await File.WriteAllTextAsync(passwordFile, "not-the-password\n");
        await um.Um.CliOkAsync("server", "set", "--smart-host-user", User, "--smart-host-password-file", passwordFile);
        await um.StartAsync();

        await SmtpDeliveryTests.CallsAsync(um, 1, output);

        var e = await um.Um.WaitForEventAsync(1185, x => x.Message.Contains("535", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("SMTP session", e.Message);
        Assert.Contains("--smart-host-password-file", e.Message);
        var item = Assert.Single(await SmtpDeliveryTests.WaitForOutboxAsync(um, 1));
        Assert.Equal("Queued", item.GetProperty("state").GetString());
        Assert.Contains("535", item.GetProperty("lastError").GetString());
        Assert.Empty(postfix.Mail(Mailbox));
        Assert.Contains($"SASL PLAIN authentication failed", postfix.Log);

        // The password file is read at each session: fixing it is enough.
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        Assert.Single(await postfix.WaitForMailAsync(Mailbox, 1, TimeSpan.FromSeconds(60), () => um.Diagnostics));
        Assert.Empty(await SmtpDeliveryTests.WaitForOutboxAsync(um, 0));
        string log = postfix.Log;
        Assert.Matches($@"client=unknown\[127\.0\.0\.1\], sasl_method=(PLAIN|LOGIN), sasl_username={User}", log);
        Assert.Contains("subject_CN=" + TestPki.UmName, log);
        Assert.Single(await um.Um.WaitForEventCountAsync(2020, 1, TimeSpan.FromSeconds(30)));
    }

    /// <summary>sasldb with the user, smtpd.conf for it, and main.cf: AUTH after TLS only, relay only when authenticated.</summary>
    private static async Task EnableSaslAsync(PostfixSmartHost postfix, TestPki pki)
    {
        string saslpasswd2 = File.Exists("/usr/sbin/saslpasswd2") ? "/usr/sbin/saslpasswd2" : Peers.Require("saslpasswd2", "sasl2-bin");
        string dir = Path.Combine(postfix.Work, "etc", "sasl");
        System.IO.Directory.CreateDirectory(dir);
        string db = Path.Combine(dir, "sasldb2");
        // saslpasswd2 -p reads the password from standard input (never on a command line).
        var r = await ChildProcess.RunAsync("sh", ["-c", $"printf '%s' \"$PW\" | {saslpasswd2} -p -c -f {db} -u example.test {User}"], TimeSpan.FromSeconds(30),
            environment: new Dictionary<string, string> { ["PW"] = Password });
        Assert.True(r.ExitCode == 0, r.Describe());
        // smtpd runs as the postfix user and opens the database itself (auxprop, no saslauthd).
        r = await ChildProcess.RunAsync("chown", ["postfix", db], TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.Describe());
        await File.WriteAllTextAsync(Path.Combine(dir, "smtpd.conf"), $"pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: {db}\nmech_list: PLAIN LOGIN\n");
        await postfix.ReloadAsync(pki, $"""
            smtpd_sasl_auth_enable = yes
            smtpd_sasl_type = cyrus
            smtpd_sasl_path = smtpd
            cyrus_sasl_config_path = {dir}
            smtpd_sasl_local_domain = example.test
            smtpd_tls_auth_only = yes
            smtpd_recipient_restrictions = permit_sasl_authenticated, reject
            """);
    }
}
