namespace OpenUM.Interop.Tests.Harness;

/// <summary>A SIPp caller that leaves a spoken message (caller-records.xml) and must succeed.</summary>
public static class SippCaller
{
    /// <summary>
    /// Calls extension 1000 and sends <paramref name="clip"/> (its lead-in tone covers greeting and beep), hanging up
    /// <paramref name="tailMs"/> after it; fails the test with <paramref name="diagnostics"/> when the call did not succeed.
    /// </summary>
    public static async Task LeaveMessageAsync(OpenUmProcess um, SpeechClip clip, ITestOutputHelper output, Func<string> diagnostics, int tailMs = 1000)
    {
        string work = System.IO.Directory.CreateTempSubdirectory("openum-caller-").FullName;
        try
        {
            string ulaw = Path.Combine(work, "caller.ulaw");
            await AudioTools.ToMuLawRawAsync(clip.WavPath, ulaw);
            var caller = await Sipp.RunAsync(new SippOptions("caller-records.xml", um.SipPort, "1000")
            {
                PauseMs = (int)(clip.Samples.Length * 1000.0 / RecordingCheck.Rate) + tailMs,
                Timeout = TimeSpan.FromSeconds(60),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = ulaw },
            }, output);
            Assert.True(caller.ExitCode == 0 && caller.Successful == 1, $"the caller's message was not left\n{caller.Describe()}\n{diagnostics()}");
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }
    }
}
