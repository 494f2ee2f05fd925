using System.Buffers;
using System.Text;
using OpenUM.Sip;
using OpenUM.Sip.Message;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

public class SipParserTests
{
    [Fact]
    public void DivertedInvite_ParsesEveryPart()
    {
        var bytes = DivertedInvite();
        Assert.Equal(SipParseResult.Complete, ParseStream(bytes, out var m, out _, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.True(m!.IsRequest);
        Assert.Equal("INVITE", m.Method);
        Assert.Equal("sip:5000@um.example.com:5060;transport=tcp", m.RequestUri!.ToString());
        Assert.Equal("tcp", m.RequestUri.GetParameter("transport"));
        Assert.Equal(2, m.Vias.Count);
        Assert.Equal("z9hG4bK2d4790.1", m.Vias[0].Branch);
        Assert.True(m.Vias[0].HasRPort);
        Assert.Null(m.Vias[0].RPort);
        Assert.Equal("192.0.2.1", m.Vias[1].Received);
        Assert.Equal("Alice \"A\" Smith, Sales", m.From!.DisplayName);
        Assert.Equal("9fxced76sl", m.From.Tag);
        Assert.Equal("+14155550100", m.From.Uri.User);
        Assert.Equal("phone", m.From.Uri.GetParameter("user"));
        Assert.Null(m.To!.Tag);
        Assert.Equal("3848276298220188511@gw.example.com", m.CallId);
        Assert.Equal(new SipCSeq(101, "INVITE"), m.CSeq);
        Assert.Equal(69, m.MaxForwards);
        Assert.Equal(5060, m.Contact!.Uri.Port);
        Assert.Equal("application/sdp", m.ContentType);
        Assert.Equal(Sdp, Encoding.UTF8.GetString(m.Body.Span));

        var diversion = Assert.Single(m.Headers.SplitValues("Diversion"));
        Assert.True(SipNameAddress.TryParse(diversion, out var div));
        Assert.Equal("no-answer", div!.GetParameter("reason"));
        Assert.Equal("2001", div.Uri.User);

        var history = m.Headers.SplitValues("History-Info");
        Assert.Equal(2, history.Count);
        Assert.True(SipNameAddress.TryParse(history[0], out var h0));
        Assert.Equal("SIP%3Bcause%3D302", Assert.Single(h0!.Uri.Headers).Value);
        Assert.Equal("1.1", SipNameAddress.TryParse(history[1], out var h1) ? h1!.GetParameter("index") : null);
        Assert.Equal(6, m.Headers.SplitValues("Allow").Count);
    }

    [Fact]
    public void DivertedInvite_RoundTripsByteForByte()
    {
        var bytes = DivertedInvite();
        var m = ParseOk(bytes);
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(m.ToArray()));
        AssertEquivalent(m, ParseOk(m.ToArray()));
    }

    [Fact]
    public void Response_ParsesStatusLineAndHeaders()
    {
        var m = ParseOk(OkResponse());
        Assert.False(m.IsRequest);
        Assert.Equal(200, m.StatusCode);
        Assert.Equal("OK", m.ReasonPhrase);
        Assert.Equal("8321234356", m.To!.Tag);
        Assert.Equal(Encoding.UTF8.GetString(OkResponse()), m.ToString());
    }

    [Fact]
    public void CompactForms_MapToLongNames()
    {
        var m = ParseOk(Options());
        Assert.Equal(["Via", "Max-Forwards", "From", "To", "Call-ID", "CSeq", "Accept", "Content-Length"],
            m.Headers.Select(h => h.Name));
        Assert.Equal("[2001:db8::10]", m.Vias[0].Host);
        Assert.Equal("UDP", m.Vias[0].Transport);
        Assert.Equal("tel", m.From!.Uri.Scheme);
        Assert.Equal("+1-415-555-0100", m.From.Uri.User);
        Assert.Equal("opt-1@[2001:db8::10]", m.CallId);
        Assert.Equal(0, m.MaxForwards);
        Assert.True(m.Headers.Contains("i"));
        Assert.Equal("opt-1@[2001:db8::10]", m.Headers.Get("call-id"));
    }

    [Fact]
    public void FoldedHeaders_UnfoldToSingleSpace()
    {
        var head = SimpleInviteHead + "Subject: I know you're there,\n   pick up the phone\n\tand talk to me!\n" +
            "Via :\n SIP/2.0/TCP proxy.example.com;branch=z9hG4bKfold\n";
        var m = ParseOk(Build(head));
        Assert.Equal("I know you're there, pick up the phone and talk to me!", m.Headers.Get("Subject"));
        Assert.Equal(2, m.Vias.Count);
        Assert.Equal("proxy.example.com", m.Vias[1].Host);
    }

    [Fact]
    public void CommaSeparatedValues_DoNotSplitInsideQuotesOrAngles()
    {
        var head = SimpleInviteHead.Replace("Contact: <sip:alice@client.example.com;transport=tcp>",
            "Contact: \"Doe, John \\\\ Jr\" <sip:a@b.example.com;x=1?h=a,b>;q=0.7, <sip:c@d.example.com>;q=0.1",
            StringComparison.Ordinal) + "Via: SIP/2.0/TCP a.example.com;branch=z9hG4bKa, SIP/2.0/UDP b.example.com:5070;branch=z9hG4bKb;rport=5071\n";
        var m = ParseOk(Build(head.Replace("?h=a,b", "?h=ab", StringComparison.Ordinal)));
        var contacts = m.Headers.SplitValues("Contact");
        Assert.Equal(2, contacts.Count);
        Assert.Equal("Doe, John \\ Jr", m.Contact!.DisplayName);
        Assert.Equal("0.7", m.Contact.GetParameter("q"));
        Assert.Equal(3, m.Vias.Count);
        Assert.Equal(5071, m.Vias[2].RPort);
        Assert.Equal(5070, m.Vias[2].Port);
        Assert.Single(m.Headers.GetAll("Contact"));
    }

    [Fact]
    public void WhitespaceBeforeColon_IsAccepted()
    {
        var m = ParseOk(Build(SimpleInviteHead.Replace("CSeq: 1 INVITE", "CSeq \t: 1 INVITE", StringComparison.Ordinal)));
        Assert.Equal(new SipCSeq(1, "INVITE"), m.CSeq);
    }

    [Fact]
    public void MissingMaxForwards_IsTolerated()
    {
        var m = ParseOk(Build(SimpleInviteHead.Replace("Max-Forwards: 70\n", "", StringComparison.Ordinal)));
        Assert.Null(m.MaxForwards);
    }

    [Fact]
    public void DuplicateSingleValuedHeaders_WithSameValue_AreAccepted()
    {
        var m = ParseOk(Build(SimpleInviteHead + "Call-ID: 3848276298220188511@example.com\nContent-Length: 0\n"));
        Assert.Equal(2, m.Headers.GetAll("Call-ID").Count());
    }

    [Fact]
    public void EverySplitIntoTwoSegments_GivesTheSameResult()
    {
        var bytes = DivertedInvite();
        var reference = ParseOk(bytes);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var seq = Split(bytes, split);
            Assert.Equal(SipParseResult.Complete, SipParser.TryParse(seq, Limits, out var m, out _, out var consumed, out var examined));
            Assert.Equal(bytes.Length, seq.Slice(0, consumed).Length);
            Assert.Equal(consumed, examined);
            AssertEquivalent(reference, m!);
        }
    }

    [Fact]
    public void EverySplit_OfAnInvalidMessage_GivesTheSameRejection()
    {
        var bytes = Build(SimpleInviteHead.Replace("CSeq: 1 INVITE", "CSeq: 1 BYE", StringComparison.Ordinal), "hello");
        Assert.Equal(SipParseResult.Invalid, ParseStream(bytes, out _, out var expected, out var expectedConsumed));
        for (var split = 0; split <= bytes.Length; split++)
        {
            var seq = Split(bytes, split);
            Assert.Equal(SipParseResult.Invalid, SipParser.TryParse(seq, Limits, out _, out var r, out var consumed, out _));
            Assert.Equal(expected!.ReasonPhrase, r!.ReasonPhrase);
            Assert.Equal(expected.CanContinue, r.CanContinue);
            Assert.Equal(expectedConsumed, seq.Slice(0, consumed).Length);
        }
    }

    [Fact]
    public void EveryPrefix_IsIncompleteAndConsumesNothing()
    {
        foreach (var bytes in All())
        {
            for (var len = 0; len < bytes.Length; len++)
            {
                var seq = new ReadOnlySequence<byte>(bytes, 0, len);
                var result = SipParser.TryParse(seq, Limits, out var m, out var r, out var consumed, out var examined);
                Assert.True(result == SipParseResult.Incomplete, $"prefix {len}: {result} {r?.ReasonPhrase}");
                Assert.Null(m);
                Assert.Equal(seq.Start, consumed);
                Assert.Equal(seq.End, examined);
            }
        }
    }

    [Fact]
    public void PipelinedMessages_WithKeepAlives_ParseInOrder()
    {
        byte[] stream = [.. "\r\n\r\n"u8, .. SimpleInvite(), .. DivertedInvite(), .. "\r\n"u8, .. OkResponse(), .. "\r\n\r\n"u8];
        var seq = new ReadOnlySequence<byte>(stream);
        var methods = new List<string>();
        while (true)
        {
            var result = SipParser.TryParse(seq, Limits, out var m, out _, out var consumed, out _);
            seq = seq.Slice(consumed);
            if (result == SipParseResult.Incomplete) break;
            Assert.Equal(SipParseResult.Complete, result);
            methods.Add(m!.IsRequest ? m.Method : m.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal(["INVITE", "INVITE", "200"], methods);
        Assert.Equal(0, seq.Length);
    }

    [Fact]
    public void LargeMessages_InManySmallSegments()
    {
        var big = Build(SimpleInviteHead + "Content-Type: text/plain\n", new string('b', 20000));
        byte[] stream = [.. SimpleInvite(), .. big, .. SimpleInvite()];
        var seq = Chunks(stream, 100);
        var sizes = new List<int>();
        while (SipParser.TryParse(seq, Limits, out var m, out _, out var consumed, out _) == SipParseResult.Complete)
        {
            sizes.Add(m!.Body.Length);
            seq = seq.Slice(consumed);
        }
        Assert.Equal([0, 20000, 0], sizes);
        Assert.Equal(0, seq.Length);

        // Still incomplete one byte short, however the bytes are cut.
        var partial = Chunks(big[..^1], 1000);
        Assert.Equal(SipParseResult.Incomplete, SipParser.TryParse(partial, Limits, out _, out _, out var c, out _));
        Assert.Equal(partial.Start, c);
    }

    [Fact]
    public void KeepAliveOnly_IsConsumedSilently()
    {
        var seq = new ReadOnlySequence<byte>("\r\n\r\n"u8.ToArray());
        Assert.Equal(SipParseResult.Incomplete, SipParser.TryParse(seq, Limits, out _, out _, out var consumed, out _));
        Assert.Equal(seq.End, consumed);
    }

    [Fact]
    public void Datagram_WithoutContentLength_TakesTheRest()
    {
        var bytes = Build(SimpleInviteHead, Sdp, contentLength: false);
        Assert.Equal(SipParseResult.Complete, SipParser.TryParseDatagram(bytes, Limits, out var m, out _));
        Assert.Equal(Sdp, Encoding.UTF8.GetString(m!.Body.Span));
    }

    [Fact]
    public void Datagram_DiscardsBytesBeyondContentLength()
    {
        byte[] bytes = [.. Build(SimpleInviteHead, "abc"), .. "garbage"u8];
        Assert.Equal(SipParseResult.Complete, SipParser.TryParseDatagram(bytes, Limits, out var m, out _));
        Assert.Equal("abc"u8.ToArray(), m!.Body.ToArray());
    }

    [Fact]
    public void Datagram_ShorterThanContentLength_Is400()
    {
        var bytes = Build(SimpleInviteHead, "abc");
        Assert.Equal(SipParseResult.Invalid, SipParser.TryParseDatagram(bytes.AsSpan(0, bytes.Length - 1), Limits, out _, out var r));
        Assert.Equal("Bad Header: Content-Length", r!.ReasonPhrase);
    }

    [Fact]
    public void Datagram_TruncatedHeader_IsInvalidNotIncomplete()
    {
        var bytes = SimpleInvite();
        Assert.Equal(SipParseResult.Invalid, SipParser.TryParseDatagram(bytes.AsSpan(0, 40), Limits, out _, out var r));
        Assert.Equal(SipRejectReason.Truncated, r!.Reason);
        Assert.Equal(SipParseResult.Invalid, SipParser.TryParseDatagram("\r\n\r\n"u8, Limits, out _, out r));
        Assert.Equal(SipRejectReason.Empty, r!.Reason);
    }

    [Fact]
    public void Utf8DisplayNameAndReason_Decode()
    {
        var head = OkResponseHead.Replace("200 OK", "200 D’accord", StringComparison.Ordinal)
            .Replace("From: Alice", "From: \"Zoë Ünal\"", StringComparison.Ordinal);
        var m = ParseOk(Build(head));
        Assert.Equal("D’accord", m.ReasonPhrase);
        Assert.Equal("Zoë Ünal", m.From!.DisplayName);
    }
}
