using System.Text.Json;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Mwi;

/// <summary>
/// Message waiting with the local maildir: a SIPp caller leaves a message while the gateway does not allow MWI — the
/// server handles the change and sends nothing; once the option is on, the gateway's lamp is told the message is there.
/// </summary>
public sealed class MwiMaildirTests(ITestOutputHelper output)
{
    // Covers the greeting for 1000 (~7.4 s) and the beep; a tone, so the recording's idle timeout cannot end it early.
    private const double LeadInSeconds = 8.5;

    [Fact]
    public async Task NothingWithTheOptionOffTheLampOnceItIsOn()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        await using var gateway = await SippPeer.StartAsync("mwi-gateway.xml", 5060, "gw", 10, TimeSpan.FromSeconds(90));
        await um.CliOkAsync("gateway", "set", "sipp", "--port", gateway.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--message-waiting-indicator-allowed", "false");
        await um.StartAsync();
        string Diagnostics() => um.EventsText() + "\n" + um.ServerOutput;

        var clip = await SpeechFixtures.GetClipAsync("Call me back.", LeadInSeconds);
        await SippCaller.LeaveMessageAsync(um, clip, output, Diagnostics);
        await um.WaitForDeliveriesAsync(OpenUmProcess.MailboxAddress, 1, TimeSpan.FromSeconds(30));

        // The deposit reached the notifier (the maildir says so at once) and nothing went to the gateway.
        JsonElement mwi = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            mwi = JsonDocument.Parse((await um.CliOkAsync("status", "--json")).StdOut).RootElement.GetProperty("mwi");
            if (mwi.GetProperty("changes").GetInt64() >= 1) break;
            if (DateTime.UtcNow > deadline) Assert.Fail($"the notifier never handled the deposit: {mwi}\n{Diagnostics()}");
            await Task.Delay(200);
        }
        Assert.Equal(0, mwi.GetProperty("sent").GetInt64());
        Assert.Equal(0, mwi.GetProperty("failed").GetInt64());
        Assert.Empty(gateway.Summaries());
        Assert.DoesNotContain("NOTIFY", gateway.Log, StringComparison.Ordinal);

        // The option on: the lamp is told what is waiting, without a new message.
        await um.CliOkAsync("gateway", "set", "sipp", "--message-waiting-indicator-allowed", "true");
        Assert.Equal(["yes 1/0"], await gateway.WaitForSummariesAsync(1, TimeSpan.FromSeconds(30), Diagnostics));
    }
}
