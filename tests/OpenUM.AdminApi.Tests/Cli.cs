using OpenUM.TestSupport.Cli;

namespace OpenUM.AdminApi.Tests;

/// <summary>`openum` run in this process through its entry point: the CLI the API is compared with.</summary>
internal static class Cli
{
    public static (int Code, string Out, string Err) Run(string dataDirectory, params string[] args) => InProcessOpenUm.Run(dataDirectory, args);
}
