using System.Text;
using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using MimeKit;
using OpenUM.Delivery;
using OpenUM.Delivery.Mailboxes;
using OpenUM.Delivery.Mailboxes.Imap;
using OpenUM.Directory;
using OpenUM.Interop.Tests.Harness;
using OpenUM.Media;
using OpenUM.Media.Audio;

namespace OpenUM.Interop.Tests.Imap;

/// <summary>
/// <see cref="ImapMessageStore"/> driven directly against a real Dovecot: voice messages found among other mail, listed
/// without setting \Seen, their audio read, marked heard, moved to the \Trash folder or expunged alone (UID EXPUNGE),
/// over STARTTLS and implicit TLS with the master-user separator and the SASL authorization-identity logins; a wrong
/// password, an unknown mailbox and a stopped server are "unavailable" with their events, never an empty mailbox, and
/// the master password is in no exception and no event.
/// </summary>
public sealed class ImapStoreTests(DovecotFixture fx, ITestOutputHelper output) : IClassFixture<DovecotFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EventCollector _events = new();

    private ImapSettings Settings(bool implicitTls = false, ImapLogin login = ImapLogin.MasterUserSeparator,
        ImapDeleteAction delete = ImapDeleteAction.MoveToTrash, string? passwordFile = null) =>
        ImapSettings.From(new UmServer
        {
            Name = "um1",
            ImapHost = fx.Dovecot.Endpoint(implicitTls),
            ImapTls = implicitTls ? ImapTls.Implicit : ImapTls.StartTls,
            ImapUser = DovecotImap.MasterUser,
            ImapPasswordFile = passwordFile ?? fx.Dovecot.PasswordFile,
            ImapLogin = login,
            ImapDeleteAction = delete,
        })!;

    private ImapMessageStore Store(ImapSettings settings) => new(() => settings, () => fx.Tls, TimeProvider.System, _events);

    private int Logged(int id) => _events.Records.Count(r => r.Id == id);

    /// <summary>Delivers a voice message as the composer writes it (LMTP, as Postfix would); returns its WAV bytes.</summary>
    private async Task<byte[]> DepositVoiceAsync(string user, string callerId, DateTimeOffset at, int hz)
    {
        string wav = Path.Combine(fx.Dovecot.Work, $"tone-{Guid.NewGuid():N}.wav");
        using (var writer = new WavWriter(wav))
        {
            writer.Write(AudioClip.Tone(hz, TimeSpan.FromMilliseconds(400)).Samples.Span);
            writer.Complete();
        }
        var message = new VoiceMessage(user, "User", callerId, null, "1000", at, TimeSpan.FromSeconds(7), wav, "call-" + Guid.NewGuid().ToString("N"));
        using var mime = VoiceMessageComposer.Compose(message, "voicemail@um.example.test");
        using var bytes = new MemoryStream();
        await mime.WriteToAsync(FormatOptions.Default, bytes);
        Assert.Contains("Saved", await fx.Dovecot.DeliverAsync(user, bytes.ToArray()));
        return await File.ReadAllBytesAsync(wav);
    }

    private Task DepositOrdinaryAsync(string user) => fx.Dovecot.DeliverAsync(user, Encoding.ASCII.GetBytes(
        $"From: <friend@example.test>\r\nTo: <{user}>\r\nSubject: lunch\r\nMessage-ID: <{Guid.NewGuid():N}@example.test>\r\n\r\nnot a voice message\r\n"));

    [Fact]
    public async Task TheConfiguredFolderIsReadAndTheConfiguredTrashFolderTakesDeletes()
    {
        // --imap-folder and --imap-trash-folder: voice mail filed in a folder of its own, deletes to a folder that is
        // not the \Trash special-use one.
        const string user = "user1007@example.test";
        await DepositVoiceAsync(user, "5550007", DateTimeOffset.Parse("2026-01-03T10:00:00Z"), 550);
        await fx.Dovecot.DoveadmOkAsync("mailbox", "create", "-u", user, "Voice", "Old");
        await fx.Dovecot.DoveadmOkAsync("move", "-u", user, "Voice", "mailbox", "INBOX", "ALL");

        await using (var box = await Store(Settings() with { Folder = "Voice", TrashFolder = "Old" }).OpenAsync(user, None))
        {
            var message = Assert.Single(await box.ListAsync(None));
            Assert.Equal("5550007", message.CallerId);
            Assert.True(await box.DeleteAsync(message, None));
        }
        Assert.Single(await fx.Dovecot.FetchAsync(user, "Old"));
        Assert.Empty(await fx.Dovecot.FetchAsync(user, "Voice"));
        Assert.Empty(await fx.Dovecot.FetchAsync(user, "Trash"));
    }

    [Fact]
    public async Task StartTlsMasterLoginListsReadsMarksAndMovesToTrash()
    {
        const string user = "user1000@example.test";
        byte[] olderWav = await DepositVoiceAsync(user, "5551234", DateTimeOffset.Parse("2026-01-01T10:00:00Z"), 440);
        await DepositOrdinaryAsync(user);
        await DepositVoiceAsync(user, "5559876", DateTimeOffset.Parse("2026-01-02T10:00:00Z"), 660);

        var store = Store(Settings());
        await using (var box = await store.OpenAsync(user, None))
        {
            var list = await box.ListAsync(None);
            Assert.Equal(["5559876", "5551234"], list.Select(m => m.CallerId));
            Assert.All(list, m => Assert.True(m.IsNew && m.Duration == TimeSpan.FromSeconds(7)));
            Assert.All(list, m => Assert.Matches(@"^\d+-\d+$", m.Id));
            // Listing peeked: nothing is \Seen on the server.
            Assert.Equal(3, (await fx.Dovecot.SearchAsync(user, "mailbox", "INBOX", "UNSEEN")).Length);

            var older = list[1];
            Assert.Equal(olderWav, await box.ReadAudioAsync(older, None));
            var heard = await box.MarkHeardAsync(older, None);
            Assert.False(heard.IsNew);
            Assert.Equal(new MessageCounts(1, 1), await store.CountAsync(user, None)); // another session sees it
            Assert.Equal(2, (await fx.Dovecot.SearchAsync(user, "mailbox", "INBOX", "UNSEEN")).Length);

            Assert.True(await box.DeleteAsync(heard, None));
            Assert.False(await box.DeleteAsync(heard, None)); // already gone: not an error
            Assert.Null(await box.FindAsync(heard.Id, None));
            Assert.Equal("5559876", Assert.Single(await box.ListAsync(None)).CallerId);
        }
        // In the \Trash folder (recoverable), not in INBOX; the ordinary mail is untouched.
        Assert.Single(await fx.Dovecot.FetchAsync(user, "Trash"));
        Assert.Equal(2, (await fx.Dovecot.FetchAsync(user, "INBOX")).Count);
        Assert.Equal(0, Logged(2036) + Logged(2038));
        Assert.Contains($"Login: user=<{user}>", fx.Dovecot.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImplicitTlsAuthorizationIdLoginExpungesOnlyThatMessage()
    {
        const string user = "user1001@example.test";
        await DepositVoiceAsync(user, "5550001", DateTimeOffset.Parse("2026-02-01T10:00:00Z"), 500);
        // Another client's message marked \Deleted but not expunged: a plain EXPUNGE would remove it too.
        await DepositOrdinaryAsync(user);
        int other = Assert.Single(await fx.Dovecot.SearchAsync(user, "mailbox", "INBOX", "NOT", "HEADER", "X-VoiceMessageDuration", ""));
        await fx.Dovecot.FlagsAsync(user, "add", "\\Deleted", "mailbox", "INBOX", "uid", other.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var store = Store(Settings(implicitTls: true, login: ImapLogin.SaslAuthorizationId, delete: ImapDeleteAction.Expunge));
        await using (var box = await store.OpenAsync(user, None))
        {
            var message = Assert.Single(await box.ListAsync(None));
            Assert.Equal("5550001", message.CallerId);
            Assert.True(await box.DeleteAsync(message, None));
        }
        var left = await fx.Dovecot.FetchAsync(user);
        Assert.Equal(other, Assert.Single(left).Uid); // gone everywhere (not in Trash); the other \Deleted one is still there
        Assert.Equal(new MessageCounts(0, 0), await store.CountAsync(user, None));
    }

    [Fact]
    public async Task FailuresAreUnavailableWithTheirEventsAndNeverThePassword()
    {
        const string user = "user1002@example.test";
        await DepositVoiceAsync(user, "5550002", DateTimeOffset.Parse("2026-03-01T10:00:00Z"), 300);
        string wrong = Path.Combine(fx.Dovecot.Work, "wrong.pw");
        string wrongPassword = fx.Dovecot.MasterPassword + "-not";
        await File.WriteAllTextAsync(wrong, wrongPassword + "\n");

        ImapSettings current = Settings();
        var store = new ImapMessageStore(() => current, () => fx.Tls, TimeProvider.System, _events);
        await using (var box = await store.OpenAsync(user, None))
        {
            Assert.Single(await box.ListAsync(None));
            // The server drops the session (as after its idle time-out): the next operation opens a new one, once.
            await fx.Dovecot.DoveadmOkAsync("kick", user);
            Assert.Equal("5550002", Assert.Single(await box.ListAsync(None)).CallerId);
        }
        Assert.Equal(0, Logged(2036));

        // A wrong master password (the settings are read at each opening): the whole store refuses the service login.
        // (Dovecot slows every later login from the address after a failure, until it restarts: failures come last.)
        current = Settings(passwordFile: wrong);
        var e = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.OpenAsync(user, None));
        Assert.Contains("refused the login of openum", e.Message, StringComparison.Ordinal);
        AssertNoSecret(e, wrongPassword);
        Assert.Equal(1, Logged(2036));
        Assert.False(store.IsAvailable);

        // Then the server stops: still unavailable, never empty; the same outage logs nothing more.
        current = Settings();
        await fx.Dovecot.StopAsync();
        try
        {
            var down = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.OpenAsync(user, None));
            output.WriteLine("stopped: " + down.Message);
            Assert.Contains("cannot connect to " + current.Endpoint, down.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.CountAsync(user, None));
            Assert.Equal(1, Logged(2036));
        }
        finally
        {
            await fx.Dovecot.StartAsync();
        }
        // Back without a restart of anything of ours: 2037.
        Assert.Equal(new MessageCounts(1, 0), await store.CountAsync(user, None));
        Assert.Equal(1, Logged(2037));
        Assert.True(store.IsAvailable);

        // A mailbox the server does not know: 2038 for that address, not an empty list, the store still available.
        var unknown = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await store.OpenAsync("nobody@example.test", None));
        Assert.Contains("nobody@example.test ([AUTHORIZATIONFAILED])", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(1, Logged(2038));
        Assert.Equal(1, Logged(2036));
        Assert.True(store.IsAvailable);
        // A restart forgets the failed logins, so the other tests of this class are not slowed by them.
        await fx.Dovecot.RestartAsync();

        foreach (var record in _events.Records)
        {
            output.WriteLine($"{record.Id} {record.Message}");
            Assert.DoesNotContain(fx.Dovecot.MasterPassword, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongPassword, record.Message, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(fx.Dovecot.MasterPassword, current.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheClientCertificateIsPresentedOnlyWhenAsked()
    {
        const string user = "user1003@example.test";
        // A second Dovecot that wants a client certificate from the test CA before any login.
        await using var strict = await DovecotImap.StartAsync(fx.Pki, null, requireClientCertificate: true);
        ImapSettings With(bool certificate) => ImapSettings.From(new UmServer
        {
            Name = "um1", ImapHost = strict.Endpoint(implicitTls: true), ImapTls = ImapTls.Implicit, ImapClientCertificate = certificate,
            ImapUser = DovecotImap.MasterUser, ImapPasswordFile = strict.PasswordFile,
        })!;

        // With it (the UM certificate, issued by the test CA): in. Without it: the service login is refused.
        await using (var box = await Store(With(certificate: true)).OpenAsync(user, None))
            Assert.Empty(await box.ListAsync(None));
        var e = await Assert.ThrowsAsync<MessageStoreUnavailableException>(async () => await Store(With(certificate: false)).OpenAsync(user, None));
        Assert.Contains("--imap-client-certificate true", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Logged(2036));
    }

    private static void AssertNoSecret(Exception e, string secret)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            Assert.DoesNotContain(secret, x.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, x.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>The store's events as formatted (what a log file would hold).</summary>
    private sealed class EventCollector : ILogger
    {
        private readonly ConcurrentQueue<(int Id, string Message)> _records = new();

        public IReadOnlyList<(int Id, string Message)> Records => [.. _records];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _records.Enqueue((eventId.Id, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
