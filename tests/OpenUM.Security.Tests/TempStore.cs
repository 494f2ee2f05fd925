namespace OpenUM.Security.Tests;

// A store in a fresh temporary directory, removed afterwards.
internal sealed class TempStore : IDisposable
{
    public TempStore(TimeProvider time)
    {
        Root = Path.Combine(Path.GetTempPath(), "openum-sec-" + Guid.NewGuid().ToString("N"));
        Store = new CertificateStore(Root, time);
    }

    public string Root { get; }
    public CertificateStore Store { get; }

    public void Dispose() => System.IO.Directory.Delete(Root, recursive: true);
}
