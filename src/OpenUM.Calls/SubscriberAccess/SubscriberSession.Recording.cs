using OpenUM.Directory;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Calls.SubscriberAccess;

// A greeting, away greeting or name recorded by phone: prompt, tone, record until '#', silence or the limit, then review.
public sealed partial class SubscriberSession
{
    /// <summary>Longest greeting (Exchange's MaxGreetingDuration default: 5 minutes), also bounded by the dial plan's MaxRecordingDuration.</summary>
    public static readonly TimeSpan MaxGreetingDuration = TimeSpan.FromMinutes(5);

    /// <summary>Longest spoken name.</summary>
    public static readonly TimeSpan MaxNameDuration = TimeSpan.FromSeconds(15);

    // The tone after which the caller speaks, as before a voice message.
    private static readonly AudioClip Tone = AudioClip.Tone(1000, TimeSpan.FromMilliseconds(500));

    // Below about -40 dBFS throughout: silence, a line with nothing on it.
    private const int SilencePeak = 330;

    /// <summary>
    /// Records <paramref name="kind"/> and reviews it: 1 hear it, 2 accept it (stored through <see cref="GreetingStore"/>,
    /// 2086), 3 record again. Returns the mailbox as it is after (unchanged unless accepted), or null when the caller
    /// stopped answering. The recording is made in a hidden file of the greetings folder and removed whatever happens.
    /// </summary>
    private async Task<Mailbox?> RecordByPhoneAsync(Mailbox mailbox, GreetingKind kind, ISelfService self, CancellationToken ct)
    {
        var plan = context.DialPlan;
        var max = kind == GreetingKind.Name ? MaxNameDuration : MaxGreetingDuration;
        var limits = new RecordingLimits(max < plan.MaxRecordingDuration ? max : plan.MaxRecordingDuration, plan.RecordingIdleTimeout, '#');
        string path = self.NewRecordingPath();
        int silent = 0;
        try
        {
            while (true)
            {
                await PlayAsync(kind switch { GreetingKind.Personal => S.RecordGreeting, GreetingKind.Away => S.RecordAway, _ => S.RecordName }, ct)
                    .ConfigureAwait(false);
                await PlayAsync(Tone, ct).ConfigureAwait(false);
                keys.Clear(); // what was typed before the tone is not the end of the recording
                Delete(path); // a recording never overwrites: the previous take goes first
                RecordingResult recorded;
                try
                {
                    recorded = await line.RecordAsync(path, limits, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return await NotSavedAsync(mailbox, kind, e.Message, ct).ConfigureAwait(false);
                }
                keys.Clear(); // the '#' that ended it
                ct.ThrowIfCancellationRequested();
                if (recorded.Reason == RecordingStopReason.WriteFailed)
                    return await NotSavedAsync(mailbox, kind, recorded.WriteError ?? "write error", ct).ConfigureAwait(false);

                var take = Load(path);
                if (take is null || IsSilent(take))
                {
                    await PlayAsync(S.NothingRecorded, ct).ConfigureAwait(false);
                    if (++silent >= _t.MenuRepeats) return null;
                    continue;
                }
                silent = 0;
                switch (await ReviewAsync(take, ct).ConfigureAwait(false))
                {
                    case '2':
                        return await AcceptAsync(mailbox, kind, path, recorded.Duration, self, ct).ConfigureAwait(false);
                    case '3':
                        continue;
                    default:
                        return null;
                }
            }
        }
        finally
        {
            Delete(path);
        }
    }

    /// <summary>"To hear it press 1, to accept it press 2, to record it again press 3": the key chosen (2 or 3), or none (silence).</summary>
    private async Task<char?> ReviewAsync(AudioClip take, CancellationToken ct)
    {
        int silent = 0;
        while (true)
        {
            await InterruptibleAsync(S.ReviewRecording, ct).ConfigureAwait(false);
            var key = await keys.ReadAsync(DtmfRequest.Key(_t.MenuKey), ct).ConfigureAwait(false);
            switch (key.Digits)
            {
                case "1":
                    await InterruptibleAsync(take, ct).ConfigureAwait(false);
                    break;
                case "2" or "3":
                    return key.Digits[0];
                case "":
                    if (++silent >= _t.MenuRepeats) return null;
                    break;
            }
        }
    }

    private async Task<Mailbox> AcceptAsync(Mailbox mailbox, GreetingKind kind, string path, TimeSpan duration, ISelfService self, CancellationToken ct)
    {
        var (outcome, now) = await self.SaveRecordingAsync(mailbox, kind, path).ConfigureAwait(false);
        if (outcome.Result != SelfServiceResult.Done) return await NotSavedAsync(mailbox, kind, outcome.Problem ?? "", ct).ConfigureAwait(false);
        CallEvents.RecordingSavedByPhone(context.Logger, mailbox.Extension, mailbox.DialPlan, Describe(kind),
            Math.Round(duration.TotalSeconds, 1), GreetingStore.FolderName + "/" + GreetingStore.FileNameFor(mailbox.DialPlan, mailbox.Extension, kind),
            context.CallId);
        await PlayAsync(S.RecordingSaved, ct).ConfigureAwait(false);
        return now;
    }

    private async Task<Mailbox> NotSavedAsync(Mailbox mailbox, GreetingKind kind, string problem, CancellationToken ct)
    {
        CallEvents.RecordingNotSaved(context.Logger, mailbox.Extension, mailbox.DialPlan, Describe(kind), problem, context.CallId);
        await PlayAsync(S.RecordingNotSaved, ct).ConfigureAwait(false);
        return mailbox;
    }

    private static string Describe(GreetingKind kind) => kind switch
    {
        GreetingKind.Personal => "greeting",
        GreetingKind.Away => "away greeting",
        _ => "spoken name",
    };

    private static AudioClip? Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return AudioClip.FromWav(stream);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsSilent(AudioClip clip)
    {
        foreach (short sample in clip.Samples.Span)
            if (sample > SilencePeak || sample < -SilencePeak) return false;
        return true;
    }

    private static void Delete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
