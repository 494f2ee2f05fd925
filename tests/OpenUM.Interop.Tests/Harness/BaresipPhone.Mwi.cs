using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace OpenUM.Interop.Tests.Harness;

// baresip as a phone with a message-waiting lamp: its account registers at a registrar and the mwi module subscribes to
// the account's own message-summary once the registration succeeded.
public static partial class BaresipPhone
{
    /// <summary>
    /// Starts baresip with the mwi module and the account sip:<paramref name="user"/>@127.0.0.1:<paramref name="registrarPort"/>
    /// over TCP, registering there (the mwi module subscribes after REGISTER succeeds). baresip quits by itself after
    /// <paramref name="hardLimit"/>; dispose the returned phone to quit it earlier.
    /// </summary>
    public static async Task<MwiPhone> StartMwiAsync(string user, int registrarPort, TimeSpan hardLimit, ITestOutputHelper? log = null)
    {
        string baresip = Peers.Baresip;
        string work = System.IO.Directory.CreateTempSubdirectory("openum-baresip-mwi-").FullName;
        string cfg = System.IO.Directory.CreateDirectory(Path.Combine(work, "cfg")).FullName;
        string rec = System.IO.Directory.CreateDirectory(Path.Combine(work, "rec")).FullName;
        var (_, ctrlPort) = WriteConfig(cfg, rec, Path.Combine(work, "mic.wav"), tls: null, autoAnswer: false);
        File.AppendAllText(Path.Combine(cfg, "config"), "module_app\t\tmwi.so\n");
        // The account the template writes, registering (regint) at the registrar with the lamp on (mwi=yes); the registrar is
        // also its outbound proxy, as the module sends its SUBSCRIBE to the account's address without ";transport=tcp". It is added
        // through ctrl_tcp once baresip runs: with the account in the file and a registrar answering at once, baresip 1.0.0's
        // module subscribed again and again without end (seemingly its start-up timer walks the list it appends to), gigabytes in seconds.
        string account = File.ReadAllText(Path.Combine(cfg, "accounts"))
            .Replace("sip:interop@127.0.0.1;", $"sip:{user}@127.0.0.1:{registrarPort.ToString(CultureInfo.InvariantCulture)};", StringComparison.Ordinal)
            .Replace(";regint=0", ";regint=600", StringComparison.Ordinal)
            .Trim() + $";mwi=yes;outbound=\"sip:127.0.0.1:{registrarPort.ToString(CultureInfo.InvariantCulture)};transport=tcp\"";
        File.WriteAllText(Path.Combine(cfg, "accounts"), "");
        var process = ChildProcess.Start(baresip, ["-4", "-f", cfg, "-t", ((int)hardLimit.TotalSeconds).ToString(CultureInfo.InvariantCulture)], work);
        try
        {
            var ctrl = await ConnectAsync(ctrlPort, process);
            var phone = new MwiPhone(process, work, ctrl, log);
            await SendAsync(ctrl.GetStream(), "uanew", account);
            return phone;
        }
        catch
        {
            await process.DisposeAsync();
            System.IO.Directory.Delete(work, recursive: true);
            throw;
        }
    }

    /// <summary>A running baresip with the mwi module: the events it reported (ctrl_tcp) and the message-summary bodies it received.</summary>
    public sealed class MwiPhone : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly string _work;
        private readonly TcpClient _ctrl;
        private readonly ITestOutputHelper? _log;
        private readonly CancellationTokenSource _readerStop = new();
        private readonly Task _reader;
        private readonly Task _collector;
        private readonly List<JsonElement> _events = [];

        internal MwiPhone(ChildProcess process, string work, TcpClient ctrl, ITestOutputHelper? log)
        {
            (_process, _work, _ctrl, _log) = (process, work, ctrl, log);
            var inbox = Channel.CreateUnbounded<JsonElement>();
            _reader = ReadNetstringsAsync(ctrl.GetStream(), inbox.Writer, _readerStop.Token);
            _collector = Task.Run(async () =>
            {
                await foreach (var ev in inbox.Reader.ReadAllAsync())
                    lock (_events) _events.Add(ev);
            });
        }

        /// <summary>Every ctrl_tcp event so far (raw JSON).</summary>
        public IReadOnlyList<string> Events
        {
            get { lock (_events) return _events.Select(e => e.GetRawText()).ToList(); }
        }

        /// <summary>The bodies of the NOTIFYs the mwi module reported (event MWI_NOTIFY), in order.</summary>
        public IReadOnlyList<string> Notifications
        {
            get
            {
                lock (_events)
                {
                    return _events.Where(e => Text(e, "type") == "MWI_NOTIFY").Select(e => Text(e, "param")).ToList();
                }
            }
        }

        /// <summary>Whether the account's registration succeeded (event REGISTER_OK).</summary>
        public bool Registered
        {
            get { lock (_events) return _events.Any(e => Text(e, "type") == "REGISTER_OK"); }
        }

        /// <summary>baresip's output so far.</summary>
        public string Log => _process.StdOut + _process.StdErr;

        /// <summary>Everything, for failure messages.</summary>
        public string Describe() => $"--- baresip ctrl_tcp events ---\n{string.Join('\n', Events)}\n--- baresip log ---\n{ProcessResult.Tail(Log, 4000)}";

        /// <summary>Polls until a reported NOTIFY body satisfies <paramref name="match"/> and returns it; fails after the hang guard with everything seen.</summary>
        public async Task<string> WaitForNotificationAsync(Func<string, bool> match, string what, TimeSpan hangGuard, Func<string> diagnostics)
        {
            var deadline = DateTime.UtcNow + hangGuard;
            while (true)
            {
                if (Notifications.FirstOrDefault(match) is { } body) return body;
                if (_process.HasExited || DateTime.UtcNow > deadline)
                    Assert.Fail($"baresip reported no NOTIFY with {what} within {hangGuard.TotalSeconds:0} s (exited={_process.HasExited})\n{Describe()}\n{diagnostics()}");
                await Task.Delay(100);
            }
        }

        /// <summary>Quits baresip (ctrl_tcp quit, then kill), logs what it reported and removes its directory.</summary>
        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                await SendAsync(_ctrl.GetStream(), "quit", "");
                if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(10)))
                    _log?.WriteLine("baresip did not quit within 10 s: killed");
            }
            _readerStop.Cancel();
            try { await _reader; } catch (OperationCanceledException) { } catch (IOException) { }
            await _collector;
            _ctrl.Dispose();
            _readerStop.Dispose();
            _log?.WriteLine(Describe());
            await _process.DisposeAsync();
            if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
                System.IO.Directory.Delete(_work, recursive: true);
        }

        private static string Text(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() ?? "" : "";
    }
}
