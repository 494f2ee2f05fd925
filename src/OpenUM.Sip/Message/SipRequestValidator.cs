namespace OpenUM.Sip.Message;

/// <summary>UAS request checks of RFC 3261 §8.2, in the order the RFC gives them.</summary>
public static class SipRequestValidator
{
    /// <summary>
    /// Returns the response to send (405+Allow, 501+Allow, 416, 483, 420+Unsupported, 415+Accept,
    /// 415+Accept-Encoding or 406+Warning), or null when the request is acceptable. ACK is never answered
    /// (RFC 3261 §17). A multipart/mixed body needs multipart/mixed in the accepted types and a part of another
    /// accepted type.
    /// </summary>
    public static SipMessage? Validate(SipMessage request, SipUasPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        if (!request.IsRequest) return null;
        var method = request.Method;
        if (method == "ACK") return null;

        // §8.2.1
        // §8.2.1; a 501 lists what we do understand too (RFC 4475 §3.1.1.2).
        if (!policy.AllowedMethods.Contains(method))
        {
            var refused = SipMessage.CreateResponse(request, SipGrammar.IsKnownMethod(method) ? 405 : 501);
            refused.Headers.Add("Allow", string.Join(", ", policy.AllowedMethods));
            return refused;
        }

        // §8.2.2.1
        if (!request.HasServedRequestUri) return SipMessage.CreateResponse(request, 416);

        // §16.3 step 3 / §11.2: Max-Forwards 0 ends the request, except OPTIONS which a UAS may answer.
        if (request.MaxForwards == 0 && method != "OPTIONS") return SipMessage.CreateResponse(request, 483);

        // §8.2.2.3: Require is ignored on ACK and CANCEL.
        if (method != "CANCEL")
        {
            List<string>? unsupported = null;
            foreach (var tag in request.Headers.SplitValues("Require"))
            {
                if (!policy.SupportedExtensions.Contains(tag) && !(unsupported ??= []).Contains(tag)) unsupported.Add(tag);
            }
            if (unsupported is not null)
            {
                var badExtension = SipMessage.CreateResponse(request, 420);
                badExtension.Headers.Add("Unsupported", string.Join(", ", unsupported));
                return badExtension;
            }
        }

        // §8.2.3
        if (!request.Body.IsEmpty)
        {
            var type = request.ContentType;
            if (type is null || !Accepts(policy.AcceptedContentTypes, type)
                || (SipBody.IsMultipartMixed(type) && !HasAcceptablePart(request, policy.AcceptedContentTypes)))
            {
                var unsupportedType = SipMessage.CreateResponse(request, 415);
                unsupportedType.Headers.Add("Accept", string.Join(", ", policy.AcceptedContentTypes));
                return unsupportedType;
            }
            foreach (var coding in request.Headers.SplitValues("Content-Encoding"))
            {
                if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    var unsupportedEncoding = SipMessage.CreateResponse(request, 415);
                    unsupportedEncoding.Headers.Add("Accept-Encoding", "identity");
                    return unsupportedEncoding;
                }
            }
        }

        // §21.4.7: our answer to an INVITE (or to an UPDATE with an offer) carries application/sdp; an Accept that
        // rules it out leaves no answer to give. 406 with a Warning 399 is RFC 4475 §3.3.15's first choice.
        if ((method == "INVITE" || (method == "UPDATE" && !request.Body.IsEmpty)) && !SipAccept.AcceptsSdp(request.Headers))
        {
            var notAcceptable = SipMessage.CreateResponse(request, 406);
            // warn-agent: the host the request was sent to (always a valid hostport), else a pseudonym token.
            var agent = request.RequestUri is { Scheme: "sip" or "sips" } uri ? uri.Host : "openum";
            notAcceptable.Headers.Add("Warning", $"399 {agent} \"Only application/sdp can be answered, and Accept excludes it\"");
            return notAcceptable;
        }
        return null;
    }

    // A multipart/mixed body (SIP-I/SIP-T: SDP + ISUP, RFC 3204) is acceptable when it is well formed and one of
    // its parts is of an accepted type; the parts we do not understand are left to the application.
    private static bool HasAcceptablePart(SipMessage request, IReadOnlySet<string> accepted)
    {
        if (!SipBody.TryGetParts(request, out var parts)) return false;
        foreach (var part in parts)
        {
            if (!part.ContentType.StartsWith("multipart/", StringComparison.Ordinal) && Accepts(accepted, part.ContentType)) return true;
        }
        return false;
    }

    private static bool Accepts(IReadOnlySet<string> accepted, string mediaType)
    {
        if (accepted.Contains(mediaType)) return true;
        foreach (var a in accepted)
        {
            if (string.Equals(a, mediaType, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
