namespace OpenUM.Interop.Tests;

/// <summary>
/// The test classes that must not share the machine with another interop test. The others run two at a time
/// (xunit.runner.json: each class is its own collection, two collections at once): they wait on real-time audio
/// far more than they compute, and every port, directory, namespace and peer instance they use is their own
/// (<see cref="Harness.TestPorts"/> claims each port it hands out). xunit runs this collection after the parallel
/// ones, its classes one after the other. Each class here says why it is here; a class needs a reason to join:
/// it changes or reads machine-wide state, binds a fixed port, or loads the CPU enough to starve another test's
/// real-time audio on a two-core machine.
/// To run the whole project one test at a time (to tell a concurrency problem from another one):
/// <c>dotnet test tests/OpenUM.Interop.Tests -- xUnit.ParallelizeTestCollections=false</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAloneCollection
{
    /// <summary>Collection name.</summary>
    public const string Name = "Interop tests that run alone";
}
