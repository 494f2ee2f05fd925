namespace OpenUM.Cli.Tests;

/// <summary>`openum mailbox set --greeting` stores the greeting owner-only, like the rest of the data directory.</summary>
public sealed class GreetingPermissionCliTests : IDisposable
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0644 = OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-cli-greeting-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    [Fact]
    public void MailboxSetGreetingLeaves0600In0700()
    {
        Assert.Equal(0, OpenUmCli.Run(_data, "dialplan", "new", "--name", "Contoso", "--number-of-digits-in-extension", "4").Code);
        Assert.Equal(0, OpenUmCli.Run(_data, "mailbox", "new", "--extension", "1000", "--dial-plan", "Contoso", "--email", "u@example.test").Code);
        // An operator's file, readable by everyone, as files usually are.
        string source = Path.Combine(_data, "hello.wav");
        File.WriteAllBytes(source, Wav());
        File.SetUnixFileMode(source, Mode0644);

        var (code, _, err) = OpenUmCli.Run(_data, "mailbox", "set", "1000", "--greeting", source);
        Assert.True(code == 0, err);
        string folder = Path.Combine(_data, "greetings");
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
        string stored = Assert.Single(System.IO.Directory.GetFiles(folder)); // no temporary file left behind
        Assert.Equal("Contoso-1000.wav", Path.GetFileName(stored));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(stored));
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(stored));
        Assert.Equal(Mode0644, File.GetUnixFileMode(source)); // the operator's own file is not touched

        // Set again over a copy an older version left world-readable: replaced by an owner-only one.
        File.SetUnixFileMode(folder, OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(stored, Mode0644);
        Assert.Equal(0, OpenUmCli.Run(_data, "mailbox", "set", "1000", "--greeting", source).Code);
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(stored));
    }

    /// <summary>Half a second of silence as an 8 kHz mono PCM16 WAV.</summary>
    private static byte[] Wav()
    {
        const int frames = 4000;
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write("RIFF"u8); w.Write(36 + frames * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000);
        w.Write(16000); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(frames * 2);
        w.Write(new byte[frames * 2]);
        w.Flush();
        return ms.ToArray();
    }
}
