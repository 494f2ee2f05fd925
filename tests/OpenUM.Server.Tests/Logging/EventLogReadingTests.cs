using OpenUM.Server.Logging;

namespace OpenUM.Server.Tests.Logging;

/// <summary>Reading events across events.jsonl and its rotated files, as `openum events --last N` does.</summary>
public class EventLogReadingTests
{
    private static string Line(int seq) => $"{{\"id\":9001,\"properties\":{{\"writer\":\"t\",\"seq\":{seq}}}}}";

    private static (string Dir, string Path) Files(TempDir dir, params int[][] files)
    {
        // files[0] is events.jsonl, files[1] events.1.jsonl, ...
        string path = dir.File("events.jsonl");
        for (int n = 0; n < files.Length; n++)
            File.WriteAllLines(n == 0 ? path : EventLogFiles.RotatedPath(path, n), files[n].Select(Line));
        return (dir.Path, path);
    }

    private static List<int> Read(string path, int last) =>
        EventLogFiles.ReadLast(path, line => TestEvents.Parse(line) is { } e ? (object)e.Seq : null, last).Cast<int>().ToList();

    [Fact]
    public void AllEventsComeOldestFileFirst()
    {
        using var dir = new TempDir();
        var (_, path) = Files(dir, [7, 8], [4, 5, 6], [1, 2, 3]);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], Read(path, 0));
    }

    [Fact]
    public void TheLastNSpanARotation()
    {
        using var dir = new TempDir();
        var (_, path) = Files(dir, [7, 8], [4, 5, 6], [1, 2, 3]);
        Assert.Equal([5, 6, 7, 8], Read(path, 4));
        Assert.Equal([8], Read(path, 1));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], Read(path, 100));
    }

    [Fact]
    public void RightAfterARotationTheEmptyNewFileDoesNotHideTheEarlierEvents()
    {
        using var dir = new TempDir();
        var (_, path) = Files(dir, [], [1, 2, 3]);
        Assert.Equal([2, 3], Read(path, 2));
        File.Delete(path); // between the rename and the new file
        Assert.Equal([2, 3], Read(path, 2));
    }

    [Fact]
    public void GapsInTheNumberingAndForeignFilesAreHandled()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        File.WriteAllLines(path, [Line(9)]);
        File.WriteAllLines(EventLogFiles.RotatedPath(path, 1), [Line(8)]);
        File.WriteAllLines(EventLogFiles.RotatedPath(path, 4), [Line(1)]); // 2 and 3 lost in a crash mid-rotation
        File.WriteAllLines(dir.File("events.old.jsonl"), [Line(100)]);
        File.WriteAllLines(dir.File("events.01.jsonl"), [Line(101)]);
        Assert.Equal([1, 4], EventLogFiles.RotatedNumbers(path));
        Assert.Equal([1, 8, 9], Read(path, 0));
    }

    [Fact]
    public void ALineCutShortIsSkipped()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        File.WriteAllText(path, Line(1) + "\n{\"id\":9001,\"proper\n" + Line(2) + "\n{\"id\":90");
        Assert.Equal([1, 2], EventLogFiles.ReadLast(path, line =>
        {
            try { return TestEvents.Parse(line) is { } e ? (object)e.Seq : null; }
            catch (System.Text.Json.JsonException) { return null; }
        }, 0).Cast<int>());
    }

    [Fact]
    public void AFileUnderTwoNamesIsReadOnce()
    {
        // What a reader meets when a rotation renames a file between two opens: the same file twice.
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        File.WriteAllLines(path, [Line(2)]);
        File.CreateSymbolicLink(EventLogFiles.RotatedPath(path, 2), path);
        File.WriteAllLines(EventLogFiles.RotatedPath(path, 1), [Line(1)]);
        Assert.Equal([1, 2], Read(path, 0));
    }

    [Fact]
    public void RotatedFileNamesFollowTheCurrentOne()
    {
        Assert.Equal(Path.Combine("data", "events.1.jsonl"), EventLogFiles.RotatedPath(Path.Combine("data", "events.jsonl"), 1));
        Assert.Equal(Path.Combine("data", "events.12.jsonl"), EventLogFiles.RotatedPath(Path.Combine("data", "events.jsonl"), 12));
    }

    [Fact]
    public void ALargeFileIsReadFromItsEndAcrossBlocksAndCharacters()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        // 6,000 lines of varying length with characters of 2, 3 and 4 bytes: lines cross the 64 KiB blocks anywhere.
        static string Wide(int seq) => $"{{\"id\":9001,\"properties\":{{\"writer\":\"{new string('é', seq % 7)}€😀\",\"seq\":{seq}}}}}";
        File.WriteAllLines(path, Enumerable.Range(1, 6000).Select(Wide));
        int looked = 0;
        var lastThree = EventLogFiles.ReadLast(path, line => { looked++; return TestEvents.Parse(line) is { } e ? (object)e.Seq : null; }, 3);

        Assert.Equal([5998, 5999, 6000], lastThree.Cast<int>());
        Assert.Equal(3, looked);   // the other 5,997 lines were never read into strings
        Assert.Equal(Enumerable.Range(1, 6000), Read(path, 0));
        Assert.All(EventLogFiles.ReadLast(path, line => line, 0), l => Assert.EndsWith("}", l, StringComparison.Ordinal));
    }

    [Fact]
    public void ALineLongerThanTheLimitIsSkippedAndTheOthersRead()
    {
        using var dir = new TempDir();
        string path = dir.File("events.jsonl");
        File.WriteAllText(path, Line(1) + "\n" + new string('x', EventLogFiles.MaxLineBytes + 10) + "\n" + Line(2) + "\n");

        Assert.Equal([1, 2], Read(path, 0));
    }
}
