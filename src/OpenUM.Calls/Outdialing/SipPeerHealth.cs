using System.Globalization;
using Microsoft.Extensions.Logging;

namespace OpenUM.Calls.Outdialing;

/// <summary>
/// Whether the gateways the server calls out through answer a secured connection: a refused TLS handshake marks the
/// gateway unhealthy (1400 SipPeersUnhealthy, at most once per <see cref="ReportInterval"/> per gateway, the
/// occurrences in between counted), the next connection that succeeds marks it healthy again (1401 SipPeersHealthy).
/// </summary>
/// <remarks>
/// With <paramref name="stateFile"/> the unhealthy gateways are kept on disk, so a process that places one call and
/// exits (`openum mailbox play-on-phone`) still reports the recovery its predecessor's failure calls for.
/// </remarks>
public sealed class SipPeerHealth(TimeProvider time, ILogger logger, string? stateFile = null)
{
    /// <summary>The shortest time between two 1400 events for one gateway.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);

    // At most this many gateways are remembered (the configuration names them, not strangers; a bound all the same).
    private const int MaxGateways = 1000;

    private readonly Lock _gate = new();
    private Dictionary<string, (DateTimeOffset Reported, int Suppressed)>? _unhealthy;

    /// <summary>The connection to <paramref name="gateway"/> (<paramref name="address"/>) failed its TLS handshake for <paramref name="reason"/>.</summary>
    public void Failed(string gateway, string address, string reason)
    {
        lock (_gate)
        {
            var state = Load();
            var now = time.GetUtcNow();
            if (state.TryGetValue(gateway, out var entry) && now - entry.Reported < ReportInterval)
            {
                state[gateway] = (entry.Reported, entry.Suppressed + 1);
            }
            else
            {
                if (!state.ContainsKey(gateway) && state.Count >= MaxGateways) state.Clear();
                int suppressed = state.TryGetValue(gateway, out var old) ? old.Suppressed : 0;
                state[gateway] = (now, 0);
                SipPeerEvents.SipPeersUnhealthy(logger, gateway, address, reason,
                    suppressed == 0 ? "" : $" ({suppressed} similar suppressed)");
            }
            Save(state);
        }
    }

    /// <summary>A secured connection to <paramref name="gateway"/> succeeded: 1401 when it was unhealthy.</summary>
    public void Succeeded(string gateway, string address)
    {
        lock (_gate)
        {
            var state = Load();
            if (!state.Remove(gateway)) return;
            SipPeerEvents.SipPeersHealthy(logger, gateway, address);
            Save(state);
        }
    }

    // One line per unhealthy gateway: name TAB last 1400 (Unix ms) TAB suppressed since. Gateway names have no tabs or newlines.
    private Dictionary<string, (DateTimeOffset Reported, int Suppressed)> Load()
    {
        if (_unhealthy is not null && stateFile is null) return _unhealthy;
        var state = new Dictionary<string, (DateTimeOffset, int)>(StringComparer.OrdinalIgnoreCase);
        if (stateFile is not null && File.Exists(stateFile))
        {
            try
            {
                foreach (string line in File.ReadLines(stateFile).Take(MaxGateways))
                {
                    string[] f = line.Split('\t');
                    if (f.Length == 3 && long.TryParse(f[1], CultureInfo.InvariantCulture, out long ms) && int.TryParse(f[2], CultureInfo.InvariantCulture, out int n))
                        state[f[0]] = (DateTimeOffset.FromUnixTimeMilliseconds(ms), n);
                }
            }
            catch (IOException) { } // unreadable: start over; the worst outcome is one more 1400 or one 1401 fewer
        }
        return _unhealthy = state;
    }

    private void Save(Dictionary<string, (DateTimeOffset Reported, int Suppressed)> state)
    {
        if (stateFile is null) return;
        try
        {
            if (state.Count == 0)
            {
                File.Delete(stateFile);
                return;
            }
            // Written aside and renamed, so a reader never sees half a file.
            string temp = stateFile + ".tmp";
            File.WriteAllLines(temp, state.Select(e => string.Create(CultureInfo.InvariantCulture,
                $"{e.Key}\t{e.Value.Reported.ToUnixTimeMilliseconds()}\t{e.Value.Suppressed}")));
            File.Move(temp, stateFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>Events 1400/1401 with Exchange's IDs and names (reference §6.2).</summary>
public static partial class SipPeerEvents
{
    [LoggerMessage(EventId = 1400, EventName = "SipPeersUnhealthy", Level = LogLevel.Error,
        Message = "Gateway {Gateway} ({Address}) could not be reached over mutual TLS: {Reason}{Suppressed}")]
    public static partial void SipPeersUnhealthy(ILogger logger, string gateway, string address, string reason, string suppressed);

    [LoggerMessage(EventId = 1401, EventName = "SipPeersHealthy", Level = LogLevel.Information,
        Message = "Gateway {Gateway} ({Address}) is reachable over mutual TLS again")]
    public static partial void SipPeersHealthy(ILogger logger, string gateway, string address);
}
