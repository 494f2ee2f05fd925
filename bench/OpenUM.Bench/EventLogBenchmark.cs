using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using OpenUM.Calls;
using OpenUM.Server.Control;
using OpenUM.Server.Logging;

namespace OpenUM.Bench;

/// <summary>
/// What one call's event costs the server: event 2002 (CallAnswered, the call layer's own method) through a logger
/// factory set up as `openum serve --log-target file` sets it up - minimum level Information, Microsoft's categories
/// at Warning, the standard-error provider (simple format; its write(2) goes to /dev/null instead of descriptor 2),
/// events.jsonl in a temp directory with the default rotation, and the recent-events provider. <see cref="OneThread"/>
/// is one event at a time; <see cref="FourThreads"/> is four threads logging at once, as the server's pool threads do
/// under load, where the threads meet at the events.jsonl writer (its figure is wall time per event of all four).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ExactBytesConfig))]
public class EventLogBenchmark
{
    private const int Threads = 4, PerThread = 2000;
    private string _directory = "";
    private SafeFileHandle? _devNull;
    private StandardErrorLoggerProvider? _standardError;
    private ILoggerFactory? _factory;
    private ILogger _logger = null!;

    /// <summary>Builds the factory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        LoadAverage.Report(nameof(EventLogBenchmark));
        _directory = System.IO.Directory.CreateTempSubdirectory("openum-eventlog-bench-").FullName;
        _devNull = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Write);
        int devNull = (int)_devNull.DangerousGetHandle();
        _standardError = new StandardErrorLoggerProvider(TimeProvider.System, StandardErrorFormat.Simple, "events.jsonl",
            write: (int _, ReadOnlySpan<byte> data, out int errno) => AppendOnlyFile.SystemWrite(devNull, data, out errno));
        var eventFile = new JsonLinesLoggerProvider(Path.Combine(_directory, "events.jsonl"), TimeProvider.System, EventLogRotation.Default);
        _factory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Information);
            b.AddFilter("Microsoft", LogLevel.Warning);
            b.AddProvider(_standardError);
            b.AddProvider(eventFile);
            b.AddProvider(new RecentEvents(TimeProvider.System));
        });
        _logger = _factory.CreateLogger("OpenUM.Calls.SipCallHandler");
        eventFile.Diagnostics = _factory.CreateLogger(EventLogEvents.Category);
    }

    /// <summary>Flushes, closes and deletes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _factory?.Dispose();
        _standardError?.Dispose();
        _devNull?.Dispose();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    /// <summary>One event 2002.</summary>
    [Benchmark(Baseline = true)]
    public void OneThread() => Answered(_logger, 1);

    /// <summary>Events 2002 from four threads at once; per event.</summary>
    [Benchmark(OperationsPerInvoke = Threads * PerThread)]
    public void FourThreads() =>
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ => Answered(_logger, PerThread));

    private static void Answered(ILogger logger, int count)
    {
        for (int i = 0; i < count; i++)
            CallEvents.CallAnswered(logger, "a84b4c76e66710@pc33.atlanta.example.com", "+4930123456", "gw1.example.com", "4711", "Default", "PCMU");
    }
}
