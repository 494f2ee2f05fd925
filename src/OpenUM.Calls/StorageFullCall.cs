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
    private readonly VoicemailCall.Services _s;
    private readonly string _why;
    private readonly CancellationToken _shutdown;

    private StorageFullCall(AnsweredCall answered, DialPlan dialPlan, VoicemailCall.Services services, string why, CancellationToken shutdown) =>
        (_answered, _dialPlan, _s, _why, _shutdown) = (answered, dialPlan, services, why, shutdown);

    /// <summary>Negotiates media and answers (200 OK), or rejects the INVITE as any call would be (488, 400) and returns null.</summary>
    public static StorageFullCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        VoicemailCall.Services s, string why, CancellationToken shutdown)
    {
        string extension = CalledParty.Find(call.Request) is { } found
            ? CalledParty.ToExtension(found.Number, dialPlan.NumberOfDigitsInExtension) ?? "-" : "-";
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, extension);
        return answered is null ? null : new StorageFullCall(answered, dialPlan, s, why, shutdown);
    }

    /// <summary>Plays the apology, hangs up and says why (2003); never throws.</summary>
    public async Task RunAsync()
    {
        var dialog = _answered.Dialog;
        using var life = _answered.Watch(_s.Timers, _dialPlan.MaxCallDuration, _shutdown);
        try
        {
            await _answered.Media.PlayAsync(_s.Prompts.StorageFull, life.Token).ConfigureAwait(false);
            life.EndReason = $"the server cannot store messages ({_why}): announced and hung up (dial plan {_dialPlan.Name} --storage-full-action Announce)";
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            life.EndReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, dialog.CallId, e.ToString());
        }

        if (!dialog.Terminated.IsCompleted)
        {
            try { await dialog.ByeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(40)).ConfigureAwait(false); }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // The caller is gone or did not answer the BYE: the call is over for us either way.
            }
        }
        await _answered.CloseMediaAsync().ConfigureAwait(false);
        CallEvents.CallEnded(_s.Logger, dialog.CallId, life.EndReason);
    }
}
