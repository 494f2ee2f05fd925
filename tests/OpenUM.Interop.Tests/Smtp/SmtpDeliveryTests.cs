using System.Globalization;
using System.Text.Json;
using MimeKit;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Smtp;

/// <summary>
/// DLV-2 against a real Postfix smart host on loopback that requires STARTTLS and a client certificate
/// from the test CA: delivery with the WAV, outage and recovery, kill -9 mid-submission, untrusted
/// certificates on either side.
/// </summary>
public sealed class SmtpDeliveryTests(ITestOutputHelper output)
{
    private const string Mailbox = OpenUmProcess.MailboxAddress;

    [Fact]
    public async Task VoiceMailArrivesInPostfixWithItsWavOverMutualTls()
    {
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.StartAsync();

        await CallsAsync(um, 1, output);

        string file = Assert.Single(await postfix.WaitForMailAsync(Mailbox, 1, TimeSpan.FromSeconds(60), () => um.Diagnostics));
        using var message = await MimeMessage.LoadAsync(file);
        Assert.Matches("^5550[0-9]+$", message.Headers["X-OpenUM-CallerId"] ?? "");
        Assert.Equal("1000", message.Headers["X-OpenUM-CalledExtension"]);
        var wav = message.Attachments.OfType<MimePart>().Single();
        Assert.Equal("audio/wav", wav.ContentType.MimeType);
        using var audio = new MemoryStream();
        await wav.Content!.DecodeToAsync(audio);
        Assert.True(audio.Length > 8000, $"WAV of {audio.Length} bytes");
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(audio.ToArray(), 0, 4));
        // Postfix verified our client certificate (um.crt, from the CA it trusts).
        string log = postfix.Log;
        Assert.Contains("subject_CN=" + TestPki.UmName, log);
        Assert.Matches(@"Trusted TLS connection established from unknown\[127\.0\.0\.1\]: TLSv1\.[23]", log);
        // Postfix files the message, and the outbox forgets it, before the server has logged 2020: wait for the line.
        var submitted = Assert.Single(await um.Um.WaitForEventCountAsync(2020, 1, TimeSpan.FromSeconds(30)));
        Assert.Contains(message.MessageId ?? "(none)", submitted.Message);
        Assert.Empty(await um.OutboxAsync());
        await um.StopAsync();
        Assert.Empty(um.Um.SpoolFiles());
    }

    [Fact]
    public async Task TwentyMessagesQueuedDuringAnOutageAreDeliveredOnceEach()
    {
        const int calls = 20;
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.StartAsync();
        await postfix.StopAsync();

        await CallsAsync(um, calls, output);

        var queued = await WaitForOutboxAsync(um, calls);
        Assert.All(queued, e => Assert.Equal("Queued", e.GetProperty("state").GetString()));
        Assert.Empty(postfix.Mail(Mailbox));
        Assert.Contains(um.Um.ReadEvents(), e => e.Id == 1082 && e.Message.Contains("ConnectionRefused", StringComparison.Ordinal));

        await postfix.StartAsync();
        var files = await postfix.WaitForMailAsync(Mailbox, calls, TimeSpan.FromSeconds(60), () => um.Diagnostics);
        Assert.Empty(await WaitForOutboxAsync(um, 0));
        files = postfix.Mail(Mailbox);
        Assert.Equal(calls, files.Length);
        Assert.Equal(calls, (await MessageIdsAsync(files)).Distinct().Count());
        Assert.Equal(calls, (await um.Um.WaitForEventCountAsync(2020, calls, TimeSpan.FromSeconds(30))).Length);
    }

    [Fact]
    public async Task KillDuringSubmissionThenRestartDeliversEveryMessageOnce()
    {
        const int calls = 4;
        var pki = await TestPki.GetAsync();
        // Postfix pauses 3 s before answering DATA: the first submission is surely in flight when openum dies.
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output, extraMainCf: "smtpd_data_restrictions = sleep 3, permit");
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.StartAsync();
        await postfix.StopAsync();
        await CallsAsync(um, calls, output);
        await WaitForOutboxAsync(um, calls);

        int trustedBefore = Count(postfix.Log, "Trusted TLS connection established");
        await postfix.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Count(postfix.Log, "Trusted TLS connection established") == trustedBefore)
        {
            Assert.True(DateTime.UtcNow < deadline, "openum never connected to the restarted Postfix\n" + um.Diagnostics);
            await Task.Delay(50);
        }
        await Task.Delay(1000); // MAIL, RCPT and DATA sent; Postfix sits in its 3 s pause
        await um.KillAsync();
        Assert.Equal(calls, (await um.OutboxAsync()).Length);

        await postfix.ReloadAsync(pki, "");
        await um.StartAsync();
        await postfix.WaitForMailAsync(Mailbox, calls, TimeSpan.FromSeconds(60), () => um.Diagnostics);
        Assert.Empty(await WaitForOutboxAsync(um, 0));
        var files = postfix.Mail(Mailbox);
        var ids = await MessageIdsAsync(files);
        Assert.True(ids.Count == calls && ids.Distinct().Count() == calls,
            $"expected {calls} distinct messages, got {ids.Count}: {string.Join(", ", ids)}\n{PostfixSmartHost.Tail(postfix.Log)}");
    }

    [Fact]
    public async Task UntrustedSmartHostCertificateSendsNothingAndKeepsTheMessage()
    {
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output, serverCa: "untrusted-ca");
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.StartAsync();

        await CallsAsync(um, 1, output);

        var e = await um.Um.WaitForEventAsync(1082, x => x.Message.Contains("certificate was refused", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("UntrustedRoot", e.Message);
        Assert.Contains("nothing was sent", e.Message);
        var item = Assert.Single(await WaitForOutboxAsync(um, 1));
        Assert.Contains("UntrustedRoot", item.GetProperty("lastError").GetString());
        Assert.Empty(postfix.Mail(Mailbox));
        // .NET checks the server certificate once the handshake is done, so Postfix sees the TLS session, then
        // the connection closing before any SMTP command: no EHLO after STARTTLS, no MAIL.
        string log = postfix.Log;
        Assert.Contains("lost connection after STARTTLS", log);
        Assert.DoesNotContain("mail=1", log);
        Assert.DoesNotContain("from=<", log);
        Assert.DoesNotContain(um.Um.ReadEvents(), x => x.Id == 2020);
    }

    [Fact]
    public async Task SmartHostRefusingOurClientCertificateIsReportedAndTheMessageKept()
    {
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix, "--smart-host-client-certificate", "false");
        await um.StartAsync();

        await CallsAsync(um, 1, output);

        var e = await um.Um.WaitForEventAsync(1185, null, TimeSpan.FromSeconds(60));
        Assert.Contains("TLS client certificate", e.Message);
        Assert.Contains("421", e.Message);
        Assert.Contains("No client certificate presented", e.Message);
        Assert.Equal("Error", e.Level);
        Assert.Single(await WaitForOutboxAsync(um, 1));
        Assert.Empty(postfix.Mail(Mailbox));
        Assert.Contains("No client certificate presented", postfix.Log);
    }

    /// <summary>SIPp callers leave messages on mailbox 1000 (12 s of tone each: greeting, beep, ~4 s recorded).</summary>
    internal static async Task CallsAsync(SmtpUmServer um, int calls, ITestOutputHelper output, int limit = 25)
    {
        string work = System.IO.Directory.CreateTempSubdirectory("openum-smtp-sipp-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await File.WriteAllBytesAsync(ulaw, MuLawTone(12));
            var sipp = await Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, "1000")
            {
                Calls = calls,
                Limit = limit,
                Rate = 10,
                PauseMs = 13_000,
                Timeout = TimeSpan.FromSeconds(60 + (calls * 2)),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == calls, $"expected {calls} successful SIPp calls\n{sipp.Describe()}\n{um.Diagnostics}");
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Waits until `openum outbox list` shows <paramref name="count"/> items (hang guard 60 s).</summary>
    internal static async Task<JsonElement[]> WaitForOutboxAsync(SmtpUmServer um, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var items = await um.OutboxAsync();
            if (items.Length == count) return items;
            if (DateTime.UtcNow > deadline) Assert.Fail($"outbox has {items.Length} items, expected {count}\n{um.Diagnostics}");
            await Task.Delay(200);
        }
    }

    internal static async Task<List<string>> MessageIdsAsync(IEnumerable<string> files)
    {
        var ids = new List<string>();
        foreach (var f in files)
        {
            using var m = await MimeMessage.LoadAsync(f);
            ids.Add(m.MessageId ?? "");
        }
        return ids;
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    /// <summary>Raw 8 kHz G.711 µ-law of a 440 Hz tone (a tone, not silence, so the idle timeout does not end the recording).</summary>
    internal static byte[] MuLawTone(double seconds)
    {
        var bytes = new byte[(int)(8000 * seconds)];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = MuLaw((short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0)));
        return bytes;
    }

    // ITU-T G.711 µ-law encoder (bias 0x84, clip 32635).
    private static byte MuLaw(short sample)
    {
        int sign = (sample >> 8) & 0x80;
        int magnitude = Math.Min(sign != 0 ? -sample : sample, 32635) + 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    internal static string Invariant(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
