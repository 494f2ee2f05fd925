using Microsoft.Extensions.Hosting;

namespace OpenUM.Server;

/// <summary>A service a layer above adds to `openum serve` (the admin API): started after the UM service, part of its exit code.</summary>
public interface IServeComponent : IHostedService
{
    /// <summary>0, or the exit code of a failed start.</summary>
    int ExitCode { get; }
}
