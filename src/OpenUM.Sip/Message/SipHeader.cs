namespace OpenUM.Sip.Message;

/// <summary>One SIP header line: canonical name and its (unfolded) value.</summary>
public readonly record struct SipHeader(string Name, string Value);

/// <summary>CSeq header value (RFC 3261 §20.16).</summary>
public readonly record struct SipCSeq(uint Number, string Method)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Number} {Method}";
}
