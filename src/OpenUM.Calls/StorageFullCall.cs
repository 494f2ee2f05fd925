using OpenUM.Directory;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;

namespace OpenUM.Calls;

/// <summary>
/// A call to a dial plan with StorageFullAction Announce while the server cannot store messages: answered, told
/// "the voice mail system cannot take a message now", and hung up. Nothing is recorded or written.
/// </summary>
internal sealed class StorageFullCall
{
    private readonly AnsweredCall _answered;
    private readonly DialPlan _dialPlan;
    private readonly CallServices _s;
    private readonly string _why;
    private readonly CancellationToken _shutdown;

    private StorageFullCall(AnsweredCall answered, DialPlan dialPlan, CallServices services, string why, CancellationToken shutdown) =>
        (_answered, _dialPlan, _s, _why, _shutdown) = (answered, dialPlan, services, why, shutdown);

    /// <summary>Negotiates media and answers (200 OK), or rejects the INVITE as any call would be (488, 400) and returns null.</summary>
    public static StorageFullCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        CallServices s, string why, ActiveCall entry, CancellationToken shutdown)
    {
        string extension = CalledParty.Find(call.Request) is { } found
            ? CalledParty.ToExtension(found.Number, dialPlan.NumberOfDigitsInExtension) ?? "-" : "-";
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, extension, entry);
        return answered is null ? null : new StorageFullCall(answered, dialPlan, s, why, shutdown);
    }

    /// <summary>Plays the apology, hangs up and says why (2003); never throws.</summary>
    public async Task RunAsync()
    {
        var dialog = _answered.Dialog;
        using var life = _answered.Watch(_s.Timers, _dialPlan.MaxCallDuration, _shutdown);
        _answered.Entry.State = ActiveCallState.Announcement;
        try
        {
            await _answered.Media.PlayAsync(_s.Prompts.For(_dialPlan).StorageFull, life.Token).ConfigureAwait(false);
            life.EndReason = $"the server cannot store messages ({_why}): announced and hung up (dial plan {_dialPlan.Name} --storage-full-action Announce)";
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            life.EndReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, dialog.CallId, e.ToString());
        }

        await _answered.EndAsync(life.EndReason).ConfigureAwait(false);
    }
}
