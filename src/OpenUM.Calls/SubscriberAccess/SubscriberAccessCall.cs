using System.Text;
using Microsoft.Extensions.Logging;
using OpenUM.Calls.Outdialing;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Media;
using OpenUM.Media.Audio;
using OpenUM.Media.Session;
using OpenUM.Sip;
using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;

namespace OpenUM.Calls.SubscriberAccess;

/// <summary>
/// What subscriber access needs beyond the voicemail services: PIN checks, the outdialing engine and where messages are
/// read; with <paramref name="Store"/>, self-service by phone (main menu, personal options, forced PIN change).
/// </summary>
public sealed record SubscriberAccessServices(PinAuthenticator Pins, OutdialingEngine Outdialing, IVoiceMessageStore Messages,
    SubscriberTimeouts? Timeouts = null, IConfigurationStore? Store = null);

/// <summary>
/// A call to a dial plan's access number (CALL-2): answered like a voicemail call, then a
/// <see cref="SubscriberSession"/> with keys from RFC 4733 events or SIP INFO, then BYE.
/// </summary>
internal sealed partial class SubscriberAccessCall : ISubscriberLine
{
    private readonly IncomingCall _call;
    private readonly SipDialog _dialog;
    private readonly MediaSession _media;
    private readonly ConfigurationSnapshot _config;
    private readonly DialPlan _dialPlan;
    private readonly IpGateway _gateway; // the one the call came in on: it receives the REFER of a call-back
    private readonly CallServices _s;
    private readonly SubscriberAccessServices _subscriber;
    private readonly CancellationToken _shutdown;
    private readonly AnsweredCall _answered;

    private SubscriberAccessCall(IncomingCall call, AnsweredCall answered,
        ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan, CallServices s, SubscriberAccessServices subscriber,
        CancellationToken shutdown)
    {
        (_call, _answered, _config, _gateway, _dialPlan, _s, _subscriber, _shutdown) =
            (call, answered, config, gateway, dialPlan, s, subscriber, shutdown);
        (_dialog, _media) = (answered.Dialog, answered.Media);
    }

    private string CallId => _call.Request.CallId ?? "";

    /// <summary>What labels a subscriber access call where other calls show the called extension.</summary>
    internal const string SubscriberExtension = "(subscriber access)";

    /// <summary>True when <paramref name="called"/> is one of the dial plan's AccessTelephoneNumbers (separators and a leading '+' ignored).</summary>
    public static bool IsAccessNumber(DialPlan dialPlan, string? called)
    {
        if (string.IsNullOrEmpty(called)) return false;
        string number = Normalize(called);
        return number.Length > 0 && dialPlan.AccessTelephoneNumbers.Any(a => Normalize(a) == number);
    }

    private static string Normalize(string value) => string.Concat(value.Where(char.IsAsciiDigit));

    /// <summary>Negotiates media and answers (200 OK), or rejects the INVITE and returns null.</summary>
    public static SubscriberAccessCall? TryAnswer(IncomingCall call, ConfigurationSnapshot config, IpGateway gateway, DialPlan dialPlan,
        CallServices s, SubscriberAccessServices subscriber, ActiveCall entry, CancellationToken shutdown)
    {
        var answered = AnsweredCall.TryAnswer(call, config, gateway, dialPlan, s, SubscriberExtension, entry);
        return answered is null ? null : new SubscriberAccessCall(call, answered, config, gateway, dialPlan, s, subscriber, shutdown);
    }

    /// <summary>Subscriber access on a call already answered for a mailbox ('*' during its greeting): the same session and transfers.</summary>
    internal static SubscriberAccessCall ForAnswered(IncomingCall call, AnsweredCall answered, ConfigurationSnapshot config, IpGateway gateway,
        DialPlan dialPlan, CallServices s, SubscriberAccessServices subscriber, CancellationToken shutdown) =>
        new(call, answered, config, gateway, dialPlan, s, subscriber, shutdown);

    /// <summary>Runs the subscriber session on <paramref name="keys"/>; with <paramref name="extension"/> only the PIN is asked.</summary>
    internal Task<SubscriberSessionEnd> SessionAsync(DtmfCollector keys, string? extension, CancellationToken ct)
    {
        var context = Context();
        return new SubscriberSession(this, keys, extension is null ? context : context with { CallerExtension = extension }, _subscriber.Timeouts)
            .RunAsync(ct);
    }

    /// <inheritdoc />
    public Task PlayAsync(AudioClip clip, CancellationToken ct) => _media.PlayAsync(clip, ct);

    /// <summary>Runs the call to its end; never throws.</summary>
    public async Task RunAsync()
    {
        using var life = _answered.Watch(_s.Timers, _dialPlan.MaxCallDuration, _shutdown);
        _answered.Entry.State = ActiveCallState.SubscriberAccess;

        var keys = new DtmfCollector(_s.Timers);
        _media.DtmfReceived += keys.OnDigit;
        _dialog.InfoReceived += info => OnInfo(info, keys.OnDigit);
        try
        {
            var end = await SessionAsync(keys, null, life.Token).ConfigureAwait(false);
            life.EndReason = $"subscriber access: {end}";
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            life.EndReason = "error: " + e.Message;
            CallEvents.CallFailed(_s.Logger, CallId, e.ToString());
        }
        finally
        {
            _media.DtmfReceived -= keys.OnDigit;
        }

        await _answered.EndAsync(life.EndReason).ConfigureAwait(false);
    }

    private SubscriberSessionContext Context()
    {
        // The dial plan's language until the caller is known, then the mailbox's (Exchange: DefaultLanguage, Language).
        var prompts = _s.Prompts.For(_dialPlan);
        return new SubscriberSessionContext(_dialPlan, CallId, AnsweredCall.CallerId(_call.Request),
            (extension, pin) => _subscriber.Pins.LogonAsync(_dialPlan.Name, extension, pin),
            _subscriber.Messages, AuthorizeCallBack, prompts.Subscriber, prompts.Digits, _s.Logger, TransferCallBackAsync)
        {
            MailboxPrompts = mailbox => _s.Prompts.For(_dialPlan, mailbox),
            // A SipName plan's user calling from their own SIP address is asked only for the PIN (keys cannot spell an address).
            CallerExtension = _dialPlan.UriType == UmUriType.SipName ? CallingParty.Find(_call.Request, _config, _dialPlan).Mailbox?.Extension : null,
            SelfService = SelfService(),
        };
    }

    /// <summary>Call the sender back (OUT-2/3): as the logged-on user, with the policy's groups; the caller ID is untrusted.</summary>
    private OutdialingDecision AuthorizeCallBack(Mailbox mailbox, MailboxPolicy? policy, StoredMessage message) =>
        _subscriber.Outdialing.Authorize(new OutdialingRequest
        {
            Configuration = _config,
            DialPlan = _dialPlan,
            Restrictions = PlayOnPhone.RestrictionsFor(_dialPlan, policy ?? _config.PolicyFor(mailbox)),
            Number = message.CallerId.Length > 0 ? message.CallerId : "anonymous",
            Source = OutdialingTargetSource.CallerId,
            User = $"{mailbox.DialPlan}/{mailbox.Extension}",
        });

    /// <summary>SIP INFO DTMF (application/dtmf-relay "Signal=5", or application/dtmf "5"), for gateways without RFC 4733.</summary>
    internal static void OnInfo(SipMessage info, Action<char> keys)
    {
        if (SipBody.TryGetPart(info, "application/dtmf-relay", out var relay))
        {
            foreach (var line in Encoding.ASCII.GetString(relay.Span).Split('\n'))
            {
                var trimmed = line.Trim();
                if (trimmed.StartsWith("Signal=", StringComparison.OrdinalIgnoreCase) && trimmed[7..].Trim() is { Length: > 0 } signal)
                    keys(char.ToUpperInvariant(signal[0]));
            }
        }
        else if (SipBody.TryGetPart(info, "application/dtmf", out var dtmf) && dtmf.Length > 0)
        {
            keys(char.ToUpperInvariant((char)dtmf.Span[0]));
        }
    }
}
