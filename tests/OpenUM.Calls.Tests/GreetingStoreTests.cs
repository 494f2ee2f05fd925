using OpenUM.Media.Audio;
using OpenUM.TestSupport.Logging;

namespace OpenUM.Calls.Tests;

/// <summary>Greetings are owner-only: stored 0600 in a 0700 folder, and older world-readable ones tightened at start.</summary>
public sealed class GreetingStoreTests : IDisposable
{
    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("openum-greetings-").FullName;
    private string Folder => Path.Combine(_data, GreetingStore.FolderName);

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);

    [Fact]
    public void AStoredGreetingIsOwnerOnlyInAnOwnerOnlyFolder()
    {
        byte[] wav = [1, 2, 3, 4];
        Assert.Equal("greetings/Test-1000.wav", GreetingStore.Store(_data, "Test-1000.wav", wav));
        Assert.Equal(GreetingStore.DirectoryMode, File.GetUnixFileMode(Folder));
        Assert.Equal(GreetingStore.FileMode, File.GetUnixFileMode(Path.Combine(Folder, "Test-1000.wav")));
        Assert.Equal(wav, File.ReadAllBytes(Path.Combine(Folder, "Test-1000.wav")));
        Assert.Equal(["Test-1000.wav"], System.IO.Directory.GetFiles(Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void AStoredGreetingLoadsAsTheClipItHolds()
    {
        var tone = AudioClip.Tone(440, TimeSpan.FromMilliseconds(100));
        using var wav = new MemoryStream();
        using (var writer = new WavWriter(wav))
        {
            writer.Write(tone.Samples.Span);
            writer.Complete();
        }
        string stored = GreetingStore.Store(_data, "Test-1000.wav", wav.ToArray());

        var clip = GreetingStore.Load(_data, stored, out string? problem);
        Assert.Null(problem);
        Assert.NotNull(clip);
        Assert.Equal(tone.Samples.ToArray(), clip.Samples.ToArray());
    }

    [Theory]
    [InlineData("../secret.wav")]
    [InlineData("greetings/../secret.wav")]
    [InlineData("/etc/hostname")]
    public void AGreetingOutsideTheGreetingsFolderIsNeverRead(string file)
    {
        File.WriteAllBytes(Path.Combine(_data, "secret.wav"), [1, 2, 3]);
        Assert.Null(GreetingStore.Load(_data, file, out string? problem));
        Assert.Contains("lies outside", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingOrCorruptGreetingSaysWhy()
    {
        GreetingStore.Store(_data, "corrupt.wav", "not a wav file"u8);
        Assert.Null(GreetingStore.Load(_data, "greetings/corrupt.wav", out string? corrupt));
        Assert.Contains("corrupt.wav unusable", corrupt, StringComparison.Ordinal);
        Assert.Null(GreetingStore.Load(_data, "greetings/missing.wav", out string? missing));
        Assert.Contains("missing.wav unusable", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void StoringReplacesAWorldReadableGreetingAndTightensItsFolder()
    {
        System.IO.Directory.CreateDirectory(Folder);
        File.SetUnixFileMode(Folder, Mode0755);
        string old = Path.Combine(Folder, "Test-1000.wav");
        File.WriteAllBytes(old, [9, 9]);
        File.SetUnixFileMode(old, Mode0644);

        GreetingStore.Store(_data, "Test-1000.wav", [5, 6]);
        Assert.Equal(GreetingStore.DirectoryMode, File.GetUnixFileMode(Folder));
        Assert.Equal(GreetingStore.FileMode, File.GetUnixFileMode(old));
        Assert.Equal([5, 6], File.ReadAllBytes(old));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape.wav")]
    [InlineData("sub/x.wav")]
    [InlineData(".hidden.wav")]
    public void OnlyAPlainFileNameIsStored(string name) =>
        Assert.Throws<ArgumentException>(() => GreetingStore.Store(_data, name, [1]));

    [Fact]
    public void StartTightensAnOldWorldReadableFolderAndItsGreetings()
    {
        System.IO.Directory.CreateDirectory(Folder);
        File.SetUnixFileMode(Folder, Mode0755);
        foreach (string name in new[] { "Test-1000.wav", "Test-1001.wav", "Test-1002.wav.tmp" })
        {
            File.WriteAllBytes(Path.Combine(Folder, name), [1]);
            File.SetUnixFileMode(Path.Combine(Folder, name), Mode0644);
        }
        var events = new FakeLogger();

        Assert.Equal(4, GreetingStore.Tighten(_data, events));
        Assert.Equal(GreetingStore.DirectoryMode, File.GetUnixFileMode(Folder));
        foreach (string file in System.IO.Directory.GetFiles(Folder))
            Assert.Equal(GreetingStore.FileMode, File.GetUnixFileMode(file));
        string line = Assert.Single(events.Lines());
        Assert.StartsWith("2050 ", line);
        Assert.Contains("(mode 0755 before)", line);
        Assert.Contains("3 greeting files were made 0600", line);

        // Nothing left to do: no change, no event.
        Assert.Equal(0, GreetingStore.Tighten(_data, events));
        Assert.Single(events.Lines());
    }

    [Fact]
    public void StartLeavesSymbolicLinksAndTheirTargetsAlone()
    {
        string outside = Path.Combine(_data, "elsewhere.wav");
        File.WriteAllBytes(outside, [1]);
        File.SetUnixFileMode(outside, Mode0644);
        System.IO.Directory.CreateDirectory(Folder, GreetingStore.DirectoryMode);
        File.CreateSymbolicLink(Path.Combine(Folder, "Test-1000.wav"), outside);
        var events = new FakeLogger();

        Assert.Equal(0, GreetingStore.Tighten(_data, events));
        Assert.Equal(Mode0644, File.GetUnixFileMode(outside));
        Assert.Contains("Test-1000.wav: a symbolic link", Assert.Single(events.Lines()));
    }

    [Fact]
    public void AFolderThatIsALinkIsLeftAloneAndReported()
    {
        string target = Path.Combine(_data, "shared-greetings");
        System.IO.Directory.CreateDirectory(target);
        File.SetUnixFileMode(target, Mode0755);
        System.IO.Directory.CreateSymbolicLink(Folder, target);
        var events = new FakeLogger();

        Assert.Equal(0, GreetingStore.Tighten(_data, events));
        Assert.Equal(Mode0755, File.GetUnixFileMode(target));
        Assert.StartsWith("2051 ", Assert.Single(events.Lines()));
    }

    [Fact]
    public void NoFolderNothingToDo()
    {
        var events = new FakeLogger();
        Assert.Equal(0, GreetingStore.Tighten(_data, events));
        Assert.Empty(events.Lines());
        Assert.False(System.IO.Directory.Exists(Folder));
    }
}
