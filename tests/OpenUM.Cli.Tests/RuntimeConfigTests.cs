using System.Text.Json;

namespace OpenUM.Cli.Tests;

// The thread-pool settings openum runs with come from openum.runtimeconfig.json, written by the build from the
// project's RuntimeHostConfigurationOption items; a lost item would silently change how the server behaves under load.
public sealed class RuntimeConfigTests
{
    [Theory]
    [InlineData("System.Threading.ThreadPool.ThreadsToKeepAlive", -1)]      // no thread retired (descriptor limits)
    [InlineData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0)] // idle threads wait without spinning
    public void TheShippedRuntimeConfigCarriesTheThreadPoolSettings(string name, int value)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "openum.runtimeconfig.json")));
        var properties = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty(name, out var setting), $"{name} is missing from openum.runtimeconfig.json");
        Assert.Equal(value, setting.ValueKind == JsonValueKind.String ? int.Parse(setting.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : setting.GetInt32());
    }
}
