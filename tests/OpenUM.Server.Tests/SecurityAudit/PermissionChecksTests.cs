using OpenUM.Directory;
using OpenUM.Server.SecurityAudit;
using K = OpenUM.Server.SecurityAudit.AuditFindingKinds;

namespace OpenUM.Server.Tests.SecurityAudit;

/// <summary>OUM-SEC-060 and 061, on a real directory tree: what other users of the host may read or change.</summary>
public sealed class PermissionChecksTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDir = Owner | UnixFileMode.UserExecute;
    private const UnixFileMode WorldReadable = Owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode WorldOpenDir = OwnerDir | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("openum-audit-perm-").FullName;
    private readonly string _data;

    public PermissionChecksTests()
    {
        // What the server creates: everything owner-only, a key in the certificate store.
        _data = Path.Combine(_root, "data");
        System.IO.Directory.CreateDirectory(Path.Combine(_data, "certificates", "personal"));
        File.WriteAllText(Path.Combine(_data, "config.db"), "");
        File.WriteAllText(Path.Combine(_data, "certificates", "personal", "AB.key.pem"), "");
        foreach (var dir in new[] { _data, Path.Combine(_data, "certificates"), Path.Combine(_data, "certificates", "personal") })
            File.SetUnixFileMode(dir, OwnerDir);
        File.SetUnixFileMode(Path.Combine(_data, "config.db"), Owner);
        File.SetUnixFileMode(Path.Combine(_data, "certificates", "personal", "AB.key.pem"), Owner);
    }

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    private AuditCase Scanned(params string[] passwordFiles) =>
        AuditCase.Clean() with { DataDirectory = _data, Files = DataDirectoryScan.Read(_data, passwordFiles) };

    [Fact]
    public void AnOwnerOnlyDataDirectoryHasNothingToReport()
    {
        Assert.DoesNotContain(Scanned().Findings(), f => f.ObjectType == AuditObjectType.DataDirectory);
    }

    [Fact]
    public void AFileOthersCanReadInsideADirectoryTheyCannotEnterIsNotOpen()
    {
        File.SetUnixFileMode(Path.Combine(_data, "config.db"), WorldReadable); // as SQLite's -shm and event-log-target may be, under 0700

        Assert.Empty(Scanned().Findings(K.DataDirectoryOpen));
    }

    [Fact]
    public void AReadableDataDirectoryIsHighAndItsFixClosesIt()
    {
        File.SetUnixFileMode(_data, WorldOpenDir);
        File.SetUnixFileMode(Path.Combine(_data, "config.db"), WorldReadable);

        var finding = Scanned().Single(K.DataDirectoryOpen);

        Assert.Equal((AuditSeverity.High, _data), (finding.Severity, finding.Object));
        Assert.Contains($"{_data} (755)", finding.Risk, StringComparison.Ordinal);
        Assert.Contains($"{Path.Combine(_data, "config.db")} (644)", finding.Risk, StringComparison.Ordinal);
        Assert.Equal([$"chmod -R go-rwx {_data}"], finding.Fix);
    }

    [Fact]
    public void AFileOthersCanChangeIsCritical()
    {
        File.SetUnixFileMode(_data, WorldOpenDir);
        File.SetUnixFileMode(Path.Combine(_data, "config.db"), WorldReadable | UnixFileMode.OtherWrite);

        Assert.Equal(AuditSeverity.Critical, Scanned().Single(K.DataDirectoryOpen).Severity);
    }

    [Fact]
    public void AReadableKeyIsHighBehindClosedDirectoriesAndCriticalWhenOthersCanReachIt()
    {
        string key = Path.Combine(_data, "certificates", "personal", "AB.key.pem");
        File.SetUnixFileMode(key, WorldReadable);

        var hidden = Scanned().Single(K.SecretReadable);
        Assert.Equal((AuditSeverity.High, key), (hidden.Severity, hidden.Object));
        Assert.Equal([$"chmod 600 {key}"], hidden.Fix);

        foreach (var dir in new[] { _data, Path.Combine(_data, "certificates"), Path.Combine(_data, "certificates", "personal") })
            File.SetUnixFileMode(dir, WorldOpenDir);
        Assert.Equal(AuditSeverity.Critical, Scanned().Single(K.SecretReadable).Severity);
    }

    [Fact]
    public void APasswordFileTheConfigurationNamesCountsOnItsOwnBits()
    {
        string password = Path.Combine(_root, "smtp.pw");
        File.WriteAllText(password, "secret\n");
        File.SetUnixFileMode(password, WorldReadable);
        var server = new UmServer { Name = AuditCase.ServerName, SmartHost = "hub.contoso.example:25", SmartHostUser = "um", SmartHostPasswordFile = password };

        var finding = (Scanned(password) with { Servers = [server] }).Single(K.SecretReadable);

        Assert.Equal((AuditSeverity.Critical, password), (finding.Severity, finding.Object));
        File.SetUnixFileMode(password, Owner);
        Assert.Empty(Scanned(password).Findings(K.SecretReadable));
    }

    [Fact]
    public void TheScanIsBoundedAndSaysWhenItStopped()
    {
        var scan = DataDirectoryScan.Read(_data, [], maxEntries: 2);

        Assert.True(scan.Truncated);
        Assert.Equal(2, scan.Entries.Count);
    }

    [Fact]
    public void ReadingTheInputScansBeforeTheCertificateStoreTightensItsDirectories()
    {
        string certificates = Path.Combine(_data, "certificates");
        File.SetUnixFileMode(_data, WorldOpenDir);
        File.SetUnixFileMode(certificates, WorldOpenDir);

        var input = SecurityAuditInput.Read(AuditCase.Clean().Input().Configuration, new OpenUM.Server.DataDirectory(_data), AuditCase.Fqdn,
            AuditCase.ServerName, null, TimeProvider.System);

        Assert.Contains(input.Files.Entries, e => e.Path == certificates && (e.Mode & UnixFileMode.OtherRead) != 0);
        Assert.Contains(certificates, OpenUM.Server.SecurityAudit.SecurityAudit.Run(input).Findings.Single(f => f.Id == K.DataDirectoryOpen.Id).Risk, StringComparison.Ordinal);
    }
}
