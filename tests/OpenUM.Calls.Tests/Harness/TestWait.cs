namespace OpenUM.Calls.Tests.Harness;

/// <summary>Waiting for what a call does in the background.</summary>
internal static class TestWait
{
    /// <summary>Polls until the condition holds; a 30 s hang guard, not a timing claim.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
