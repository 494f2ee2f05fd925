using System.Globalization;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Mwi;

/// <summary>
/// A real phone's lamp: baresip with its mwi module registers at Kamailio, subscribes to its own message-summary, and
/// Kamailio (an admitted gateway of the dial plan, record-routing) carries the SUBSCRIBE to OpenUM and the NOTIFYs back.
/// The lamp is off, a caller leaves a message, the lamp goes on; the phone refreshes its subscription and OpenUM answers 200.
/// </summary>
public sealed class BaresipMwiTests(ITestOutputHelper output)
{
    // Covers the greeting for 1000 (~7.4 s) and the beep; a tone, so the recording's idle timeout cannot end it early.
    private const double LeadInSeconds = 8.5;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PhoneBehindARegistrarSeesTheDepositAndRefreshes()
    {
        await using var um = new OpenUmProcess(output);
        await um.ConfigureStandardAsync();
        // The option off until the registrar listens: a NOTIFY to nowhere at start-up would hold the mailbox's next
        // recount back for the notifier's retry interval (a minute).
        await um.CliOkAsync("gateway", "set", "sipp", "--message-waiting-indicator-allowed", "false");
        await um.StartAsync();
        await using var registrar = await KamailioRegistrar.StartAsync(um.SipPort, output);
        // The registrar is the dial plan's gateway (127.0.0.1); its own port takes the unsolicited NOTIFYs. The phone
        // starts once the server runs with that change (one more event 2011, configuration reloaded).
        int reloads = um.ReadEvents().Count(e => e.Id == 2011);
        await um.CliOkAsync("gateway", "set", "sipp", "--port", registrar.Port.ToString(CultureInfo.InvariantCulture),
            "--message-waiting-indicator-allowed", "true");
        await um.WaitForEventAsync(2011, _ => um.ReadEvents().Count(e => e.Id == 2011) > reloads, HangGuard);
        await using var phone = await BaresipPhone.StartMwiAsync("1000", registrar.Port, TimeSpan.FromSeconds(120), output);
        string Diagnostics() => $"--- kamailio ---\n{ProcessResult.Tail(registrar.Log, 4000)}\n{um.EventsText()}\n{um.ServerOutput}";

        // Subscribed through the registrar: the first NOTIFY says nothing is waiting.
        string first = await phone.WaitForNotificationAsync(_ => true, "any message-summary", HangGuard, Diagnostics);
        Assert.True(phone.Registered, $"baresip subscribed without registering?\n{phone.Describe()}");
        Assert.Contains("Messages-Waiting: no", first, StringComparison.Ordinal);
        Assert.Contains("Voice-Message: 0/0", first, StringComparison.Ordinal);
        Assert.Contains("SUBSCRIBE sip:1000@127.0.0.1:" + registrar.Port.ToString(CultureInfo.InvariantCulture), registrar.Log, StringComparison.Ordinal);

        // A caller leaves a message: the lamp goes on.
        var clip = await SpeechFixtures.GetClipAsync("Call me back.", LeadInSeconds);
        await SippCaller.LeaveMessageAsync(um, clip, output, Diagnostics);
        string lit = await phone.WaitForNotificationAsync(b => b.Contains("Messages-Waiting: yes", StringComparison.Ordinal),
            "Messages-Waiting: yes", HangGuard, Diagnostics);
        Assert.Contains("Voice-Message: 1/0", lit, StringComparison.Ordinal);

        // The phone refreshed its subscription in the dialog (through the registrar's Record-Route) and OpenUM took it.
        var deadline = DateTime.UtcNow + HangGuard;
        while (!registrar.Log.Contains(KamailioRegistrar.RefreshLine + " 200", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no re-SUBSCRIBE answered 200 within {HangGuard.TotalSeconds:0} s\n{phone.Describe()}\n{Diagnostics()}");
            await Task.Delay(100);
        }
        Assert.DoesNotContain(KamailioRegistrar.RefreshLine + " 4", registrar.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(KamailioRegistrar.RefreshLine + " 5", registrar.Log, StringComparison.Ordinal);
    }
}
