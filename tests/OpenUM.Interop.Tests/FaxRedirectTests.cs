using System.Globalization;
using System.Text.RegularExpressions;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Media.Audio;

namespace OpenUM.Interop.Tests;

/// <summary>
/// A fax machine calls a mailbox (Exchange 2010 SP1's partner fax model): SIPp streams the fax's calling tone (CNG,
/// ITU-T T.30: 1100 Hz, 0.5 s on, 3 s off, generated here as µ-law). For mailbox 1000, whose policy names a fax
/// server, the server sends REFER with Refer-To the fax server URI, which SIPp (the gateway) accepts and reports
/// answered; for mailbox 1001 (no fax server), whose tone starts only once the recording runs, the server hangs up.
/// Neither call leaves a voice message. One server run for both.
/// </summary>
public sealed class FaxRedirectTests(ITestOutputHelper output)
{
    private const string FaxServerUri = "sip:fax@192.0.2.20:5060;transport=tcp";
    private const int Rate = 8000;

    [Fact]
    public async Task AFaxIsReferredToTheFaxServerOrHungUpOnAndNeverLeavesAVoiceMessage()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await um.CliOkAsync("mailboxpolicy", "new", "--name", "Fax", "--dial-plan", "Test", "--fax-server-uri", FaxServerUri);
        await um.CliOkAsync("mailbox", "set", "1000", "--mailbox-policy", "Fax");
        await um.CliOkAsync("mailbox", "new", "--extension", "1001", "--dial-plan", "Test", "--email", "user1001@example.test");
        await um.StartAsync();

        string work = System.IO.Directory.CreateTempSubdirectory("openum-fax-").FullName;
        try
        {
            // 1000: the tone from the first packet, so it is heard during the greeting.
            string referredAudio = Path.Combine(work, "referred.ulaw");
            File.WriteAllBytes(referredAudio, [.. Cng(cycles: 2)]);
            var referred = await Sipp.RunAsync(new SippOptions("caller-fax-referred.xml", um.SipPort, "1000")
            {
                Timeout = TimeSpan.FromSeconds(40),
                Files = new Dictionary<string, string> { ["fax.ulaw"] = referredAudio },
            }, output);
            Assert.True(referred.ExitCode == 0 && referred.Successful == 1,
                $"the fax call was not referred as expected\n{referred.Describe()}\n{um.EventsText()}");
            var referTo = Regex.Match(referred.MessageLog, @"^REFER .*?^Refer-To:\s*(.+?)\s*$", RegexOptions.Multiline | RegexOptions.Singleline);
            Assert.True(referTo.Success, "no Refer-To in SIPp's log\n" + referred.MessageLog);
            Assert.Equal($"<{FaxServerUri}>", referTo.Groups[1].Value);

            var redirected = await um.WaitForEventAsync(2075, null, TimeSpan.FromSeconds(10));
            output.WriteLine("2075: " + redirected.Message);
            Assert.Equal(FaxServerUri, redirected.Property("FaxServerUri"));
            Assert.Equal("greeting", redirected.Property("Phase"));
            Assert.Equal("1000", redirected.Property("Extension"));
            Assert.Contains("the fax server answered: 200 OK", redirected.Property("Outcome"), StringComparison.Ordinal);

            // 1001: silence through the greeting and the beep, then the tone a second into the recording.
            double greeting = ExpectedPrompts.DefaultGreeting("1001").Length / (double)Rate + 0.5;
            string hungUpAudio = Path.Combine(work, "hung-up.ulaw");
            File.WriteAllBytes(hungUpAudio, [.. Silence(greeting + 1), .. Cng(cycles: 2)]);
            var hungUp = await Sipp.RunAsync(new SippOptions("caller-fax-hung-up.xml", um.SipPort, "1001")
            {
                Timeout = TimeSpan.FromSeconds(40),
                Files = new Dictionary<string, string> { ["fax.ulaw"] = hungUpAudio },
            }, output);
            Assert.True(hungUp.ExitCode == 0 && hungUp.Successful == 1,
                $"the fax call without a fax server was not hung up on\n{hungUp.Describe()}\n{um.EventsText()}");
            Assert.DoesNotMatch(@"(?m)^REFER ", hungUp.MessageLog);
            var disconnected = await um.WaitForEventAsync(2076, null, TimeSpan.FromSeconds(10));
            output.WriteLine("2076: " + disconnected.Message);
            Assert.Equal("1001", disconnected.Property("Extension"));
            Assert.Equal("recording", disconnected.Property("Phase"));
            Assert.Contains("no fax server", disconnected.Property("Reason"), StringComparison.Ordinal);

            // Both calls are over (stopping waits for their handlers): no message, nothing left in the spool.
            await um.AssertCleanStopAsync();
            Assert.Empty(um.AllMaildirFiles());
            Assert.Empty(um.SpoolFiles());
            Assert.DoesNotContain(um.ReadEvents(), e => e.Id is 2001 or 2077);
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // CNG as a fax machine sends it: 0.5 s of 1100 Hz at about -13 dBm0, 3 s of silence, repeated; raw µ-law.
    private static IEnumerable<byte> Cng(int cycles)
    {
        for (int c = 0; c < cycles; c++)
        {
            for (int i = 0; i < Rate / 2; i++)
                yield return G711.LinearToMuLaw((short)Math.Round(5000 * Math.Sin(2 * Math.PI * 1100 * i / Rate)));
            foreach (byte b in Silence(3))
                yield return b;
        }
    }

    private static IEnumerable<byte> Silence(double seconds) =>
        Enumerable.Repeat(G711.MuLawSilence, (int)Math.Round(seconds * Rate, MidpointRounding.AwayFromZero));
}
