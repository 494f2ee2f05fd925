using OpenUM.Sip.Dialogs;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;

namespace OpenUM.Sip;

// The dialog table: keyed by Call-ID, local tag and remote tag (RFC 3261 §12), looked up by strings or by a key
// written on the stack from a message's headers.
public sealed partial class SipUserAgent
{
    internal static string DialogKey(string callId, string localTag, string? remoteTag) =>
        string.Concat(callId, "\n", localTag, "\n", remoteTag ?? "");

    internal void AddDialog(SipDialog dialog) => _dialogs[dialog.Key] = dialog;

    internal void RemoveDialog(SipDialog dialog) =>
        _dialogs.TryRemove(new KeyValuePair<string, SipDialog>(dialog.Key, dialog));

    private SipDialog? FindDialog(string? callId, string? localTag, string? remoteTag) =>
        callId is not null && localTag is not null && _dialogs.TryGetValue(DialogKey(callId, localTag, remoteTag), out var d) ? d : null;

    // The dialog of a message from the peer, its key written on the stack: our tag is the To tag of its
    // requests (and the From tag of its responses, when fromIsLocal).
    private SipDialog? FindDialog(SipMessage message, bool fromIsLocal = false)
    {
        Span<char> key = stackalloc char[SipTransactionKeys.StackLength];
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        var writer = new KeyWriter(key);
        if (!message.TryReadFirst(SipHeaderNames.CallId, scratch, out var callId)) return null;
        writer.Append(callId);
        writer.Append('\n');
        if (!message.TryReadAddress(fromIsLocal ? SipHeaderNames.From : SipHeaderNames.To, scratch, out var local) || !local.HasTag)
        {
            return null;
        }
        writer.Append(local.Tag);
        writer.Append('\n');
        if (message.TryReadAddress(fromIsLocal ? SipHeaderNames.To : SipHeaderNames.From, scratch, out var remote)) writer.Append(remote.Tag);
        // A key too long for the stack (a huge Call-ID or tag) is looked up as a string.
        if (writer.Overflowed)
        {
            return fromIsLocal
                ? FindDialog(message.CallId, message.From?.Tag, message.To?.Tag)
                : FindDialog(message.CallId, message.To?.Tag, message.From?.Tag);
        }
        return _dialogsBySpan.TryGetValue(key[..writer.Length], out var dialog) ? dialog : null;
    }
}
