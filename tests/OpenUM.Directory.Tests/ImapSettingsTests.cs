using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

// UmServer.Imap* (schema migration 10): defaults, round trip, upgrade, validation.
public class ImapSettingsTests
{
    private static UmServer WithImap() => Server() with
    {
        ImapHost = "imap.example.test:143",
        ImapUser = "openum",
        ImapPasswordFile = "/etc/openum/imap-password",
    };

    [Fact]
    public void DefaultsAreNoStoreStartTlsMasterSeparatorInboxAndTrash()
    {
        var s = Server();
        Assert.Null(s.ImapHost);
        Assert.Equal(ImapTls.StartTls, s.ImapTls);
        Assert.False(s.ImapClientCertificate);
        Assert.Equal(ImapLogin.MasterUserSeparator, s.ImapLogin);
        Assert.Equal("*", s.ImapMasterUserSeparator);
        Assert.Equal("INBOX", s.ImapFolder);
        Assert.Equal(ImapDeleteAction.MoveToTrash, s.ImapDeleteAction);
        Assert.Equal("", s.ImapTrashFolder);
    }

    [Fact]
    public void EveryFieldRoundTrips()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var wanted = WithImap() with
        {
            ImapHost = "[2001:db8::25]:993",
            ImapTls = ImapTls.Implicit,
            ImapClientCertificate = true,
            ImapLogin = ImapLogin.SaslAuthorizationId,
            ImapMasterUserSeparator = "%%",
            ImapFolder = "Voice Mail",
            ImapDeleteAction = ImapDeleteAction.Expunge,
            ImapTrashFolder = "Deleted Items",
        };
        temp.Store.UpdateUmServer(wanted);
        using var other = temp.OpenAnother();
        var s = other.GetUmServer("um1")!;
        Assert.Equal(
            (wanted.ImapHost, wanted.ImapTls, true, "openum", wanted.ImapPasswordFile, wanted.ImapLogin, "%%", "Voice Mail", ImapDeleteAction.Expunge, "Deleted Items"),
            (s.ImapHost, s.ImapTls, s.ImapClientCertificate, s.ImapUser, s.ImapPasswordFile, s.ImapLogin, s.ImapMasterUserSeparator, s.ImapFolder, s.ImapDeleteAction, s.ImapTrashFolder));

        // And back to none.
        other.UpdateUmServer(s with { ImapHost = null, ImapUser = null, ImapPasswordFile = null });
        Assert.Null(temp.OpenAnother().GetUmServer("um1")!.ImapHost);
    }

    [Fact]
    public void AStoreFromBeforeMigration10GetsTheDefaults()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(temp.FilePath))
            RevertMigration10(raw);

        using var upgraded = temp.OpenAnother();
        var server = Assert.Single(upgraded.Load().UmServers);
        Assert.Null(server.ImapHost);
        Assert.Equal(("*", "INBOX", "", ImapLogin.MasterUserSeparator), (server.ImapMasterUserSeparator, server.ImapFolder, server.ImapTrashFolder, server.ImapLogin));
        upgraded.UpdateUmServer(server with { ImapHost = "imap.example.test:993", ImapUser = "openum", ImapPasswordFile = "/p" });
        Assert.Equal("imap.example.test:993", upgraded.GetUmServer("um1")!.ImapHost);
    }

    /// <summary>Takes a store back to version 9 (for the upgrade tests of earlier migrations too).</summary>
    internal static void RevertMigration10(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        LanguageSettingsTests.RevertMigration11(raw);
        foreach (var column in new[] { "imap_host", "imap_tls", "imap_client_certificate", "imap_user", "imap_password_file", "imap_login",
                     "imap_master_user_separator", "imap_folder", "imap_delete_action", "imap_trash_folder" })
            StoreTests.Execute(raw, $"ALTER TABLE um_servers DROP COLUMN {column}");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 10");
    }

    public static TheoryData<string, string?, string?, string?, string> Incomplete => new()
    {
        { "imap-user", "imap.example.test:143", null, "/etc/pw", "give --imap-user" },
        { "imap-password-file", "imap.example.test:143", "openum", null, "give --imap-password-file" },
        { "imap-host", null, "openum", "/etc/pw", "give --imap-host" },
        { "imap-host", null, null, "/etc/pw", "give --imap-host" },
        { "imap-user", "imap.example.test:143", null, null, "give --imap-user" },
    };

    [Theory]
    [MemberData(nameof(Incomplete))]
    public void HostUserAndPasswordFileAreAllOrNone(string field, string? host, string? user, string? file, string text)
    {
        var ex = Refused(new UmServer { Name = "um1" } with { ImapHost = host, ImapUser = user, ImapPasswordFile = file });
        Assert.Equal(field, ex.Field);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("imap.example.test", "imap-host", "HOST:PORT")]
    [InlineData("imap.example.test:0", "imap-host", "HOST:PORT")]
    [InlineData("imap example:143", "imap-host", "HOST:PORT")]
    [InlineData("relative/pw", "imap-password-file", "not an absolute path")]
    public void MalformedHostOrRelativePasswordPathIsRefused(string value, string field, string text)
    {
        var server = field == "imap-host" ? WithImap() with { ImapHost = value } : WithImap() with { ImapPasswordFile = value };
        var ex = Refused(server);
        Assert.Equal(field, ex.Field);
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("open um")]
    [InlineData("open\u0001um")]
    public void AUserNameWithSpacesOrControlsIsRefused(string user)
        => Assert.Equal("imap-user", Refused(WithImap() with { ImapUser = user }).Field);

    [Theory]
    [InlineData("")]
    [InlineData("*****")]
    [InlineData("* ")]
    [InlineData("\t")]
    public void ASeparatorMustBeOneToFourPrintableCharacters(string separator)
    {
        var ex = Refused(WithImap() with { ImapMasterUserSeparator = separator });
        Assert.Equal("imap-master-user-separator", ex.Field);
        Assert.Contains("1 to 4 printable characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeparatorInsideTheUserNameIsRefusedOnlyForTheSeparatorLogin()
    {
        var server = WithImap() with { ImapUser = "open*um" };
        var ex = Refused(server);
        Assert.Equal("imap-master-user-separator", ex.Field);
        Assert.Contains("--imap-login SaslAuthorizationId", ex.Message, StringComparison.Ordinal);
        Validate(server with { ImapLogin = ImapLogin.SaslAuthorizationId });
        Validate(server with { ImapMasterUserSeparator = "%" });
    }

    [Theory]
    [InlineData("imap-folder", "")]
    [InlineData("imap-folder", "IN\nBOX")]
    [InlineData("imap-trash-folder", "Tr\u007Fash")]
    [InlineData("imap-trash-folder", "inbox")]
    public void FolderNamesMustBePrintableAndTheTrashNotTheVoiceFolder(string field, string name)
    {
        var server = field == "imap-folder" ? WithImap() with { ImapFolder = name } : WithImap() with { ImapTrashFolder = name };
        Assert.Equal(field, Refused(server).Field);
    }

    [Fact]
    public void LongFolderNamesAreRefusedAndOrdinaryOnesAccepted()
    {
        Assert.Equal("imap-folder", Refused(WithImap() with { ImapFolder = new string('v', ConfigurationValidator.MaxImapFolderLength + 1) }).Field);
        Validate(WithImap() with { ImapFolder = "Voice Mail/Ünread", ImapTrashFolder = "Papierkorb" });
        Validate(WithImap() with { ImapFolder = "Voice", ImapTrashFolder = "INBOX" });
    }

    [Fact]
    public void UndefinedEnumValuesNameTheirField()
    {
        Assert.Equal("imap-tls", Refused(WithImap() with { ImapTls = (ImapTls)7 }).Field);
        Assert.Equal("imap-login", Refused(WithImap() with { ImapLogin = (ImapLogin)7 }).Field);
        var ex = Refused(WithImap() with { ImapDeleteAction = (ImapDeleteAction)7 });
        Assert.Equal("imap-delete-action", ex.Field);
        Assert.Contains("MoveToTrash, Expunge", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidServerIsNotStored()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        Assert.Throws<ConfigurationValidationException>(() => temp.Store.UpdateUmServer(Server() with { ImapHost = "imap.example.test:143" }));
        Assert.Null(temp.Store.GetUmServer("um1")!.ImapHost);
    }

    private static void Validate(UmServer server) => ConfigurationValidator.ValidateUmServer(server, ConfigurationSnapshot.Empty);

    private static ConfigurationValidationException Refused(UmServer server)
        => Assert.Throws<ConfigurationValidationException>(() => Validate(server));
}
