using System.Globalization;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Dialogs;

/// <summary>Progress of a referred call, as one NOTIFY of the implicit "refer" subscription reported it (RFC 3515 §2.4.5).</summary>
/// <param name="StatusCode">The sipfrag status (100, 180, 200, 486 ...); 0 when no NOTIFY said anything before the subscription ended.</param>
/// <param name="ReasonPhrase">The sipfrag reason phrase.</param>
/// <param name="Terminated">The subscription ended: Subscription-State terminated, a failed REFER, or the dialog ended.</param>
public readonly record struct SipReferProgress(int StatusCode, string ReasonPhrase, bool Terminated)
{
    /// <summary>The referred call succeeded (a 2xx sipfrag).</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>A final status (2xx-6xx): no further progress will matter.</summary>
    public bool IsFinal => StatusCode >= 200;

    /// <summary>
    /// Reads the status line of a message/sipfrag body ("SIP/2.0 200 OK", RFC 3420); false for anything else,
    /// e.g. a request line or a body that is not SIP.
    /// </summary>
    public static bool TryParseSipFrag(ReadOnlySpan<byte> body, out int statusCode, out string reasonPhrase)
    {
        statusCode = 0;
        reasonPhrase = "";
        int end = body.IndexOf((byte)'\n');
        var line = (end < 0 ? body : body[..end]).TrimEnd((byte)'\r');
        ReadOnlySpan<byte> version = "SIP/2.0 "u8;
        if (!line.StartsWith(version)) return false;
        line = line[version.Length..];
        // Status-Code is exactly three digits (RFC 3261 §25.1), then SP and the reason (possibly empty).
        if (line.Length < 3 || !char.IsAsciiDigit((char)line[0]) || !char.IsAsciiDigit((char)line[1]) || !char.IsAsciiDigit((char)line[2])) return false;
        if (line.Length > 3 && line[3] != (byte)' ') return false;
        int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (code < 100) return false;
        statusCode = code;
        reasonPhrase = line.Length > 4 ? System.Text.Encoding.UTF8.GetString(line[4..]).Trim() : "";
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{StatusCode} {ReasonPhrase}{(Terminated ? " (subscription terminated)" : "")}");
}

/// <summary>
/// The final response to a REFER (<see cref="SipDialog.ReferAsync"/>) and the referred call's outcome.
/// </summary>
/// <param name="StatusCode">The REFER's final status: 202 when the peer accepted it; 408 with no response after Timer F, 503 when the transport failed.</param>
/// <param name="ReasonPhrase">The final response's reason phrase.</param>
/// <param name="Response">The final response, null when none arrived.</param>
/// <param name="Outcome">
/// Completes at the first final sipfrag status (2xx-6xx), when the subscription terminates, or when the dialog
/// ends; for a refused REFER it is already complete with the REFER's own status.
/// </param>
public sealed record SipReferResult(int StatusCode, string ReasonPhrase, SipMessage? Response, Task<SipReferProgress> Outcome)
{
    /// <summary>The peer accepted the REFER (2xx, normally 202 Accepted).</summary>
    public bool Accepted => StatusCode is >= 200 and < 300;
}
