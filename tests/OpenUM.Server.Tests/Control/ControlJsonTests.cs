using System.Text.Json;
using OpenUM.Calls;
using OpenUM.Server.Control;

namespace OpenUM.Server.Tests.Control;

/// <summary>The control protocol's JSON (what `openum status --json` and `openum calls list --json` print): durations in seconds.</summary>
public sealed class ControlJsonTests
{
    [Fact]
    public void DurationsAreSecondsUnderNamesThatSaySoAndComeBackTheSame()
    {
        var call = new ActiveCallInfo("c1@gw", "gw-a", "Test", "1000", "5551234", ActiveCallState.Recording,
            DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(83_250), "Tcp", "127.0.0.1:5060", "PCMU", null);
        var response = new ControlResponse { Calls = [call] };
        string json = JsonSerializer.Serialize(response, ControlProtocol.Json.ControlResponse);

        var element = JsonDocument.Parse(json).RootElement.GetProperty("calls")[0];
        Assert.Equal(83.25, element.GetProperty("durationSeconds").GetDouble());
        Assert.False(element.TryGetProperty("duration", out _));
        Assert.Equal("Recording", element.GetProperty("state").GetString());

        var back = JsonSerializer.Deserialize(json, ControlProtocol.Json.ControlResponse)!;
        Assert.Equal(call, Assert.Single(back.Calls!));
    }

    [Fact]
    public void UptimeIsUptimeSeconds()
    {
        var status = new ServerStatus
        {
            Version = "1.0.0", ServerName = "um1", ProcessId = 42, StartedAt = DateTimeOffset.UnixEpoch,
            Uptime = TimeSpan.FromHours(26) + TimeSpan.FromMilliseconds(5), Mode = "TCP", ListenAddress = "0.0.0.0",
            RtpPorts = "16384-31999", ConfigurationVersion = 3, ConfigurationStore = "SQLite x", ActiveCalls = 0,
            MaxCallsAllowed = 100, SpoolPending = 0, OutboxQueued = 0, OutboxDead = 0, LastErrors = [],
        };
        string json = JsonSerializer.Serialize(new ControlResponse { Status = status }, ControlProtocol.Json.ControlResponse);
        Assert.Equal(93_600.005, JsonDocument.Parse(json).RootElement.GetProperty("status").GetProperty("uptimeSeconds").GetDouble());
        Assert.Equal(status.Uptime, JsonSerializer.Deserialize(json, ControlProtocol.Json.ControlResponse)!.Status!.Uptime);
    }

    [Fact]
    public void MessageWaitingCountersAreUnderMwi()
    {
        var status = new ServerStatus
        {
            Version = "1.0.0", ServerName = "um1", ProcessId = 42, StartedAt = DateTimeOffset.UnixEpoch, Uptime = TimeSpan.Zero,
            Mode = "TCP", ListenAddress = "0.0.0.0", RtpPorts = "16384-31999", ConfigurationVersion = 3, ConfigurationStore = "SQLite x",
            ActiveCalls = 0, MaxCallsAllowed = 100, SpoolPending = 0, OutboxQueued = 0, OutboxDead = 0, LastErrors = [],
            Mwi = new MwiStatus(Changes: 7, Recounts: 5, Sent: 4, Failed: 1, Subscriptions: 2, Suspended: true),
        };
        string json = JsonSerializer.Serialize(new ControlResponse { Status = status }, ControlProtocol.Json.ControlResponse);

        var mwi = JsonDocument.Parse(json).RootElement.GetProperty("status").GetProperty("mwi");
        Assert.Equal(4, mwi.GetProperty("sent").GetInt64());
        Assert.Equal(1, mwi.GetProperty("failed").GetInt64());
        Assert.True(mwi.GetProperty("suspended").GetBoolean());
        Assert.Equal(status.Mwi, JsonSerializer.Deserialize(json, ControlProtocol.Json.ControlResponse)!.Status!.Mwi);
    }
}
