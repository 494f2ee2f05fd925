using System.Buffers.Binary;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Storage;

/// <summary>
/// The data directory's disk fills up while a caller is recording (issue 12): the call still ends normally, the audio
/// written so far is kept, and once space returns the spool delivers the message marked incomplete. No file of the
/// spool stays open in the server. Needs root (the harness mounts a tmpfs).
/// </summary>
public sealed class TruncatedRecordingTests(ITestOutputHelper output)
{
    private const int ToneSeconds = 60; // far longer than the call: the server, not the caller, must end it

    [Fact]
    public async Task ADiskThatFillsDuringARecordingYieldsATruncatedMessageOnceSpaceReturns()
    {
        await using var fs = await SmallFilesystem.CreateAsync(8 * 1024 * 1024);
        await using var um = await StartOnAsync(fs);
        string spool = Path.Combine(fs.Path, "spool");

        string work = System.IO.Directory.CreateTempSubdirectory("openum-truncated-").FullName;
        try
        {
            var call = await CallAsync(um, work);

            // The recording has begun and half a second of it (the writer's first buffer) is on disk: fill the disk.
            string wav = await WaitForAsync(() => System.IO.Directory.Exists(spool)
                ? System.IO.Directory.GetFiles(spool, "*.wav").FirstOrDefault(f => new FileInfo(f).Length > 44 + 8000)
                : null, "a recording in the spool", um, TimeSpan.FromSeconds(60));
            Assert.True(File.Exists(Path.ChangeExtension(wav, ".json")), "the message's description is in the spool beside its audio");
            await fs.FillAsync();
            output.WriteLine($"disk filled during the recording: {fs.FreeBytes} bytes free");

            var sipp = await call;
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1,
                $"the call did not end normally with the server's BYE\n{sipp.Describe()}\n{um.ServerOutput}");

            // Ended by the server, not delivered (no space), spooled for retry: every file of the call is closed now.
            await WaitForAsync(() => um.ServerOutput.Contains("[2065]", StringComparison.Ordinal) ? "" : null, "event 2065 (spooled for retry)",
                um, TimeSpan.FromSeconds(60));
            Assert.Empty(um.DeliveredFiles(OpenUmProcess.MailboxAddress));
            Assert.True(File.Exists(wav), "the audio written before the disk filled stays in the spool");
            var open = StorageChecks.OpenFilesUnder(um.ServerPid, spool, Path.Combine(um.DataDir, "spool"));
            Assert.True(open.Count == 0, "the server still holds spool files open after the call: " + string.Join(", ", open));
            Assert.Contains("[2064]", um.ServerOutput); // recording incomplete

            // Space returns: the spool's loop delivers within its retry interval (one minute; generous hang guard).
            fs.Unfill();
            string[] delivered = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(150));
            var mail = VoiceMailFile.Open(Assert.Single(delivered), OpenUmProcess.MailboxAddress, work);
            string? incomplete = mail.Message.Headers["X-OpenUM-Recording-Incomplete"];
            Assert.True(incomplete?.Contains("no space left on device", StringComparison.Ordinal) == true,
                $"X-OpenUM-Recording-Incomplete is '{incomplete}'");
            Assert.Contains("This message is incomplete", mail.Message.TextBody);

            // The attachment is a valid WAV whose header describes exactly the audio it carries, and that audio is tone.
            byte[] bytes = await File.ReadAllBytesAsync(mail.WavPath);
            uint dataSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40));
            Assert.Equal((uint)(bytes.Length - 44), dataSize);
            Assert.Equal((uint)(bytes.Length - 8), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
            var audio = PcmWav.Read(mail.WavPath);
            output.WriteLine($"delivered {audio.Duration.TotalSeconds:0.00} s of audio marked '{incomplete}'");
            Assert.True(audio.Duration >= TimeSpan.FromSeconds(0.5), $"only {audio.Duration.TotalSeconds:0.00} s kept");
            Assert.True(audio.Duration < TimeSpan.FromSeconds(ToneSeconds), "the recording was not cut short");
            Assert.True(Rms(audio.Samples) > 1000, "the kept audio is the caller's tone");

            await WaitForAsync(() => um.SpoolFiles().Length == 0 ? "" : null, "an empty spool after delivery", um, TimeSpan.FromSeconds(30));
            Assert.Empty(StorageChecks.OpenFilesUnder(um.ServerPid, spool, Path.Combine(um.DataDir, "spool")));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task ADiskThatFillsBeforeTheBeepStillYieldsAMessageSayingWhoCalled()
    {
        await using var fs = await SmallFilesystem.CreateAsync(8 * 1024 * 1024);
        await using var um = await StartOnAsync(fs);
        string spool = Path.Combine(fs.Path, "spool");

        string work = System.IO.Directory.CreateTempSubdirectory("openum-truncated-").FullName;
        try
        {
            var call = await CallAsync(um, work);
            // Full once the call is answered, during its greeting: at the beep neither the description nor any audio
            // can be written.
            await um.WaitForEventAsync(2002, null, TimeSpan.FromSeconds(60));
            await fs.FillAsync();
            var sipp = await call;
            Assert.True(sipp.ExitCode == 0 && sipp.Successful == 1,
                $"the call did not end normally with the server's BYE\n{sipp.Describe()}\n{um.ServerOutput}");

            await WaitForAsync(() => um.ServerOutput.Contains("[2065]", StringComparison.Ordinal) ? "" : null, "event 2065 (spooled for retry)",
                um, TimeSpan.FromSeconds(60));
            Assert.Contains("[2068]", um.ServerOutput); // the description is held in memory
            Assert.Empty(um.DeliveredFiles(OpenUmProcess.MailboxAddress));
            var open = StorageChecks.OpenFilesUnder(um.ServerPid, spool, Path.Combine(um.DataDir, "spool"));
            Assert.True(open.Count == 0, "the server still holds spool files open after the call: " + string.Join(", ", open));

            fs.Unfill();
            string[] delivered = await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(150));
            using var mail = await MimeKit.MimeMessage.LoadAsync(Assert.Single(delivered));
            Assert.Contains("no space left on device", mail.Headers["X-OpenUM-Recording-Incomplete"] ?? "");
            Assert.Contains("None of the recording could be saved.", mail.TextBody);
            Assert.Contains("55501", mail.Subject); // who called: the caller's number, from the description kept in memory
            Assert.Empty(mail.Attachments);
            await WaitForAsync(() => um.SpoolFiles().Length == 0 ? "" : null, "an empty spool after delivery", um, TimeSpan.FromSeconds(30));
            await um.AssertCleanStopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }

    // The server with its whole data directory on the small disk. Back-pressure would refuse calls on so small a disk
    // (its automatic threshold is a 20-minute recording): 1 MB lets the call in, so that it is the disk filling after
    // admission that the spool meets.
    private async Task<OpenUmProcess> StartOnAsync(SmallFilesystem fs)
    {
        var um = new OpenUmProcess(output);
        try
        {
            um.PutDataDirectoryOn(fs.Path);
            await um.ConfigureStandardAsync();
            await um.CliOkAsync("server", "set", "--min-free-space-mb", "1");
            await um.StartAsync();
            return um;
        }
        catch
        {
            await um.DisposeAsync();
            throw;
        }
    }

    // A SIPp caller speaking a tone far longer than the call, until the server's BYE.
    private async Task<Task<SippResult>> CallAsync(OpenUmProcess um, string work)
    {
        string ulaw = Path.Combine(work, "caller.ulaw");
        await File.WriteAllBytesAsync(ulaw, StorageChecks.MuLawTone(ToneSeconds));
        return Sipp.RunAsync(new SippOptions("caller-records-awaits-bye.xml", um.SipPort, "1000")
        {
            Timeout = TimeSpan.FromSeconds(ToneSeconds + 30),
            Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
        }, output);
    }

    private static double Rms(short[] samples) => Math.Sqrt(samples.Select(s => (double)s * s).DefaultIfEmpty().Average());

    private static async Task<string> WaitForAsync(Func<string?> probe, string what, OpenUmProcess um, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            if (probe() is { } found) return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no {what} within the {hangGuard.TotalSeconds:0} s hang guard\n{um.ServerOutput}");
            await Task.Delay(100);
        }
    }
}
