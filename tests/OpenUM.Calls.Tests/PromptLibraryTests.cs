using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.Tests;

public class PromptLibraryTests
{
    [Fact]
    public void PromptsAreSpeechNotSilence()
    {
        var prompts = PromptLibrary.Default;
        foreach (var clip in new[] { prompts.GreetingPrefix, prompts.GreetingSuffix, prompts.NoMailbox, prompts.Goodbye, prompts.Subscriber.PinUnavailable })
        {
            Assert.True(clip.Duration > TimeSpan.FromSeconds(0.5));
            Assert.True(Rms(clip) > 500, "a prompt must hold audible speech");
        }
    }

    [Fact]
    public void DefaultGreetingNamesEachDigit()
    {
        var prompts = PromptLibrary.Default;
        var one = prompts.DefaultGreeting("1");
        var four = prompts.DefaultGreeting("1111");
        // Each extra digit adds the spoken digit once more.
        var digit = four.Duration - one.Duration;
        Assert.True(digit > TimeSpan.FromSeconds(0.6), $"three more digits added only {digit}");
        Assert.Equal(prompts.GreetingPrefix.Duration + prompts.GreetingSuffix.Duration + digit / 3, one.Duration);
    }

    private static double Rms(AudioClip clip)
    {
        double sum = 0;
        foreach (short s in clip.Samples.Span) sum += (double)s * s;
        return Math.Sqrt(sum / clip.Samples.Length);
    }
}
