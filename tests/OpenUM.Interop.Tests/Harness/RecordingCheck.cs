namespace OpenUM.Interop.Tests.Harness;

/// <summary>Checks that a delivered recording holds what the caller sent after the beep.</summary>
public static class RecordingCheck
{
    /// <summary>Sample rate of everything on the telephone side.</summary>
    public const int Rate = 8000;

    /// <summary>
    /// The WAV must be readable by sox as 8 kHz mono, and its envelope must match <paramref name="sent"/>
    /// (what the caller transmitted, from the moment its audio started) at some offset with correlation
    /// above <see cref="AudioCompare.SameAudioThreshold"/>, judged on the speech part of what was sent
    /// (<paramref name="speech"/>), which the recording must cover. The offset is where the recording starts in
    /// the caller's audio: it must lie within 2.5 s of the end of greeting and beep (the caller's clock
    /// starts a little after the server's, and neither is exact under load).
    /// </summary>
    public static async Task<Alignment> AssertHoldsAsync(VoiceMailFile mail, short[] sent, SpeechClip speech, TimeSpan greetingAndBeep, string context)
    {
        var info = await AudioTools.InfoAsync(mail.WavPath);
        Assert.True(info.SampleRate == 8000 && info.Channels == 1, $"{mail.Path}: sox --i says {info}; expected 8 kHz mono\n{context}");
        double rms = await AudioTools.StatRmsAsync(mail.WavPath);
        var wav = PcmWav.Read(mail.WavPath);
        Assert.True(wav.SampleRate == Rate && wav.Channels == 1, $"{mail.Path}: {wav.SampleRate} Hz {wav.Channels} ch");
        var a = AudioCompare.Align(sent, wav.Mono(), Rate, TimeSpan.FromSeconds(0.5), speech.SpeechStart, speech.SpeechEnd);
        string what = $"{mail.Path}: recording {wav.Duration.TotalSeconds:0.00}s rms={rms:0.0000}; {a}\n{context}";
        Assert.True(a.Correlation > AudioCompare.SameAudioThreshold, "recording does not match what the caller sent: " + what);
        Assert.True(Math.Abs((a.Offset - greetingAndBeep).TotalSeconds) <= 2.5,
            $"recording starts {a.Offset.TotalSeconds:0.00}s into the caller's audio, expected about {greetingAndBeep.TotalSeconds:0.00}s (after greeting and beep): {what}");
        return a;
    }
}
