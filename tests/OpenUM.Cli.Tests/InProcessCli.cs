using OpenUM.TestSupport.Cli;

namespace OpenUM.Cli.Tests;

/// <summary>
/// Runs `openum` in this process through its entry point (<see cref="InProcessOpenUm"/>): the same command tree and
/// output as the executable, fast enough to walk every command. The tests using it are in <see cref="InProcessCliCollection"/>.
/// </summary>
internal static class InProcessCli
{
    public static (int Code, string Out, string Err) Run(string dataDirectory, params string[] args) => InProcessOpenUm.Run(dataDirectory, args);
}

/// <summary>The tests that replace the console: never run beside another test of this assembly.</summary>
[CollectionDefinition(nameof(InProcessCliCollection), DisableParallelization = true)]
public sealed class InProcessCliCollection;
