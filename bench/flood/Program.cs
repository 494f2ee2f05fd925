using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using OpenUM.Interop.Tests.Harness;

// flood HOST:PORT SOURCES SILENT_PER_SOURCE HANDSHAKE_LOOPS SECONDS [SNI] [--client-hello]
// Runs StrangerFlood from 127.0.1.1... (SOURCES addresses) at HOST:PORT and prints its report as one JSON line.
const string Usage = "usage: flood HOST:PORT SOURCES SILENT_PER_SOURCE HANDSHAKE_LOOPS SECONDS [SNI] [--client-hello]\n" +
    "  HOST is an IPv4 address (e.g. 127.0.0.1); SOURCES loopback source addresses 127.0.1.1 and up;\n" +
    "  --client-hello: silent connections send one ClientHello, then stall (default: they send nothing).";

bool clientHello = args.Contains("--client-hello");
string[] positional = args.Where(a => a != "--client-hello").ToArray();
if (positional.Length is < 5 or > 6 || !IPEndPoint.TryParse(positional[0], out var target) || target.Port == 0
    || !int.TryParse(positional[1], CultureInfo.InvariantCulture, out int sources) || sources < 1
    || !int.TryParse(positional[2], CultureInfo.InvariantCulture, out int silent) || silent < 0
    || !int.TryParse(positional[3], CultureInfo.InvariantCulture, out int loops) || loops < 0
    || !double.TryParse(positional[4], CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
var report = await StrangerFlood.RunAsync(new StrangerFloodOptions
{
    Target = target,
    Sources = StrangerFlood.LoopbackSources(sources),
    SilentPerSource = silent,
    SilentSendsClientHello = clientHello,
    HandshakeLoops = loops,
    ServerName = positional.Length > 5 ? positional[5] : "um.example.test",
    Duration = TimeSpan.FromSeconds(seconds),
}, cancel.Token);
Console.WriteLine(report.ToJson());
return 0;
