using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests;

/// <summary>The small-disk harness itself: it fills, grows and turns read-only as the storage tests need.</summary>
public sealed class SmallFilesystemTests
{
    [Fact]
    public async Task FillsGrowsAndTurnsReadOnly()
    {
        await using var fs = await SmallFilesystem.CreateAsync(1024 * 1024);
        string probe = Path.Combine(fs.Path, "probe");
        await fs.FillAsync();
        Assert.True(fs.FreeBytes < 64 * 1024, $"{fs.FreeBytes} bytes still free after filling");
        await Assert.ThrowsAsync<IOException>(() => File.WriteAllBytesAsync(probe, new byte[128 * 1024]));

        await fs.ResizeAsync(2 * 1024 * 1024);
        await File.WriteAllBytesAsync(probe, new byte[128 * 1024]);

        await fs.SetReadOnlyAsync(true);
        await Assert.ThrowsAnyAsync<Exception>(() => File.WriteAllBytesAsync(probe + "2", [1]));
        await fs.SetReadOnlyAsync(false);
        fs.Unfill();
        await File.WriteAllBytesAsync(probe + "2", [1]);
    }
}
