using OpenUM.Directory;

namespace OpenUM.Delivery.Smtp;

/// <summary>The smart host settings of a <see cref="UmServer"/> in the form the outbox worker uses.</summary>
public sealed record SmartHostSettings(
    string Host,
    int Port,
    SmartHostTls Tls,
    bool ClientCertificate,
    string? User,
    string? PasswordFile,
    TimeSpan RetryInterval,
    TimeSpan MaxRetryInterval,
    TimeSpan MessageExpiry)
{
    /// <summary>HOST:PORT as configured.</summary>
    public string Endpoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>The settings of <paramref name="server"/>; null when no (valid) smart host is configured: local maildir.</summary>
    public static SmartHostSettings? From(UmServer? server) =>
        server?.SmartHost is { } value && SmartHostEndpoint.TryParse(value, out var host, out var port)
            ? new(host, port, server.SmartHostTls, server.SmartHostClientCertificate, server.SmartHostUser, server.SmartHostPasswordFile,
                server.SmartHostRetryInterval, server.SmartHostMaxRetryInterval, server.SmartHostMessageExpiry)
            : null;
}
