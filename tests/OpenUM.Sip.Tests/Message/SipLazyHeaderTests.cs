using System.Buffers;
using System.Net;
using System.Text;
using OpenUM.Sip.Message;
using OpenUM.Sip.Transactions;
using static OpenUM.Sip.Tests.Message.SipTestMessages;

namespace OpenUM.Sip.Tests.Message;

// Parsed values stay bytes of the message until read: these check that what is read (as a string, a typed view or
// in place) is what the header says, whether it is repeated, folded, compact, changed or absent.
public class SipLazyHeaderTests
{
    private const string ByeHead =
        "BYE sip:5000@192.0.2.1:5060;transport=tcp SIP/2.0\n" +
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.3;rport\n" +
        "Max-Forwards: 70\n" +
        "From: \"Alice Smith\" <sip:+14155550100@gw.example.com;user=phone>;tag=9fxced76sl\n" +
        "To: <sip:5000@um.example.com>;tag=um5c1e0a7b\n" +
        "Call-ID: 3848276298220188511@gw.example.com\n" +
        "CSeq: 102 BYE\n";

    [Fact]
    public void Repeated_header_lines_read_in_order_and_the_first_is_the_one_matched()
    {
        var m = ParseOk(DivertedInvite());

        Assert.Equal(
            ["SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport", "SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKnashds8;received=192.0.2.1"],
            m.Headers.GetAll("Via").ToArray());
        Assert.Equal("SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.1;rport", m.Headers.Get("v"));
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        Assert.True(m.TryReadTopVia(scratch, out var top));
        Assert.Equal("z9hG4bK2d4790.1", top.Branch.ToString());
        Assert.Equal("192.0.2.10", top.Host.ToString());
        Assert.Equal(5060, top.Port);
        Assert.True(top.HasRPort);
    }

    [Fact]
    public void Folded_values_read_unfolded_as_strings_views_and_in_place()
    {
        var m = ParseOk(Build(
            "INVITE sip:bob@example.com SIP/2.0\n" +
            "Via: SIP/2.0/TCP client.example.com:5060\n ;branch=z9hG4bK74bf9\n" +
            "Max-Forwards: 70\n" +
            "From: Alice\n\t<sip:alice@example.com>\n ;tag=9fxced76sl\n" +
            "To: Bob <sip:bob@example.com>\n" +
            "Call-ID: 3848276298220188511@example.com\n" +
            "CSeq:\n 1\n INVITE\n" +
            "Subject: one\n   two  \n"));

        Assert.Equal("one two", m.Headers.Get("Subject"));
        Assert.Equal("Alice <sip:alice@example.com> ;tag=9fxced76sl", m.Headers.Get("From"));
        Assert.Equal("9fxced76sl", m.From!.Tag);
        Assert.Equal(new SipCSeq(1, "INVITE"), m.CSeq);
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        Assert.True(m.TryReadAddress("From", scratch, out var from));
        Assert.Equal("9fxced76sl", from.Tag.ToString());
        Assert.True(m.TryReadTopVia(scratch, out var top));
        Assert.Equal("z9hG4bK74bf9", top.Branch.ToString());
    }

    [Fact]
    public void Compact_forms_read_under_their_long_names()
    {
        var m = ParseOk(Options());

        Assert.Equal("Via", m.Headers[0].Name);
        Assert.Equal("opt-1@[2001:db8::10]", m.CallId);
        Assert.Equal("abc", m.From!.Tag);
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        Assert.True(m.TryReadFirst("Call-ID", scratch, out var callId));
        Assert.Equal("opt-1@[2001:db8::10]", callId.ToString());
        Assert.True(m.TryReadTopVia(scratch, out var top));
        Assert.Equal("[2001:db8::10]", top.Host.ToString());
    }

    [Fact]
    public void Absent_headers_read_as_absent()
    {
        var m = ParseOk(Build(ByeHead.Replace("Max-Forwards: 70\n", "", StringComparison.Ordinal)));

        Assert.Null(m.MaxForwards);
        Assert.Null(m.Contact);
        Assert.Null(m.Headers.Get("Contact"));
        Assert.Null(m.ContentType);
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        Assert.False(m.TryReadFirst("Max-Forwards", scratch, out _));
        Assert.True(m.Body.IsEmpty);
    }

    [Fact]
    public void A_changed_header_is_read_with_its_new_value_everywhere()
    {
        var m = ParseOk(Build(ByeHead));
        Assert.Equal("um5c1e0a7b", m.To!.Tag);

        m.Headers.Set("To", "<sip:5000@um.example.com>;tag=other");
        m.Headers.Set("CSeq", "103 BYE");
        m.Headers.Remove("From");
        m.Headers.Add("Contact", "<sip:gw@192.0.2.10>");

        Assert.Equal("other", m.To!.Tag);
        Assert.Equal(103u, m.CSeq!.Value.Number);
        Assert.Null(m.From);
        Assert.Equal("192.0.2.10", m.Contact!.Uri.Host);
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        Assert.True(m.TryReadAddress("To", scratch, out var to));
        Assert.Equal("other", to.Tag.ToString());
        Assert.False(m.TryReadAddress("From", scratch, out _));
        // The unchanged lines still read from the message's bytes.
        Assert.Equal("3848276298220188511@gw.example.com", m.CallId);
        Assert.Equal(["Via", "Max-Forwards", "To", "Call-ID", "CSeq", "Content-Length", "Contact"], m.Headers.Select(h => h.Name).ToArray());
    }

    [Fact]
    public void Changing_the_headers_while_enumerating_them_fails()
    {
        var m = ParseOk(Build(ByeHead));
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var h in m.Headers) m.Headers.Add("X-Seen", h.Name);
        });
    }

    [Fact]
    public void Request_uri_is_built_once_when_read_and_can_be_replaced()
    {
        var m = ParseOk(Build(ByeHead));
        var uri = m.RequestUri;
        Assert.Equal("sip:5000@192.0.2.1:5060;transport=tcp", uri!.ToString());
        Assert.Same(uri, m.RequestUri);

        m.RequestUri = SipUri.Parse("sip:other@example.com");
        Assert.Equal("sip:other@example.com", m.RequestUri!.ToString());
    }

    [Theory]
    [InlineData("Call-ID: 3848276298220188511@gw.example.com", true)]
    [InlineData("i:   3848276298220188511@gw.example.com  ", true)]
    [InlineData("Call-ID: 3848276298220188511@gw.example.com\n ", true)]
    [InlineData("Call-ID: 3848276298220188511@gw.example.org", false)]
    [InlineData("Call-ID: 3848276298220188511\n @gw.example.com", false)]
    public void A_single_valued_header_repeated_is_taken_only_with_the_same_value(string repeat, bool accepted)
    {
        var result = ParseStream(Build(ByeHead + repeat + "\n"), out var m, out var rejection, out _);

        if (accepted)
        {
            Assert.Equal(SipParseResult.Complete, result);
            Assert.Equal("3848276298220188511@gw.example.com", m!.CallId);
        }
        else
        {
            Assert.Equal(SipParseResult.Invalid, result);
            Assert.Equal("Duplicate Header: Call-ID", rejection!.ReasonPhrase);
        }
    }

    [Fact]
    public void A_stamped_top_via_reads_received_and_rport_and_the_other_values_unchanged()
    {
        var m = ParseOk(Build(ByeHead.Replace(";rport\n", ";rport, SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKp1\n", StringComparison.Ordinal)
            + "Via: SIP/2.0/UDP 198.51.100.9;branch=z9hG4bKp2\n"));

        m.Headers.StampTopVia(IPAddress.Parse("203.0.113.5"), 40001);

        Assert.Equal(
            ["SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.3;rport=40001;received=203.0.113.5, SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKp1",
             "SIP/2.0/UDP 198.51.100.9;branch=z9hG4bKp2"],
            m.Headers.GetAll("Via").ToArray());
        Assert.Equal("203.0.113.5", m.Vias[0].Received);
        Assert.Equal(40001, m.Vias[0].RPort);
        Assert.Equal(3, m.Vias.Count);
        // The stamp does not move the transaction: same branch, sent-by and method.
        Assert.Equal("z9hG4bK2d4790.3\n192.0.2.10:5060\nBYE", SipTransactionKeys.ForServer(m, "BYE"));
    }

    [Fact]
    public void A_top_via_replaced_after_the_stamp_is_read_as_given()
    {
        var m = ParseOk(Build(ByeHead));
        m.Headers.StampTopVia(IPAddress.Parse("203.0.113.5"), null);
        m.Headers.Add("X-Other", "1");
        Assert.Equal("SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK2d4790.3;rport;received=203.0.113.5", m.Headers.Get("Via"));

        m.Headers.Set("Via", "SIP/2.0/TCP 192.0.2.99;branch=z9hG4bKnew");
        Assert.Equal("SIP/2.0/TCP 192.0.2.99;branch=z9hG4bKnew", m.Headers.Get("Via"));
    }

    [Fact]
    public void A_built_via_is_stamped_at_once()
    {
        var m = SipMessage.CreateRequest("OPTIONS", SipUri.Parse("sip:um.example.com"));
        m.Headers.Add("Via", "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1;rport");
        m.Headers.StampTopVia(IPAddress.Parse("192.0.2.10"), 5070);
        Assert.Equal("SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1;rport=5070;received=192.0.2.10", m.Headers.Get("Via"));
    }

    [Theory]
    [InlineData("z9hG4bK2d4790.3", "z9hG4bK2d4790.3\n192.0.2.10:5060\nBYE")]
    [InlineData("old1", "2543\n3848276298220188511@gw.example.com\n9fxced76sl\n102\n192.0.2.10:5060\nBYE")]
    public void Server_keys_written_in_place_are_the_transaction_keys(string branch, string expected)
    {
        var m = ParseOk(Build(ByeHead.Replace("z9hG4bK2d4790.3", branch, StringComparison.Ordinal)
            .Replace("192.0.2.10:5060", "GW.Example.COM:5060", StringComparison.Ordinal)));
        var lower = expected.Replace("192.0.2.10:5060", "gw.example.com:5060", StringComparison.Ordinal);

        Assert.Equal(lower, SipTransactionKeys.ForServer(m, "BYE"));
        Assert.Equal(lower.Replace("BYE", "INVITE", StringComparison.Ordinal), SipTransactionKeys.ForServer(m, "ACK"));
        Span<char> via = stackalloc char[SipMessage.ScratchLength];
        Assert.True(m.TryReadTopVia(via, out var top));
        Assert.Equal(lower, SipTransactionKeys.ForServer(m, top, "BYE", stackalloc char[8]).ToString()); // too small: a heap buffer
    }

    [Fact]
    public void A_lent_message_reads_as_the_owned_parse_of_the_same_bytes()
    {
        foreach (var bytes in All())
        {
            var owned = ParseOk(bytes);
            Assert.Equal(SipParseResult.Complete, SipParser.TryParsePooled(new ReadOnlySequence<byte>(bytes), Limits, out var lent, out _, out _, out _));
            Assert.True(lent!.IsPooled);
            Assert.False(owned.IsPooled);
            Assert.Equal(owned.ToString(), lent.ToString());
            var kept = lent.Own();
            Assert.Same(kept, lent.Own());
            Assert.False(kept.IsPooled);
            SipMessage.Return(lent);
            Assert.Equal(owned.ToString(), kept.ToString());
            Assert.Equal(owned.Body.ToArray(), kept.Body.ToArray());
        }
    }

    [Fact]
    public void The_copy_kept_from_a_lent_message_survives_the_next_messages_parsed_into_it()
    {
        var invite = DivertedInvite();
        Assert.Equal(SipParseResult.Complete, SipParser.TryParseDatagramPooled(invite, Limits, out var lent, out _));
        lent!.Headers.StampTopVia(IPAddress.Parse("203.0.113.5"), 40001);
        var kept = lent.Own();
        SipMessage.Return(lent);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(SipParseResult.Complete, SipParser.TryParseDatagramPooled(Build(ByeHead), Limits, out var next, out _));
            Assert.Equal("BYE", next!.Method);
            SipMessage.Return(next);
        }

        Assert.Equal("INVITE", kept.Method);
        Assert.Equal("3848276298220188511@gw.example.com", kept.CallId);
        Assert.Equal("sip:5000@um.example.com:5060;transport=tcp", kept.RequestUri!.ToString());
        Assert.Equal("203.0.113.5", kept.Vias[0].Received);
        Assert.Equal(Sdp, Encoding.UTF8.GetString(kept.Body.Span));
    }

    [Fact]
    public void A_rejected_message_is_never_lent()
    {
        var bytes = Build(ByeHead.Replace("CSeq: 102 BYE", "CSeq: x BYE", StringComparison.Ordinal));
        Assert.Equal(SipParseResult.Invalid, SipParser.TryParsePooled(new ReadOnlySequence<byte>(bytes), Limits, out _, out var rejection, out _, out _));
        var partial = rejection!.Partial!;
        Assert.False(partial.IsPooled);

        Assert.Equal(SipParseResult.Complete, SipParser.TryParsePooled(new ReadOnlySequence<byte>(Build(SimpleInviteHead)), Limits, out var next, out _, out _, out _));
        SipMessage.Return(next);
        Assert.Equal("BYE", partial.Method);
        Assert.Equal("x BYE", partial.Headers.Get("CSeq"));
    }

    [Fact]
    public void From_and_To_are_read_again_without_their_uri_checked_only_as_the_parser_checked_them()
    {
        var m = ParseOk(Build(ByeHead));
        Assert.True(m.Headers.AddressesChecked);
        m.Headers.StampTopVia(IPAddress.Parse("203.0.113.5"), 5060);
        Assert.True(m.Headers.AddressesChecked);
        Span<char> scratch = stackalloc char[SipMessage.ScratchLength];
        Assert.True(m.TryReadAddress("To", scratch, out var to));
        Assert.Equal("um5c1e0a7b", to.Tag.ToString());

        // A From set by hand is checked again: this URI is not one.
        m.Headers.Set("From", "<sip:a@b@c>;tag=1");
        Assert.False(m.Headers.AddressesChecked);
        Assert.False(m.TryReadAddress("From", scratch, out _));
        Assert.True(m.Own().TryReadAddress("To", scratch, out _));
    }
}
