using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenUM.Management;

/// <summary>`openum admin-token new|get|remove`: the bearer tokens of the admin API (docs/admin-api.md).</summary>
internal static class AdminTokenCommands
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "The token's name, which audit events give as its user (token:NAME@address)", Required = true };
        var scope = new Option<AdminScope>("--scope") { Description = "ReadOnly (reads only) or Admin (reads and changes)", Required = true };
        var create = new Command("new", "Make a token and print it: it is shown only now (the data directory keeps its SHA-256 only).\n" +
            "Example: openum admin-token new --name ops --scope ReadOnly") { name, scope };
        create.SetAction(result => CliContext.Run(result, (_, data) =>
        {
            string tokenName = result.GetValue(name)!;
            if (tokenName.Length is 0 or > 64 || !tokenName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new CliException($"--name: '{tokenName}' is not 1-64 letters, digits, '-', '_' or '.'.");
            var tokenScope = result.GetValue(scope);
            string token = new AdminTokens(data.Root).Create(tokenName, tokenScope, DateTimeOffset.UtcNow);
            Log(data, logger => AdminTokenEvents.Created(logger, CommandConsole.Actor, tokenName, tokenScope.ToString()));
            if (result.GetValue(CliContext.JsonOption))
                CommandConsole.Out.WriteLine(JsonSerializer.Serialize(new { name = tokenName, scope = tokenScope, token }, CliContext.Json));
            else
            {
                CommandConsole.Out.WriteLine(token);
                CommandConsole.Error.WriteLine($"Token '{tokenName}' ({tokenScope}): shown only now; send it as \"Authorization: Bearer <token>\".");
            }
            return 0;
        }));

        var get = new Command("get", "List the tokens: name, scope and creation time (never the tokens or their hashes).\nExample: openum admin-token get");
        get.SetAction(result => CliContext.Run(result, (_, data) =>
        {
            CliContext.Print(result, new AdminTokens(data.Root).List().Select(t => new Row(t.Name, t.Scope, t.Created)).ToList(),
                ("Name", t => t.Name), ("Scope", t => t.Scope), ("Created", t => t.Created.ToString("u")));
            return 0;
        }));

        var key = new Argument<string>("name") { Description = "The token to remove" };
        var remove = new Command("remove", "Remove a token: requests bearing it are refused from now on.\nExample: openum admin-token remove ops") { key };
        remove.SetAction(result => CliContext.Run(result, (_, data) =>
        {
            string tokenName = result.GetValue(key)!;
            if (!new AdminTokens(data.Root).Remove(tokenName))
                throw new UnknownObjectException($"there is no admin token '{tokenName}' (list them with: openum admin-token get).");
            Log(data, logger => AdminTokenEvents.Removed(logger, CommandConsole.Actor, tokenName));
            CommandConsole.Out.WriteLine($"Removed admin token {tokenName}.");
            return 0;
        }));
        return new Command("admin-token", "Bearer tokens of the admin API (openum serve --admin-api-port).") { create, get, remove };
    }

    private static void Log(OpenUM.Server.DataDirectory data, Action<ILogger> write)
    {
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(data);
        write(events.CreateLogger("OpenUM.Cli"));
    }

    private sealed record Row(string Name, AdminScope Scope, DateTimeOffset Created);
}

/// <summary>Events of the admin API's tokens (docs/events.md, 2360-2369 are the admin API's).</summary>
internal static partial class AdminTokenEvents
{
    [LoggerMessage(EventId = 2365, EventName = "AdminTokenCreated", Level = LogLevel.Information,
        Message = "{User} made admin API token {Name} with scope {Scope}")]
    public static partial void Created(ILogger logger, string user, string name, string scope);

    [LoggerMessage(EventId = 2366, EventName = "AdminTokenRemoved", Level = LogLevel.Information,
        Message = "{User} removed admin API token {Name}")]
    public static partial void Removed(ILogger logger, string user, string name);
}
