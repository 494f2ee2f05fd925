using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenUM.LoadGen;

/// <summary>What a generator run did: calls, frames, and whether the generator itself kept up.</summary>
internal sealed record LoadReport(int Calls, int SetUp, int Failed, int EndedByServer, Dictionary<string, int> Failures,
    long FramesSent, long SendErrors, int PeakStreaming, double WallSeconds, double CpuSeconds, long Ticks, long TicksLate,
    long TicksSkipped, double WorstLatenessMs, [property: JsonIgnore] IReadOnlyList<CallRecord> Records)
{
    /// <summary>The generator fell behind: a tick started more than one frame late.</summary>
    public bool FellBehind => TicksLate > 0;

    /// <summary>Median time from the answer to the first frame (greeting, beep, then 1.5 s of quiet); 0 when no call streamed.</summary>
    public double GreetingMedianMs
    {
        get
        {
            var t = Records.Where(r => r.GreetingMs >= 0).Select(r => r.GreetingMs).Order().ToList();
            return t.Count == 0 ? 0 : t[t.Count / 2];
        }
    }

    /// <summary>CPU of the generator as a share of one core over the run.</summary>
    public double CpuPercent => WallSeconds > 0 ? 100 * CpuSeconds / WallSeconds : 0;

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });

    public string ToText()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.Append(c, $"calls {Calls}: set up {SetUp}, failed {Failed}, ended by the server before the end {EndedByServer}\n");
        foreach (var (why, n) in Failures)
            s.Append(c, $"  failed: {why} x {n}\n");
        s.Append(c, $"frames sent {FramesSent} (send errors {SendErrors}), peak calls streaming at once {PeakStreaming}\n");
        s.Append(c, $"greeting (answer to first frame) median {GreetingMedianMs:0} ms\n");
        s.Append(c, $"generator CPU {CpuSeconds:0.00} s over {WallSeconds:0.0} s ({CpuPercent:0}% of one core)\n");
        s.Append(c, $"pacing: {Ticks} ticks, {TicksLate} late by more than one frame, {TicksSkipped} skipped after stalls, worst {WorstLatenessMs:0.0} ms: ");
        s.Append(FellBehind ? "the generator FELL BEHIND (it is a bottleneck of this run)\n" : "kept up\n");
        return s.ToString();
    }

    /// <summary>One line per call (index, Call-ID, outcome, frames sent): what the loss checker compares against.</summary>
    public void WriteManifest(string path)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("index,call_id,status,frames_sent");
        foreach (var r in Records)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Index},{r.CallId},{r.Status.Replace(',', ';')},{r.FramesSent}"));
    }
}
