using F = OpenUM.Directory.ConfigurationFields;

using OpenUM.Media.Srtp;

namespace OpenUM.Directory;

// CFG-1 rules for UM servers and mailboxes.
public static partial class ConfigurationValidator
{
    /// <summary>Validates a UM server: served dial plans, limits and ports.</summary>
    public static void ValidateUmServer(UmServer server, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(configuration);
        ValidateName(server.Name, "UM server");
        if (configuration.FindUmServer(server.Name) is { } other && other.Id != server.Id)
        {
            throw Fail(F.Name, $"a UM server named '{other.Name}' already exists (names are case-insensitive)");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in server.DialPlans)
        {
            if (name is null || configuration.FindDialPlan(name) is null)
            {
                throw Fail(F.DialPlans, $"dial plan '{name}' does not exist; create it first");
            }

            if (!seen.Add(name))
            {
                throw Fail(F.DialPlans, $"dial plan '{name}' is listed twice");
            }
        }

        RequireDefined(server.Status, F.Status);
        RequireDefined(server.StartupMode, F.StartupMode);
        var (minCalls, maxCalls) = MaxCallsAllowedRange;
        if (server.MaxCallsAllowed < minCalls || server.MaxCallsAllowed > maxCalls)
        {
            throw Fail(F.MaxCallsAllowed, $"{server.MaxCallsAllowed} is out of range: allowed {minCalls} to {maxCalls}");
        }

        ValidateListeningPort(server.SipTcpListeningPort, F.SipTcpListeningPort);
        ValidateListeningPort(server.SipTlsListeningPort, F.SipTlsListeningPort);
        if (server.SipTcpListeningPort == server.SipTlsListeningPort)
        {
            throw Fail(F.SipTlsListeningPort, $"the TLS port must differ from the TCP port ({server.SipTcpListeningPort}); defaults are 5060 (TCP) and 5061 (TLS)");
        }

        if (server.StartSecured is not (0 or 1))
        {
            throw Fail(F.StartSecured, $"{server.StartSecured} is not allowed: give 0 (unsecured) or 1 (secured)");
        }

        if (server.CertificateThumbprint is { } thumb && (thumb.Length is not (40 or 64) || !thumb.All(char.IsAsciiHexDigit)))
        {
            throw Fail(F.CertificateThumbprint, $"'{thumb}' is not a thumbprint: give 40 (SHA-1) or 64 (SHA-256) hexadecimal digits");
        }

        ValidateSrtp(server);
        ValidateSmartHost(server);
        ValidateImap(server);
        ValidateConnections(server);
        ValidateStorage(server);
    }

    private static void ValidateStorage(UmServer server)
    {
        if (server.MinFreeSpaceMB is < 0 or > UmServer.MaxMinFreeSpaceMB)
            throw Fail(F.MinFreeSpaceMB, $"{server.MinFreeSpaceMB} is out of range: allowed 1 to {UmServer.MaxMinFreeSpaceMB} MB, or 0 for automatic (room for the longest recording of each call in progress and the next)");
        if (server.MinFreeInodes is < 0 or > UmServer.MaxMinFreeInodes)
            throw Fail(F.MinFreeInodes, $"{server.MinFreeInodes} is out of range: allowed 1 to {UmServer.MaxMinFreeInodes}, or 0 for automatic ({UmServer.InodesPerCall} per call in progress and the next)");
    }

    /// <summary>Allowed TlsHandshakeTimeout and SipMessageTimeout ranges.</summary>
    public static readonly (TimeSpan Min, TimeSpan Max) TlsHandshakeTimeoutRange = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)),
        SipMessageTimeoutRange = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120));

    private static void ValidateConnections(UmServer server)
    {
        if (server.TlsHandshakeTimeout < TlsHandshakeTimeoutRange.Min || server.TlsHandshakeTimeout > TlsHandshakeTimeoutRange.Max)
            throw Fail(F.TlsHandshakeTimeout, $"{server.TlsHandshakeTimeout.TotalSeconds:0.###} s is out of range: allowed 1 to 60 seconds; default 10");
        if (server.SipMessageTimeout < SipMessageTimeoutRange.Min || server.SipMessageTimeout > SipMessageTimeoutRange.Max)
            throw Fail(F.SipMessageTimeout, $"{server.SipMessageTimeout.TotalSeconds:0.###} s is out of range: allowed 1 to 120 seconds; default 10");
        if (server.MaxConnectionsPerAddress is < 1 or > 10_000)
            throw Fail(F.MaxConnectionsPerAddress, $"{server.MaxConnectionsPerAddress} is out of range: allowed 1 to 10000; default 64");
        if (server.ConnectionRatePerAddress is < 1 or > 10_000)
            throw Fail(F.ConnectionRatePerAddress, $"{server.ConnectionRatePerAddress} is out of range: allowed 1 to 10000 new connections per second; default 50");
    }

    private static void ValidateSrtp(UmServer server)
    {
        var seen = new HashSet<SrtpSuite>();
        foreach (var name in server.SrtpCryptoSuites)
        {
            if (!SrtpSuites.TryParse(name, out var suite))
            {
                throw Fail(F.SrtpCryptoSuites, $"'{name}' is not an SRTP crypto suite; give one or more of "
                    + string.Join(", ", SrtpSuites.DefaultPreference.Select(SrtpSuites.Name)));
            }
            if (!seen.Add(suite.Value))
            {
                throw Fail(F.SrtpCryptoSuites, $"'{name}' is listed twice; give each suite once, most preferred first");
            }
        }

        if (server.SrtpReplayWindow is < 64 or > 32768)
        {
            throw Fail(F.SrtpReplayWindow, $"{server.SrtpReplayWindow} is out of range: allowed 64 (RFC 3711 minimum) to 32768; default {UmServer.DefaultSrtpReplayWindow}");
        }

        if (server.RtpProbation is < Media.Session.MediaSourcePolicy.MinProbation or > Media.Session.MediaSourcePolicy.MaxProbation)
        {
            throw Fail(F.RtpProbation, $"{server.RtpProbation} is out of range: allowed {Media.Session.MediaSourcePolicy.MinProbation} to {Media.Session.MediaSourcePolicy.MaxProbation} packets in sequence; default {Media.Session.MediaSourcePolicy.DefaultProbation}");
        }
    }

    /// <summary>Validates a mailbox: dial plan, extension length and uniqueness, address, SIP URI, greeting path.</summary>
    public static void ValidateMailbox(Mailbox mailbox, ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        ArgumentNullException.ThrowIfNull(configuration);
        var dialPlan = string.IsNullOrEmpty(mailbox.DialPlan) ? null : configuration.FindDialPlan(mailbox.DialPlan)
            ?? throw Fail(F.DialPlan, $"dial plan '{mailbox.DialPlan}' does not exist; create it first");
        if (dialPlan is null)
        {
            throw Fail(F.DialPlan, "a dial plan is required");
        }

        if (!ConfigurationRules.IsDigits(mailbox.Extension) || mailbox.Extension.Length != dialPlan.NumberOfDigitsInExtension)
        {
            throw Fail(F.Extension,
                $"'{mailbox.Extension}' is not allowed: dial plan '{dialPlan.Name}' needs exactly {dialPlan.NumberOfDigitsInExtension} digits");
        }

        if (configuration.FindMailbox(dialPlan.Name, mailbox.Extension) is { } taken && taken.Id != mailbox.Id)
        {
            throw Fail(F.Extension, $"extension {mailbox.Extension} is already used in dial plan '{dialPlan.Name}' by {taken.EmailAddress}");
        }

        if (mailbox.DisplayName is null || mailbox.DisplayName.Length > 256 || ConfigurationRules.HasControlCharacters(mailbox.DisplayName))
        {
            throw Fail(F.DisplayName, "the display name must be at most 256 characters without control characters");
        }

        if (!ConfigurationRules.IsEmailAddress(mailbox.EmailAddress))
        {
            throw Fail(F.Email,
                $"'{mailbox.EmailAddress}' is not a valid address: give local@domain in ASCII (local part: letters, digits and !#$%&'*+-=?^_`{{|}}~ with single dots; domain: a host name)");
        }

        if (configuration.FindMailboxByEmail(mailbox.EmailAddress) is { } sameAddress && sameAddress.Id != mailbox.Id)
        {
            throw Fail(F.Email, $"{mailbox.EmailAddress} already has a mailbox (extension {sameAddress.Extension} in dial plan '{sameAddress.DialPlan}')");
        }

        if (mailbox.SipUri is { } sip && !IsSipUri(sip))
        {
            throw Fail(F.SipUri, $"'{sip}' is not allowed: give sip:user@host (or sips:), at most 256 characters, without spaces");
        }

        if (dialPlan.UriType == UmUriType.SipName && string.IsNullOrEmpty(mailbox.SipUri))
        {
            throw Fail(F.SipUri, $"dial plan '{dialPlan.Name}' is a SipName plan, so the mailbox needs a SIP URI (sip:user@host)");
        }

        // SipName plans find the mailbox by this address: two mailboxes of a plan cannot share it.
        if (mailbox.SipUri is { } own && configuration.FindMailboxBySipUri(dialPlan.Name, own) is { } sameSip && sameSip.Id != mailbox.Id)
        {
            throw Fail(F.SipUri, $"{own} is already the SIP address of mailbox {sameSip.Extension} in dial plan '{sameSip.DialPlan}'");
        }

        if (mailbox.MailboxPolicy is { } policy && !IsValidName(policy))
        {
            throw Fail(F.MailboxPolicy, $"'{policy}' is not a valid policy name: 1-{ConfigurationRules.MaxNameLength} characters without control characters or surrounding spaces");
        }

        ValidateMailboxPolicyReference(mailbox, dialPlan, configuration);

        if (mailbox.GreetingFile is { } greeting && !IsSafeRelativePath(greeting))
        {
            throw Fail(F.GreetingFile, $"'{greeting}' is not allowed: give a path relative to the data directory, without '..', at most 256 characters");
        }

        ValidateLanguage(mailbox.Language, F.Language, optional: true);
    }

    private static bool IsSipUri(string value)
    {
        var rest = value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) ? value[4..]
            : value.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) ? value[5..]
            : null;
        if (rest is null || value.Length > 256 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"'))
        {
            return false;
        }

        var at = rest.IndexOf('@');
        return at > 0 && at < rest.Length - 1;
    }

    private static bool IsSafeRelativePath(string path) =>
        path.Length is > 0 and <= 256
        && !ConfigurationRules.HasControlCharacters(path)
        && !Path.IsPathRooted(path)
        && !path.Contains('\\')
        && !path.Split('/').Any(segment => segment is ".." or "");
}
