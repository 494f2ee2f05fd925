using System.Globalization;
using OpenUM.Calls.Outdialing;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Directory;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transport;

namespace OpenUM.Calls.AutoAttendants;

/// <summary>
/// A call to an auto attendant's pilot number: answered like a voicemail call, then an <see cref="AttendantSession"/>
/// with keys from RFC 4733 events, then BYE unless a transfer took the call. Transfers are blind, by in-dialog REFER
/// (RFC 3515) to the gateway the call came in on, after the outdialing engine allowed the target under the
/// attendant's own restrictions.
/// </summary>
internal sealed class AutoAttendantCall : ISubscriberLine
{
    // How long the referred call may take to report a final status (ringing included) before we give up on it.
    private static readonly TimeSpan TransferLimit = TimeSpan.FromSeconds(90);

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
                AnsweredCall.CallerId(_call.Request), _s.Time, _s.Prompts, LoadGreeting, Authorize, TransferAsync, _s.Logger));
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

    private async Task<(bool LineGone, string Outcome)> TransferAsync(string dialed, CancellationToken ct)
    {
        if (!_gateway.OutcallsAllowed) return (false, $"Failed: gateway '{_gateway.Name}' does not allow outcalls");
        if (ReferTarget(dialed) is not { } target) return (false, $"Failed: '{dialed}' at {_gateway.Address} is not a SIP URI");
        // Not cancelled by the caller's hang-up: the REFER transaction ends by itself (response or Timer F).
        var referring = Dialog.ReferAsync(target, _shutdown);
        await Task.WhenAny(referring, Dialog.Terminated).ConfigureAwait(false);
        if (!referring.IsCompleted) return (true, $"Failed: the caller hung up before the REFER to {target} was answered");
        SipReferResult refer;
        try { refer = await referring.ConfigureAwait(false); }
        catch (OperationCanceledException) { return (true, "Failed: the server is shutting down"); }
        if (!refer.Accepted)
            return (Dialog.Terminated.IsCompleted, string.Create(CultureInfo.InvariantCulture, $"Failed: REFER to {target} answered {refer.StatusCode} {refer.ReasonPhrase}"));

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_shutdown);
        limit.CancelAfter(TransferLimit);
        await Task.WhenAny(refer.Outcome, Dialog.Terminated, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false);
        if (refer.Outcome.IsCompletedSuccessfully && refer.Outcome.Result is { IsFinal: true } final)
            return final.Succeeded
                ? (true, $"Transferred to {target}: the referred call reported {final.StatusCode} {final.ReasonPhrase}")
                : (Dialog.Terminated.IsCompleted, $"Failed: the referred call to {target} reported {final.StatusCode} {final.ReasonPhrase}");
        if (Dialog.Terminated.IsCompleted || refer.Outcome.IsCompleted)
            return (true, $"Transferred to {target}: the gateway accepted the REFER");
        return (false, $"Failed: no final NOTIFY for the REFER to {target} within {TransferLimit.TotalSeconds:0} s");
    }

    // sip:<dial string>@<gateway address>:<port>;transport=<the call's transport>, as a call-back's REFER.
    private SipUri? ReferTarget(string dialed)
    {
        string host = _gateway.Address.Contains(':', StringComparison.Ordinal) && !_gateway.Address.StartsWith('[') ? $"[{_gateway.Address}]" : _gateway.Address;
        string transport = Dialog.Connection.Transport switch
        {
            SipTransportKind.Udp => "udp",
            SipTransportKind.Tls => "tls",
            _ => "tcp",
        };
        int port = _gateway.EffectivePort(_dialPlan.IsSecured);
        string text = string.Create(CultureInfo.InvariantCulture, $"sip:{dialed}@{host}:{port};transport={transport}");
        return dialed.Length > 0 && dialed.All(c => char.IsAsciiDigit(c) || c is '+' or '*') && SipUri.TryParse(text, out var uri) ? uri : null;
    }
}
