using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using OpenUM.Directory;
using OpenUM.Directory.Pins;
using OpenUM.Server.Backup;

namespace OpenUM.Server.Tests.Backup;

/// <summary>A data directory backed up and restored into an empty one comes back the same: files, modes, configuration, PINs.</summary>
public sealed class BackupRoundTripTests : IDisposable
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDir = OwnerFile | UnixFileMode.UserExecute;
    private readonly string _work = System.IO.Directory.CreateTempSubdirectory("openum-backup-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_work, recursive: true);

    private DataDirectory Source() => new(Path.Combine(_work, "source"));

    // What a running server leaves: configuration with a PIN, a key, a greeting, outbox items, delivered messages,
    // and what a backup must leave out (spool, events, sent items, a maildir's tmp/, temporary files, a link).
    private static void Populate(DataDirectory data)
    {
        using (var store = new SqliteConfigurationStore(data.ConfigDatabase))
        {
            store.AddDialPlan(new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4 });
            store.AddIpGateway(new IpGateway { Name = "sipp", Address = "127.0.0.1" });
            store.AddHuntGroup(new HuntGroup { Name = "hg", IpGateway = "sipp", DialPlan = "Test" });
            store.AddMailbox(new Mailbox { Extension = "1000", DialPlan = "Test", EmailAddress = "user1000@example.test" });
            store.SavePin("Test", "1000", new MailboxPinState { Hash = "hash-of-pin", SetAt = DateTimeOffset.UnixEpoch, ConsecutiveFailures = 2 });
        }

        // A key made now, never one kept in the repository.
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            Write(data, "certificates/personal/ABCDEF.key.pem", key.ExportPkcs8PrivateKeyPem());
        Write(data, "certificates/personal/ABCDEF.crt.pem", "certificate");
        Write(data, "certificates/trusted/crl/1234.crl", "crl");
        Write(data, "greetings/1000.wav", "RIFF greeting");
        Write(data, "outbox/queue/item1.eml", "queued message");
        Write(data, "outbox/queue/item1.json", "{}");
        Write(data, "outbox/dead/item2.eml", "dead letter");
        Write(data, "maildir/user1000@example.test/new/1700000000.M1.host", "delivered message");
        Write(data, "maildir/user1000@example.test/cur/1600000000.M1.host:2,S", "read message");

        Write(data, "maildir/user1000@example.test/tmp/partial", "being written");
        Write(data, "outbox/sent/item0.eml", "already sent");
        Write(data, "spool/recording.wav", "in progress");
        Write(data, "events.jsonl", "{}");
        Write(data, "greetings/.1001.wav.0123.tmp", "half a greeting");
        Write(data, "certificates/personal/ABCDEF.json.tmp-0123", "half a file");
        File.CreateSymbolicLink(Path.Combine(data.Root, "greetings", "link.wav"), "/etc/passwd");
    }

    private static void Write(DataDirectory data, string relative, string text)
    {
        string path = Path.Combine(data.Root, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static readonly string[] Kept =
    [
        "certificates/personal/ABCDEF.key.pem", "certificates/personal/ABCDEF.crt.pem", "certificates/trusted/crl/1234.crl",
        "greetings/1000.wav", "outbox/queue/item1.eml", "outbox/queue/item1.json", "outbox/dead/item2.eml",
        "maildir/user1000@example.test/new/1700000000.M1.host", "maildir/user1000@example.test/cur/1600000000.M1.host:2,S",
    ];

    private static readonly string[] Left =
    [
        "maildir/user1000@example.test/tmp/partial", "outbox/sent/item0.eml", "spool/recording.wav", "events.jsonl",
        "greetings/.1001.wav.0123.tmp", "certificates/personal/ABCDEF.json.tmp-0123", "greetings/link.wav",
    ];

    [Fact]
    public void RestoredDirectoryHoldsTheSameFilesConfigurationAndPins()
    {
        var source = Source();
        Populate(source);
        string archive = Path.Combine(_work, "backup.tar");

        var backup = BackupWriter.Create(source, null, archive);

        Assert.Equal(OwnerFile, File.GetUnixFileMode(archive));
        Assert.Equal("sqlite", backup.Manifest.Store);
        Assert.Equal(Kept.Append(BackupLimits.ConfigDatabaseEntry).Order(StringComparer.Ordinal),
            backup.Manifest.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Single(System.IO.Directory.GetFiles(_work));

        var target = new DataDirectory(Path.Combine(_work, "target"));
        var restored = BackupRestore.Restore(archive, target);

        Assert.Equal(Kept.Length + 1, restored.Files);
        foreach (var relative in Kept)
        {
            string path = Path.Combine(target.Root, relative);
            Assert.Equal(File.ReadAllText(Path.Combine(source.Root, relative)), File.ReadAllText(path));
            Assert.Equal(OwnerFile, File.GetUnixFileMode(path));
            for (var dir = Path.GetDirectoryName(path)!; dir != target.Root; dir = Path.GetDirectoryName(dir)!)
                Assert.Equal(OwnerDir, File.GetUnixFileMode(dir));
        }

        foreach (var relative in Left)
            Assert.False(Path.Exists(Path.Combine(target.Root, relative)), relative + " must not be in a backup");
        Assert.Equal(OwnerDir, File.GetUnixFileMode(target.Root));
        Assert.DoesNotContain(System.IO.Directory.EnumerateFileSystemEntries(target.Root), e => Path.GetFileName(e).StartsWith(".restore-", StringComparison.Ordinal));

        using var store = new SqliteConfigurationStore(target.ConfigDatabase);
        var snapshot = store.Load();
        Assert.Equal("127.0.0.1", Assert.Single(snapshot.IpGateways).Address);
        Assert.Equal("hg", Assert.Single(snapshot.HuntGroups).Name);
        Assert.Equal("user1000@example.test", Assert.Single(snapshot.Mailboxes).EmailAddress);
        var pin = store.GetPin("Test", "1000");
        Assert.NotNull(pin);
        Assert.Equal("hash-of-pin", pin.Hash);
        Assert.Equal(2, pin.ConsecutiveFailures);
    }

    [Fact]
    public void BackupWhileTheStoreIsOpenAndWritingCopiesTheCommittedState()
    {
        var source = Source();
        using var live = new SqliteConfigurationStore(source.ConfigDatabase);
        live.AddDialPlan(new DialPlan { Name = "Test", NumberOfDigitsInExtension = 4 });
        live.AddIpGateway(new IpGateway { Name = "gw1", Address = "127.0.0.1" });
        string archive = Path.Combine(_work, "live.tar");

        var backup = BackupWriter.Create(source, null, archive);
        live.AddIpGateway(new IpGateway { Name = "gw2", Address = "127.0.0.2" });

        var target = new DataDirectory(Path.Combine(_work, "target"));
        BackupRestore.Restore(archive, target);
        using var restored = new SqliteConfigurationStore(target.ConfigDatabase);
        Assert.Equal(["gw1"], restored.Load().IpGateways.Select(g => g.Name));
        Assert.Equal(live.GetVersion() - 1, backup.Manifest.ConfigurationVersion);
    }

    [Fact]
    public void ExportedConfigurationImportsIntoAnEmptyStoreWithEveryObjectKind()
    {
        var source = Source();
        Populate(source);
        using (var store = new SqliteConfigurationStore(source.ConfigDatabase))
        {
            store.AddUmServer(new UmServer { Name = "um1", DialPlans = ["Test"], MaxCallsAllowed = 7 });
            store.AddMailboxPolicy(new MailboxPolicy { Name = "Strict", DialPlan = "Test", MinPinLength = 8 });
            store.UpdateMailbox("Test", "1000", Assert.Single(store.Load().Mailboxes) with { MailboxPolicy = "Strict", DisplayName = "User" });
        }

        ExportedConfiguration exported;
        using (var store = new SqliteConfigurationStore(source.ConfigDatabase))
            exported = ConfigurationExport.Deserialize(ConfigurationExport.Serialize(ConfigurationExport.Export(store)));

        using var target = new SqliteConfigurationStore(Path.Combine(_work, "imported.db"));
        ConfigurationExport.Import(exported, target);

        using var original = new SqliteConfigurationStore(source.ConfigDatabase);
        var a = original.Load();
        var b = target.Load();
        Assert.Equal(Json(a.DialPlans), Json(b.DialPlans));
        Assert.Equal(Json(a.UmServers), Json(b.UmServers));
        Assert.Equal(Json(a.IpGateways), Json(b.IpGateways));
        Assert.Equal(Json(a.HuntGroups), Json(b.HuntGroups));
        Assert.Equal(Json(a.MailboxPolicies), Json(b.MailboxPolicies));
        Assert.Equal(Json(a.Mailboxes), Json(b.Mailboxes));
        Assert.Equal(Json(original.GetPin("Test", "1000")), Json(target.GetPin("Test", "1000")));

        var again = Assert.Throws<BackupException>(() => ConfigurationExport.Import(exported, target));
        Assert.Contains("not empty", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RestoreOfAnExportGoesIntoTheDataDirectorysSqliteFile()
    {
        var source = Source();
        Populate(source);
        ExportedConfiguration exported;
        using (var store = new SqliteConfigurationStore(source.ConfigDatabase))
            exported = ConfigurationExport.Export(store);
        // What a PostgreSQL backup holds: configuration.json instead of config.db.
        string archive = Path.Combine(_work, "pg.tar");
        BackupArchiveWriter.Write(archive, ("configuration.json", ConfigurationExport.Serialize(exported)), ("greetings/1000.wav", "RIFF"u8.ToArray()));

        var target = new DataDirectory(Path.Combine(_work, "target"));
        var restored = BackupRestore.Restore(archive, target);

        Assert.Equal("sqlite", restored.Target);
        Assert.False(File.Exists(Path.Combine(target.Root, ConfigurationExport.EntryName)));
        using var store2 = new SqliteConfigurationStore(target.ConfigDatabase);
        Assert.Equal("sipp", Assert.Single(store2.Load().IpGateways).Name);
        Assert.Equal("hash-of-pin", store2.GetPin("Test", "1000")?.Hash);
        Assert.Equal("RIFF", File.ReadAllText(Path.Combine(target.Root, "greetings/1000.wav")));
    }

    [Fact]
    public void AFailedBackupLeavesNoFileBehind()
    {
        var source = Source();
        File.WriteAllBytes(source.ConfigDatabase, new byte[4096]);   // no SQLite database: the copy fails
        string folder = System.IO.Directory.CreateDirectory(Path.Combine(_work, "out")).FullName;

        Assert.ThrowsAny<Exception>(() => BackupWriter.Create(source, null, Path.Combine(folder, "backup.tar")));

        Assert.Empty(System.IO.Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void AnInterruptedRestoreIsNamedWithItsFix()
    {
        var source = Source();
        Populate(source);
        string archive = Path.Combine(_work, "backup.tar");
        BackupWriter.Create(source, null, archive);
        var target = new DataDirectory(Path.Combine(_work, "target"));
        System.IO.Directory.CreateDirectory(Path.Combine(target.Root, ".restore-0123"));

        var e = Assert.Throws<BackupException>(() => BackupRestore.Restore(archive, target));

        Assert.Contains("interrupted: remove it", e.Message, StringComparison.Ordinal);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
