using Microsoft.Extensions.Logging;

namespace OpenUM.Server;

/// <summary>Service lifecycle events with the stable IDs of SPEC.md.</summary>
public static partial class ServerEvents
{
    [LoggerMessage(EventId = 1037, EventName = "ServiceStarted", Level = LogLevel.Information,
        Message = "OpenUM service started (server {ServerName}, data directory {DataDirectory})")]
    public static partial void Started(ILogger logger, string serverName, string dataDirectory);

    [LoggerMessage(EventId = 1038, EventName = "ServiceFailedToStart", Level = LogLevel.Error,
        Message = "OpenUM service failed to start: {Reason}")]
    public static partial void FailedToStart(ILogger logger, string reason);

    [LoggerMessage(EventId = 1039, EventName = "ServiceStopped", Level = LogLevel.Information,
        Message = "OpenUM service stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1114, EventName = "StartingMode", Level = LogLevel.Information,
        Message = "Listening in {Mode} mode: SIP TCP {TcpPort}, SIP TLS {TlsPort}{UdpText}, RTP ports {RtpPorts} (0 = not listening)")]
    public static partial void StartingMode(ILogger logger, string mode, int tcpPort, int tlsPort, string udpText, string rtpPorts);

    [LoggerMessage(EventId = 2010, EventName = "DemoConfigurationCreated", Level = LogLevel.Information,
        Message = "The configuration was empty: created dial plan {DialPlan}, gateway {Gateway} ({Address}) and mailbox {Extension} delivering to {Email}. Call sip:{Extension}@{Address}:{Port};transport=tcp to leave a message.")]
    public static partial void DemoConfigurationCreated(ILogger logger, string dialPlan, string gateway, string address, string extension, string email, int port);

    [LoggerMessage(EventId = 2011, EventName = "ConfigurationReloaded", Level = LogLevel.Information,
        Message = "Configuration version {Version} loaded: {Gateways} gateways ({TrustedAddresses} trusted addresses), {DialPlans} dial plans, {Mailboxes} mailboxes")]
    public static partial void ConfigurationReloaded(ILogger logger, long version, int gateways, int trustedAddresses, int dialPlans, int mailboxes);

    [LoggerMessage(EventId = 2100, EventName = "ConfigurationChanged", Level = LogLevel.Information,
        Message = "{User} {Kind} {ObjectType} {Name} (configuration version {Version}); before: {Before}; after: {After}")]
    public static partial void ConfigurationChanged(ILogger logger, string user, string kind, string objectType, string name, long version, string before, string after);

    [LoggerMessage(EventId = 2008, EventName = "ConfigurationReloadFailed", Level = LogLevel.Error,
        Message = "Reloading the configuration failed; the last good configuration stays in force: {Error}{Suppressed}")]
    public static partial void ConfigurationReloadFailed(ILogger logger, Exception? exception, string error, string suppressed);

    [LoggerMessage(EventId = 2009, EventName = "ConfigurationApplyFailed", Level = LogLevel.Error,
        Message = "Applying configuration version {Version} failed (trusted peers, certificate or listeners); the previous state stays in force: {Error}")]
    public static partial void ConfigurationApplyFailed(ILogger logger, Exception exception, long version, string error);

    [LoggerMessage(EventId = 2013, EventName = "CertificateReloadFailed", Level = LogLevel.Error,
        Message = "The certificate store changed but could not be loaded; the certificate in use stays: {Error}")]
    public static partial void CertificateReloadFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 2014, EventName = "ListenersChanged", Level = LogLevel.Information,
        Message = "The dial plans now call for {Mode} mode: listeners follow without a restart (SIP TCP {TcpPort}, TLS {TlsPort})")]
    public static partial void ListenersChanged(ILogger logger, string mode, int tcpPort, int tlsPort);

    [LoggerMessage(EventId = 2015, EventName = "ConfigurationFeedLost", Level = LogLevel.Warning,
        Message = "Lost the change notifications of the shared configuration store; reconnecting, and polling every {PollSeconds} s meanwhile: {Error}")]
    public static partial void ConfigurationFeedLost(ILogger logger, int pollSeconds, string error);

    [LoggerMessage(EventId = 2016, EventName = "ConfigurationFeedRestored", Level = LogLevel.Information,
        Message = "Listening to the shared configuration store {Store} again after {OutageSeconds} s")]
    public static partial void ConfigurationFeedRestored(ILogger logger, string store, double outageSeconds);

    [LoggerMessage(EventId = 2090, EventName = "ServiceReloaded", Level = LogLevel.Information,
        Message = "Reload requested (SIGHUP, systemctl reload): configuration version {Version}, gateway addresses resolved again, certificate {Certificate}")]
    public static partial void Reloaded(ILogger logger, long version, string certificate);

    [LoggerMessage(EventId = 2091, EventName = "ServiceStopping", Level = LogLevel.Information,
        Message = "Stopping: ending {ActiveCalls} active calls with a BYE, recordings kept and handed to delivery (at most {LimitSeconds} s)")]
    public static partial void Stopping(ILogger logger, int activeCalls, int limitSeconds);

    [LoggerMessage(EventId = 2092, EventName = "CallsOutlivedStop", Level = LogLevel.Warning,
        Message = "{ActiveCalls} calls had not ended {LimitSeconds} s after the stop began; the process exits without them")]
    public static partial void CallsOutlivedStop(ILogger logger, int activeCalls, int limitSeconds);
}
