using System.Buffers;
using OpenUM.Sip;
using OpenUM.Sip.Message;

namespace OpenUM.Sip.Tests.Rfc4475;

// What the parser makes of the valid RFC 4475 messages: the values the RFC says a parser must find.
public sealed class Rfc4475ParserTests
{
    private static readonly SipParserLimits Limits = new();

    private static SipMessage Datagram(string name)
    {
        var result = SipParser.TryParseDatagram(Rfc4475Messages.Bytes(name), Limits, out var message, out var rejection);
        Assert.True(result == SipParseResult.Complete, $"{name}: {rejection?.ReasonPhrase}");
        return message!;
    }

    private static SipMessage Stream(string name)
    {
        var bytes = Rfc4475Messages.Bytes(name);
        var result = SipParser.TryParse(new ReadOnlySequence<byte>(bytes), Limits, out var message, out var rejection, out _, out _);
        Assert.True(result == SipParseResult.Complete, $"{name}: {rejection?.ReasonPhrase}");
        return message!;
    }

    [Fact]
    public void Archive_holds_all_49_messages_of_section_3()
    {
        Assert.Equal(49, Rfc4475Messages.All.Count);
        Assert.Equal(49, Rfc4475Messages.All.Select(c => c.Section).Distinct().Count());
        foreach (var c in Rfc4475Messages.All) Assert.NotEmpty(Rfc4475Messages.Bytes(c.Name));
    }

    [Fact]
    public void Wsinv_folding_lws_and_compact_forms()
    {
        var m = Stream("wsinv");
        Assert.Equal(("INVITE", "vivekg", "chair-dnrc.example.com"), (m.Method, m.RequestUri!.User, m.RequestUri.Host));
        Assert.True(m.RequestUri.HasParameter("unknownparam"));
        Assert.Equal(("vivekg", "1918181833n"), (m.To!.Uri.User, m.To.Tag));
        Assert.Equal(("J Rosenberg \\\"", "98asjd8"), (m.From!.DisplayName, m.From.Tag));
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal(new SipCSeq(9, "INVITE"), m.CSeq);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", m.CallId);
        Assert.Equal(
            [("UDP", "192.0.2.2", "390skdjuw"), ("TCP", "spindle.example.com", "z9hG4bK9ikj8"), ("UDP", "192.168.255.111", "z9hG4bK30239")],
            m.Vias.Select(v => (v.Transport, v.Host, v.Branch)).ToArray());
        Assert.Equal("", m.Headers.Get("Subject"));
        Assert.Equal("newfangled value continued newfangled value", m.Headers.Get("NewFangledHeader"));
        Assert.Equal(";;,,;;,;", m.Headers.Get("UnknownHeaderWithUnusualValue"));
        Assert.Equal("Quoted string \"\"", m.Contact!.DisplayName);
        Assert.Equal([("newparam", "newvalue"), ("secondparam", null), ("q", "0.33")],
            m.Contact.Parameters.Select(p => (p.Key, p.Value)).ToArray());
        Assert.Equal("application/sdp", m.ContentType);
        Assert.Equal(150, m.Body.Length);
    }

    [Fact]
    public void Intmeth_token_characters_and_escaped_controls_in_a_quoted_string()
    {
        var m = Stream("intmeth");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", m.Method);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.RequestUri!.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", m.RequestUri.Password);
        Assert.Equal("z9hG4bK-.!%66*_+`'~", m.Vias[0].Branch);
        // quoted-pair: \ followed by BEL, NUL and DEL, each kept as the character it escapes.
        Assert.Equal("BEL:\u0007 NUL:\0 DEL:\u007F", m.To!.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", m.From!.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", m.From.Tag);
        Assert.Equal("\"работающий\"", m.From.GetParameter("fromParam''~+*_!.-%"));
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.CallId);
        Assert.Equal("\uFEFF大停電", m.Headers.Get("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void Esc01_escapes_mean_the_characters_they_encode()
    {
        var m = Datagram("esc01");
        Assert.Equal("sips:user@example.com", m.RequestUri!.User);
        Assert.Equal("user", m.To!.Uri.User);
        Assert.Equal("I have spaces", m.From!.Uri.User);
        Assert.Equal("caller", m.Contact!.Uri.User);
        Assert.Equal(("%6C%72", "n%61me"), (m.Contact.Uri.Parameters[0].Key, m.Contact.Uri.Parameters[1].Key));
    }

    [Fact]
    public void Escnull_keeps_the_nulls_inside_the_user()
    {
        var m = Datagram("escnull");
        Assert.Equal("null-\0-null", m.To!.Uri.User);
        var contacts = m.Headers.SplitValues("Contact").Select(c => SipNameAddress.TryParse(c, out var a) ? a!.Uri.User! : "?").ToArray();
        Assert.Equal(["\0", "\0\0"], contacts);
        Assert.Equal("sip:null-%00-null@example.com", m.To.Uri.ToString());
    }

    [Fact]
    public void Esc02_percent_is_no_escape_in_methods_names_and_display_names()
    {
        var m = Datagram("esc02");
        Assert.Equal("RE%47IST%45R", m.Method);
        Assert.Equal("%Z%45", m.To!.DisplayName);
        Assert.Equal(2, m.Headers.GetAll("Contact").Count());
        Assert.Equal("<sip:alias2@host2.example.com>", m.Headers.Get("C%6Fntact"));
    }

    [Fact]
    public void Lwsdisp_display_name_right_before_the_angle_bracket() =>
        Assert.Equal(("caller", "323"), (Datagram("lwsdisp").From!.DisplayName, Datagram("lwsdisp").From!.Tag));

    [Fact]
    public void Longreq_long_values_and_34_vias()
    {
        var m = Stream("longreq");
        Assert.Equal(34, m.Vias.Count);
        Assert.Equal("sip33.example.com", m.Vias[0].Host);
        Assert.Null(m.Vias[0].Branch);
        Assert.StartsWith("I have a user name of extremeextreme", m.To!.DisplayName, StringComparison.Ordinal);
        Assert.Equal(6000, m.To.Uri.Port);
        Assert.Equal(150, m.Body.Length);
    }

    [Fact]
    public void Dblreq_datagram_is_the_register_and_nothing_after_it()
    {
        var m = Datagram("dblreq");
        Assert.Equal(("REGISTER", 0), (m.Method, m.Body.Length));
    }

    [Fact]
    public void Semiuri_user_part_holds_the_parameter() =>
        Assert.Equal("user;par=u@example.net", Datagram("semiuri").RequestUri!.User);

    [Fact]
    public void Transports_every_via_transport_is_kept() =>
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], Datagram("transports").Vias.Select(v => v.Transport).ToArray());

    [Fact]
    public void Mpart01_binary_body_with_nulls_is_framed_by_content_length()
    {
        var m = Stream("mpart01");
        Assert.Equal(553, m.Body.Length);
        Assert.Contains((byte)0, m.Body.ToArray());
        Assert.True(SipBody.TryGetParts(m, out var parts));
        Assert.Equal(["text/plain", "application/octet-stream"], parts.Select(p => p.ContentType).ToArray());
    }

    [Fact]
    public void Unreason_and_noreason_reason_phrases()
    {
        var unusual = Stream("unreason");
        Assert.Equal((200, "= 2**3 * 5**2 но сто девяносто девять - простое"), (unusual.StatusCode, unusual.ReasonPhrase));
        var empty = Stream("noreason");
        Assert.Equal((100, ""), (empty.StatusCode, empty.ReasonPhrase));
    }

    [Fact]
    public void Unksm2_other_schemes_in_to_from_and_contact_are_carried()
    {
        var m = Datagram("unksm2");
        Assert.True(m.To!.Uri.IsOpaque);
        Assert.Equal(("isbn", "isbn:2983792873"), (m.To.Uri.Scheme, m.To.Uri.ToString()));
        Assert.Equal(("http", "3234233"), (m.From!.Uri.Scheme, m.From.Tag));
        // A Contact is a target to send requests to: the view only ever holds one we can reach.
        Assert.Null(m.Contact);
        Assert.Equal("<name:John_Smith>", m.Headers.Get("Contact"));
    }

    [Fact]
    public void Contact_parameter_and_url_parameter_are_told_apart()
    {
        var header = Datagram("cparam01").Contact!;
        Assert.Equal(("+19725552222", 0, "unknownparam"), (header.Uri.User, header.Uri.Parameters.Count, header.Parameters[0].Key));
        var url = Datagram("cparam02").Contact!;
        Assert.Equal(("unknownparam", 0), (url.Uri.Parameters[0].Key, url.Parameters.Count));
        var escaped = Datagram("regescrt").Contact!;
        Assert.Equal(("Route", "%3Csip:sip.example.com%3E"), (escaped.Uri.Headers[0].Key, escaped.Uri.Headers[0].Value));
    }

    [Fact]
    public void Inv2543_datagram_without_content_length_branch_or_from_tag()
    {
        var m = Datagram("inv2543");
        Assert.Null(m.Vias[0].Branch);
        Assert.Null(m.From!.Tag);
        Assert.Null(m.MaxForwards);
        Assert.EndsWith("m=audio 49217 RTP/AVP 0\r\n", System.Text.Encoding.ASCII.GetString(m.Body.Span), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("zeromf")]
    [InlineData("bext01")]
    [InlineData("invut")]
    [InlineData("regaut01")]
    [InlineData("sdp01")]
    [InlineData("bcast")]
    [InlineData("novelsc", false)]
    [InlineData("unkscm", false)]
    public void Semantic_cases_are_well_formed(string name, bool complete = true)
    {
        var result = SipParser.TryParseDatagram(Rfc4475Messages.Bytes(name), Limits, out _, out var rejection);
        // An unknown Request-URI scheme is the parser's 416 for a message that is otherwise well formed.
        Assert.Equal(complete ? SipParseResult.Complete : SipParseResult.Invalid, result);
        if (!complete) Assert.Equal((416, SipRejectReason.UnsupportedUriScheme), (rejection!.StatusCode, rejection.Reason));
    }
}
