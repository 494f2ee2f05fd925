using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MimeKit;
using OpenUM.Media.Audio;

namespace OpenUM.LoadGen;

/// <summary>
/// Reads the delivered voice messages (maildir: every message under */new and */cur with a WAV attachment), finds the
/// known signal's frames in each recording and counts, per call and in total, the frames present against the frames
/// sent: from the generator's manifest, or for SIPp (one file streamed by every call) a fixed count per call.
/// </summary>
internal static class LossChecker
{
    /// <summary>The outcome of one check.</summary>
    internal sealed record Result(int Messages, int MessagesWithoutSignal, int Calls, int CallsWithRecording, long FramesSent,
        long FramesPresent, long Duplicates, long Unexpected, IReadOnlyList<CallLoss> PerCall)
    {
        public long FramesLost => FramesSent - FramesPresent;

        public double LossPercent => FramesSent > 0 ? 100.0 * FramesLost / FramesSent : 0;
    }

    /// <summary>Frames of one call (or, for SIPp, one message).</summary>
    internal sealed record CallLoss(string Call, long Sent, long Present, string Message, string Missing = "");

    public static Result Check(string maildir, string? manifest, int expectFrames, int? calls)
    {
        var recordings = ReadAll(maildir);
        return manifest is not null ? AgainstManifest(recordings, ReadManifest(manifest)) : AgainstFixed(recordings, expectFrames, calls);
    }

    private sealed record Recording(string Path, Dictionary<uint, HashSet<uint>> Frames, long Duplicates);

    private static List<Recording> ReadAll(string maildir)
    {
        var files = Directory.Exists(maildir)
            ? Directory.EnumerateDirectories(maildir).SelectMany(box => new[] { "new", "cur" }.Select(f => Path.Combine(box, f)))
                .Where(Directory.Exists).SelectMany(Directory.EnumerateFiles).ToList()
            : throw new DirectoryNotFoundException($"no maildir at {maildir}");
        var found = new ConcurrentBag<Recording>();
        Parallel.ForEach(files, file =>
        {
            if (ReadWav(file) is not { } samples)
                return;
            var frames = new Dictionary<uint, HashSet<uint>>();
            long duplicates = 0;
            TestSignal.Scan(samples.Span, (call, frame) =>
            {
                if (!frames.TryGetValue(call, out var set))
                    frames[call] = set = [];
                if (!set.Add(frame))
                    duplicates++;
            });
            found.Add(new Recording(file, frames, duplicates));
        });
        return [.. found.OrderBy(r => r.Path, StringComparer.Ordinal)];
    }

    private static ReadOnlyMemory<short>? ReadWav(string file)
    {
        using var message = MimeMessage.Load(file);
        var part = message.BodyParts.OfType<MimePart>().FirstOrDefault(p => p.ContentType.IsMimeType("audio", "wav"));
        if (part?.Content is null)
            return null;
        using var wav = new MemoryStream();
        part.Content.DecodeTo(wav);
        wav.Position = 0;
        return AudioClip.FromWav(wav).Samples;
    }

    private static Dictionary<uint, int> ReadManifest(string path)
    {
        var sent = new Dictionary<uint, int>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length == 4 && uint.TryParse(f[0], CultureInfo.InvariantCulture, out uint call) && int.TryParse(f[3], CultureInfo.InvariantCulture, out int n) && n > 0)
                sent[call] = n;
        }
        return sent;
    }

    // Per call of the manifest: the distinct frames below the count it sent, from whichever message carries them.
    private static Result AgainstManifest(List<Recording> recordings, Dictionary<uint, int> sent)
    {
        var present = new Dictionary<uint, HashSet<uint>>();
        var where = new Dictionary<uint, string>();
        long duplicates = 0, unexpected = 0;
        foreach (var r in recordings)
        {
            duplicates += r.Duplicates;
            foreach (var (call, frames) in r.Frames)
            {
                if (!sent.TryGetValue(call, out int count))
                {
                    unexpected += frames.Count;
                    continue;
                }
                if (!present.TryGetValue(call, out var set))
                    present[call] = set = [];
                where[call] = Path.GetFileName(r.Path);
                foreach (uint f in frames)
                {
                    if (f >= count)
                        unexpected++;
                    else if (!set.Add(f))
                        duplicates++;
                }
            }
        }
        var perCall = sent.OrderBy(s => s.Key).Select(s => present.TryGetValue(s.Key, out var p)
            ? new CallLoss(s.Key.ToString(CultureInfo.InvariantCulture), s.Value, p.Count, where[s.Key], Missing(p, s.Value))
            : new CallLoss(s.Key.ToString(CultureInfo.InvariantCulture), s.Value, 0, "-", "all")).ToList();
        return new Result(recordings.Count, recordings.Count(r => r.Frames.Count == 0), sent.Count, present.Count,
            perCall.Sum(c => c.Sent), perCall.Sum(c => c.Present), duplicates, unexpected, perCall);
    }

    // SIPp streams the same file in every call: each message should hold frames 0..expect-1 (of any one call number);
    // calls without a message lose all their frames.
    private static Result AgainstFixed(List<Recording> recordings, int expect, int? calls)
    {
        var perCall = new List<CallLoss>();
        long duplicates = 0, unexpected = 0;
        foreach (var r in recordings.Where(r => r.Frames.Count > 0))
        {
            duplicates += r.Duplicates;
            var frames = r.Frames.Values.SelectMany(f => f).ToList();
            var distinct = frames.Where(f => f < expect).ToHashSet();
            unexpected += frames.Count(f => f >= expect);
            perCall.Add(new CallLoss(Path.GetFileName(r.Path), expect, distinct.Count, Path.GetFileName(r.Path), Missing(distinct, expect)));
        }
        int total = Math.Max(calls ?? 0, perCall.Count);
        for (int i = perCall.Count; i < total; i++)
            perCall.Add(new CallLoss($"(no message {i - perCall.Count + 1})", expect, 0, "-"));
        return new Result(recordings.Count, recordings.Count(r => r.Frames.Count == 0), total, recordings.Count(r => r.Frames.Count > 0),
            (long)total * expect, perCall.Sum(c => c.Present), duplicates, unexpected, perCall);
    }

    // The first few runs of missing frame numbers ("0-2 57"): where in the call the loss was.
    private static string Missing(HashSet<uint> present, long sent)
    {
        var runs = new List<string>();
        for (uint f = 0; f < sent && runs.Count < 6; f++)
        {
            if (present.Contains(f))
                continue;
            uint start = f;
            while (f + 1 < sent && !present.Contains(f + 1))
                f++;
            runs.Add(start == f ? start.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{start}-{f}"));
        }
        return string.Join(' ', runs);
    }

    public static string ToText(Result r, bool verbose)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.Append(c, $"messages {r.Messages} ({r.MessagesWithoutSignal} without the signal), calls {r.Calls}, calls with a recording {r.CallsWithRecording}\n");
        s.Append(c, $"frames sent {r.FramesSent}, present {r.FramesPresent}, lost {r.FramesLost} ({r.LossPercent:0.000}%), duplicates {r.Duplicates}, unexpected {r.Unexpected}\n");
        var shown = verbose ? r.PerCall : r.PerCall.Where(p => p.Present < p.Sent).OrderBy(p => p.Present - p.Sent).Take(10).ToList();
        foreach (var p in shown)
            s.Append(c, $"  call {p.Call}: sent {p.Sent}, present {p.Present}, lost {p.Sent - p.Present} [{p.Missing}] ({p.Message})\n");
        return s.ToString();
    }

    public static string ToJson(Result r) => JsonSerializer.Serialize(new
    {
        r.Messages, r.MessagesWithoutSignal, r.Calls, r.CallsWithRecording, r.FramesSent, r.FramesPresent, r.FramesLost,
        r.LossPercent, r.Duplicates, r.Unexpected,
    }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
}
