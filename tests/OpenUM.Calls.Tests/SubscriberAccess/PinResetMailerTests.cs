using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using OpenUM.Calls.SubscriberAccess;
using OpenUM.Delivery;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Smtp;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests.SubscriberAccess;

/// <summary>
/// LogonFailuresBeforePINReset end to end below the call: wrong PINs against a real store, the notice written by the
/// delivery path voice messages take (maildir by default, the SMTP outbox with a smart host), and the mailed PIN.
/// </summary>
public sealed partial class PinResetMailerTests : IDisposable
{
    private const string Email = "alice@example.test";
    private const string OldPin = "48291735";
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-pinreset-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _events = new();
    private readonly SqliteConfigurationStore _store;
    private readonly SmtpOutbox _outbox;
    private readonly MaildirSink _maildir;
    private SmartHostSettings? _smartHost;
    private int _woken;

    public PinResetMailerTests()
    {
        _store = new SqliteConfigurationStore(Path.Combine(_root, "config.db"));
        _store.AddDialPlan(new DialPlan { Name = "Main", NumberOfDigitsInExtension = 4, AccessTelephoneNumbers = ["+15550109000"] });
        _store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Main", MaxLogonAttempts = 6, LogonFailuresBeforePinReset = 3 });
        _store.AddMailbox(new Mailbox { Extension = "1000", DialPlan = "Main", EmailAddress = Email, DisplayName = "Alice Martin", MailboxPolicy = "Strict" });
        _store.SavePin("Main", "1000", new MailboxPinState { Hash = PinHasher.Hash(OldPin, PinHasher.MinIterations), SetAt = _time.GetUtcNow() });
        _outbox = new SmtpOutbox(Path.Combine(_root, "outbox"), _time);
        _maildir = new MaildirSink(Path.Combine(_root, "maildir"), time: _time);
    }

    public void Dispose()
    {
        _store.Dispose();
        System.IO.Directory.Delete(_root, recursive: true);
    }

    private PinAuthenticator Auth() =>
        new(_store, _time, new PinResetMailer(_store.Load, new VoiceMessageRouter(() => _smartHost, _outbox, _maildir, "voicemail@um.example.test", () => _woken++),
            _time, _events));

    private async Task FailAsync(PinAuthenticator auth, int times)
    {
        for (var i = 0; i < times; i++) Assert.Equal(LogonResult.WrongPin, (await auth.LogonAsync("Main", "1000", "00000000".AsMemory())).Result);
    }

    [GeneratedRegex(@"^Your new PIN: (\d+)$", RegexOptions.Multiline)]
    private static partial Regex MailedPin();

    private static string PinIn(MimeMessage mail) => Assert.Single(MailedPin().Matches(mail.TextBody ?? "")).Groups[1].Value;

    [Fact]
    public async Task TheNewPinIsMailedToTheLocalMaildirAndLogsOnOnlyToBeChanged()
    {
        var auth = Auth();
        await FailAsync(auth, 2);
        Assert.False(System.IO.Directory.Exists(Path.Combine(_maildir.Root, Email)));
        await FailAsync(auth, 1);

        var file = Assert.Single(System.IO.Directory.GetFiles(Path.Combine(_maildir.Root, Email, "new")));
        using var mail = await MimeMessage.LoadAsync(file);
        Assert.Equal(PinResetMessage.Subject, mail.Subject);
        Assert.Equal(Email, Assert.IsType<MailboxAddress>(Assert.Single(mail.To)).Address);
        Assert.Equal("voicemail@um.example.test", Assert.IsType<MailboxAddress>(Assert.Single(mail.From)).Address);
        Assert.Contains("Extension: 1000", mail.TextBody);
        Assert.Contains("Access number: +15550109000", mail.TextBody);
        Assert.Contains("after 3 unsuccessful logons", mail.TextBody);
        var pin = PinIn(mail);
        // The PIN is only in the body: no header (mail servers log them) carries it.
        Assert.DoesNotContain(mail.Headers, h => h.Value.Contains(pin, StringComparison.Ordinal));

        // Event 2042 says where the notice went, never the PIN; nothing logged holds it.
        var reset = Assert.Single(_events.Records(2042));
        Assert.Equal(("1000", "Main", 3, Email), (reset.Field<string>("Extension"), reset.Field<string>("DialPlan"), reset.Field<int>("Failures"),
            reset.Field<string>("Recipient")));
        Assert.Equal(file, reset.Field<string>("Delivery"));
        Assert.All(_events.Collector.GetSnapshot(), r => Assert.DoesNotContain(pin, r.Message, StringComparison.Ordinal));

        // The voice mailbox does not take the notice for a voice message.
        Assert.Empty(await (await new MaildirMessageStore(_maildir.Root).OpenAsync(Email, CancellationToken.None)).ListAsync(CancellationToken.None));

        // The mailed PIN is right but must be changed; the old one is gone.
        Assert.Equal(LogonResult.WrongPin, (await auth.LogonAsync("Main", "1000", OldPin.AsMemory())).Result);
        Assert.Equal(LogonResult.PinExpired, (await auth.LogonAsync("Main", "1000", pin.AsMemory())).Result);
        Assert.Null(auth.SetPin("Main", "1000", "73920584"));
        Assert.Equal(LogonResult.Success, (await auth.LogonAsync("Main", "1000", "73920584".AsMemory())).Result);
        Assert.Single(System.IO.Directory.GetFiles(Path.Combine(_maildir.Root, Email, "new")));
    }

    [Fact]
    public async Task WithASmartHostTheNoticeGoesThroughTheOutbox()
    {
        _smartHost = SmartHostSettings.From(new UmServer { Name = "um1", SmartHost = "smtp.example.test:25" });
        var auth = Auth();
        await FailAsync(auth, 3);

        Assert.False(System.IO.Directory.Exists(Path.Combine(_maildir.Root, Email)));
        var item = Assert.Single(_outbox.Queued());
        Assert.Equal((Email, "voicemail@um.example.test", "1000", ""), (item.Recipient, item.Sender, item.Extension, item.CallId));
        Assert.Equal(1, _woken);
        using var mail = (await _outbox.LoadMessageAsync(item, CancellationToken.None))!;
        Assert.Equal(LogonResult.PinExpired, (await auth.LogonAsync("Main", "1000", PinIn(mail).AsMemory())).Result);
        Assert.Contains("outbox", Assert.Single(_events.Records(2042)).Field<string>("Delivery"));
    }

    [Fact]
    public async Task ANoticeThatCannotBeWrittenIsAnErrorNotACrash()
    {
        // The maildir root is a file: nothing can be written under it.
        File.WriteAllText(Path.Combine(_root, "blocked"), "");
        var auth = new PinAuthenticator(_store, _time, new PinResetMailer(_store.Load,
            new VoiceMessageRouter(() => null, _outbox, new MaildirSink(Path.Combine(_root, "blocked"), time: _time), "voicemail@um.example.test"),
            _time, _events));
        var outcome = await auth.LogonAsync("Main", "1000", "00000000".AsMemory());
        outcome = await auth.LogonAsync("Main", "1000", "00000000".AsMemory());
        outcome = await auth.LogonAsync("Main", "1000", "00000000".AsMemory());
        Assert.Equal((LogonResult.WrongPin, true), (outcome.Result, outcome.PinReset));
        Assert.Empty(_events.Records(2042));
        var failed = Assert.Single(_events.Records(2047));
        Assert.Equal(("1000", Email), (failed.Field<string>("Extension"), failed.Field<string>("Recipient")));
        Assert.Contains("reset-pin", failed.Message);
    }
}
