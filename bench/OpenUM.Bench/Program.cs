using BenchmarkDotNet.Running;

namespace OpenUM.Bench;

/// <summary>Entry point: `dotnet run -c Release --project bench/OpenUM.Bench -- --filter '*SipParse*'`.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
