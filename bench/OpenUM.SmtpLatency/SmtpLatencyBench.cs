using System.Globalization;
using MimeKit;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Interop.Tests.Smtp;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.SmtpLatency;

/// <summary>
/// Latency from hang-up (event 2003 CallEnded) to the message in the Postfix mailbox (the delivery
/// script's file name carries its time to the nanosecond). 20 calls by default; bench/smtp-latency.sh
/// runs 100 (OPENUM_SMTP_BENCH_CALLS) and writes the numbers to OPENUM_SMTP_BENCH_OUT. Not part of the default
/// test run: it measures rather than checks, and it takes minutes; the interop harness does the set-up.
/// </summary>
public sealed class SmtpLatencyBench(ITestOutputHelper output)
{
    [Fact]
    public async Task HangUpToPostfixMailboxLatency()
    {
        int calls = int.TryParse(Environment.GetEnvironmentVariable("OPENUM_SMTP_BENCH_CALLS"), out int n) && n > 0 ? n : 20;
        var pki = await TestPki.GetAsync();
        await using var postfix = await PostfixSmartHost.StartAsync(pki, output);
        await using var um = await SmtpUmServer.CreateAsync(output, pki, postfix);
        await um.StartAsync();

        await SmtpDeliveryTests.CallsAsync(um, calls, output, limit: 50);
        var files = await postfix.WaitForMailAsync(OpenUmProcess.MailboxAddress, calls, TimeSpan.FromSeconds(120), () => um.Diagnostics);

        var ended = um.Um.ReadEvents().Where(e => e.Id == 2003).ToDictionary(e => e.Property("callId"), e => EventTime(e.Raw));
        var latencies = new List<double>();
        foreach (string file in files)
        {
            using var m = await MimeMessage.LoadAsync(file);
            string callId = m.Headers["X-OpenUM-CallId"] ?? "";
            Assert.True(ended.TryGetValue(callId, out var hangUp), $"no event 2003 for call {callId}");
            latencies.Add((DeliveredAt(file) - hangUp).TotalMilliseconds);
        }
        latencies.Sort();
        double p50 = Percentile(latencies, 0.50), p99 = Percentile(latencies, 0.99);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"calls={calls} p50_ms={p50:0.0} p99_ms={p99:0.0} min_ms={latencies[0]:0.0} max_ms={latencies[^1]:0.0}");
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("OPENUM_SMTP_BENCH_OUT") is { Length: > 0 } outFile) await File.WriteAllTextAsync(outFile, line + "\n");
        Assert.Equal(calls, latencies.Count);
        Assert.All(latencies, l => Assert.True(l > 0, $"a message arrived {l:0.0} ms before its call ended?"));
    }

    private static DateTimeOffset EventTime(string raw)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(raw);
        return doc.RootElement.GetProperty("time").GetDateTimeOffset();
    }

    // maildir-deliver names files "<seconds>.M<nanoseconds>P<pid>.mail" from `date +%s.%N`.
    private static DateTimeOffset DeliveredAt(string file)
    {
        string[] parts = Path.GetFileName(file).Split('.');
        long seconds = long.Parse(parts[0], CultureInfo.InvariantCulture);
        long nanos = long.Parse(parts[1][1..parts[1].IndexOf('P', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
