using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Directory;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;

namespace OpenUM.Calls.AutoAttendants;

/// <summary>
/// A call to an auto attendant's pilot number: answered like a voicemail call, then an <see cref="AttendantSession"/>
/// with keys from RFC 4733 events, then BYE unless a transfer took the call. Transfers are blind, by in-dialog REFER
/// (RFC 3515) to the gateway the call came in on, after the outdialing engine allowed the target under the
/// attendant's own restrictions.
/// </summary>
internal sealed class AutoAttendantCall : ISubscriberLine
{
    private readonly IncomingCall _call;
    private readonly AnsweredCall _answered;
    private readonly ConfigurationSnapshot _config;
    private readonly IpGateway _gateway;
    private readonly DialPlan _dialPlan;
    private readonly AutoAttendant _attendant;
    private readonly CallServices _s;
    private readonly OutdialingEngine _outdialing;
    private readonly CancellationToken _shutdown;

    private AutoAttendantCall(IncomingCall call, AnsweredCall answered, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        AutoAttendant attendant, CallServices s, OutdialingEngine outdialing, CancellationToken shutdown) =>
        (_call, _answered, _config, _gateway, _dialPlan, _attendant, _s, _outdialing, _shutdown) =
            (call, answered, config, gateway, dialPlan, attendant, s, outdialing, shutdown);

    private SipDialog Dialog => _answered.Dialog;
    private string CallId => _call.Request.CallId ?? "";

    /// <summary>What labels an attendant call where other calls show the called extension.</summary>
    internal static string Label(AutoAttendant attendant) => $"(auto attendant {attendant.Name})";

    /// <summary>Negotiates media and answers (200 OK), or rejects the INVITE and returns null.</summary>
    public static AutoAttendantCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        AutoAttendant attendant, CallServices s, OutdialingEngine outdialing, ActiveCall entry, CancellationToken shutdown)
    {
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, Label(attendant), entry);
        return answered is null ? null : new AutoAttendantCall(call, answered, config, gateway, dialPlan, attendant, s, outdialing, shutdown);
    }

    /// <inheritdoc />
    public Task PlayAsync(AudioClip clip, CancellationToken ct) => _answered.Media.PlayAsync(clip, ct);

    /// <summary>Runs the call to its end; never throws.</summary>
    public async Task RunAsync()
    {
        using var life = _answered.Watch(_s.Timers, _dialPlan.MaxCallDuration, _shutdown);
        var keys = new DtmfCollector(_s.Timers);
        _answered.Media.DtmfReceived += keys.OnDigit;
        try
        {
            var session = new AttendantSession(this, keys, new AttendantContext(_config, _dialPlan, _attendant, CallId,
                AnsweredCall.CallerId(_call.Request), _s.Time, _s.Prompts.For(_attendant.Language ?? _dialPlan.DefaultLanguage), LoadGreeting, Authorize, TransferAsync, _s.Logger)
            {
                SpokenName = mailbox => GreetingStore.SpokenName(_s.Options.DataDirectory, mailbox),
            });
            life.EndReason = await session.RunAsync(life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            life.EndReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, CallId, e.ToString());
        }
        finally
        {
            _answered.Media.DtmfReceived -= keys.OnDigit;
        }
        await _answered.EndAsync(life.EndReason).ConfigureAwait(false);
    }

    private AudioClip? LoadGreeting(string file) => GreetingStore.Load(_s.Options.DataDirectory, file, out _);

    // The caller is anonymous: the per-user rate limit counts per attendant and caller ID.
    private OutdialingDecision Authorize(AutoAttendant attendant, string number) => _outdialing.Authorize(new OutdialingRequest
    {
        Configuration = _config,
        DialPlan = _dialPlan,
        Restrictions = OutdialingRestrictions.ForAutoAttendant(attendant),
        Number = number,
        Source = OutdialingTargetSource.Entered,
        User = $"caller {AnsweredCall.CallerId(_call.Request)} of auto attendant '{attendant.Name}'",
    });

    // A blind transfer by REFER to the gateway the call came in on, as the call-back and the greeting's 0 key do.
    private async Task<(bool LineGone, string Outcome)> TransferAsync(string dialed, CancellationToken ct)
    {
        var outcome = await new BlindTransfer(Dialog, _gateway, _dialPlan, _shutdown).RunAsync(dialed).ConfigureAwait(false);
        return (outcome.LineGone, outcome.Outcome);
    }
}
