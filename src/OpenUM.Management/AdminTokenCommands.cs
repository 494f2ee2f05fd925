using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenUM.Management;

/// <summary>`openum admin-token new|get|remove`: the bearer tokens and client certificates of the admin API (docs/admin-api.md).</summary>
internal static class AdminTokenCommands
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The token's name, which audit events give as its user (token:NAME@address)", Required = true };
        var scope = new Option<AdminScope>("--scope") { Description = "ReadOnly (reads only) or Admin (reads and changes)", Required = true };
        var certificateFile = new Option<FileInfo>("--certificate")
        {
            Description = "Instead of making a token, add this client certificate (PEM or DER file, no key) as the credential: the admin API " +
                "then accepts it with this scope. It must also pass the handshake's check against the UM trusted store (openum cert trust)",
        };
        var create = new Command("new", "Make a token and print it: it is shown only now (the data directory keeps its SHA-256 only).\n" +
            "With --certificate, add a client certificate instead (a certificate the trusted store accepts is no credential until added).\n" +
            "Example: openum admin-token new --name ops --scope ReadOnly\n" +
            "Example: openum admin-token new --name alice --scope Admin --certificate alice.pem") { name, scope, certificateFile };
        create.SetAction(result => CliContext.Run(result, (_, data) =>
        {
            string tokenName = result.GetValue(name)!;
            if (tokenName.Length is 0 or > 64 || !tokenName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new CliException($"--name: '{tokenName}' is not 1-64 letters, digits, '-', '_' or '.'.");
            var tokenScope = result.GetValue(scope);
            if (result.GetValue(certificateFile) is { } file)
            {
                using var certificate = ReadCertificate(file);
                new AdminTokens(data.Root).AddCertificate(tokenName, tokenScope, certificate, DateTimeOffset.UtcNow);
                string credential = $"certificate {certificate.Subject} (SHA-256 {AdminTokens.Fingerprint(certificate)})";
                Log(data, logger => AdminTokenEvents.Created(logger, CommandConsole.Actor, tokenName, credential, tokenScope.ToString()));
                if (result.GetValue(CliContext.JsonOption))
                    CommandConsole.Out.WriteLine(JsonSerializer.Serialize(new { name = tokenName, scope = tokenScope, certificate = AdminTokens.Fingerprint(certificate) }, CliContext.Json));
                else
                    CommandConsole.Out.WriteLine($"Added admin API credential {tokenName} ({tokenScope}): {credential}.");
                return 0;
            }
            string token = new AdminTokens(data.Root).Create(tokenName, tokenScope, DateTimeOffset.UtcNow);
            Log(data, logger => AdminTokenEvents.Created(logger, CommandConsole.Actor, tokenName, "token", tokenScope.ToString()));
            if (result.GetValue(CliContext.JsonOption))
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(new { name = tokenName, scope = tokenScope, token }, CliContext.Json));
            else
            {
                CommandConsole.Out.WriteLine(token);
                CommandConsole.Error.WriteLine($"Token '{tokenName}' ({tokenScope}): shown only now; send it as \"Authorization: Bearer <token>\".");
            }
            return 0;
        }));

        var get = new Command("get", "List the credentials: name, scope, token or certificate, and creation time (never the tokens or their hashes).\n" +
            "Example: openum admin-token get");
        get.SetAction(result => CliContext.Run(result, (_, data) =>
        {
            CliContext.Print(result, new AdminTokens(data.Root).List().Select(t => new Row(t.Name, t.Scope, t.Credential, t.Created)).ToList(),
                ("Name", t => t.Name), ("Scope", t => t.Scope), ("Credential", t => t.Credential), ("Created", t => t.Created.ToString("u")));
            return 0;
        }));

        var key = new Argument<string>("name") { Description = "The token or certificate credential to remove" };
        var remove = new Command("remove", "Remove a token or a certificate credential: requests bearing it are refused from now on.\n" +
            "Example: openum admin-token remove ops") { key };
        remove.SetAction(result => CliContext.Run(result, (_, data) =>
        {
            string tokenName = result.GetValue(key)!;
            if (!new AdminTokens(data.Root).Remove(tokenName))
                throw new UnknownObjectException($"there is no admin API token or certificate '{tokenName}' (list them with: openum admin-token get).");
            Log(data, logger => AdminTokenEvents.Removed(logger, CommandConsole.Actor, tokenName));
            CommandConsole.Out.WriteLine($"Removed admin token {tokenName}.");
            return 0;
        }));
        return new Command("admin-token", "Bearer tokens and client certificates of the admin API (openum serve --admin-api-port).") { create, get, remove };
    }

    // A certificate file as CAs and browsers export them: PEM (the first CERTIFICATE block; a key beside it is not read) or DER.
    private static X509Certificate2 ReadCertificate(FileInfo file)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--certificate: cannot read {file.FullName}: {e.Message}");
        }
        try
        {
            string text = System.Text.Encoding.ASCII.GetString(data);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(data);
        }
        catch (CryptographicException e)
        {
            throw new CliException($"--certificate: {file.FullName} is not a PEM or DER X.509 certificate ({e.Message}).");
        }
    }

    private static void Log(OpenUM.Server.DataDirectory data, Action<ILogger> write)
    {
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(data);
        write(events.CreateLogger("OpenUM.Cli"));
    }

    private sealed record Row(string Name, AdminScope Scope, string Credential, DateTimeOffset Created);
}

/// <summary>Events of the admin API's credentials (docs/events.md, 2360-2369 are the admin API's).</summary>
internal static partial class AdminTokenEvents
{
    [LoggerMessage(EventId = 2365, EventName = "AdminTokenCreated", Level = LogLevel.Information,
        Message = "{User} made admin API credential {Name} ({Credential}) with scope {Scope}")]
    public static partial void Created(ILogger logger, string user, string name, string credential, string scope);

    [LoggerMessage(EventId = 2366, EventName = "AdminTokenRemoved", Level = LogLevel.Information,
        Message = "{User} removed admin API credential {Name}")]
    public static partial void Removed(ILogger logger, string user, string name);
}
