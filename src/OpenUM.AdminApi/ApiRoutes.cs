using System.CommandLine;

namespace OpenUM.AdminApi;

/// <summary>How an endpoint's {key} reaches the command: as its argument, as an option, or not at all.</summary>
internal enum KeyBinding
{
    /// <summary>The endpoint has no key.</summary>
    None,
    /// <summary>The command's one argument (`dialplan set KEY`).</summary>
    Argument,
    /// <summary>The command's --name option (`server set --name KEY`).</summary>
    NameOption,
}

/// <summary>One management verb as an HTTP endpoint: the same command runs, with the request's fields as its options.</summary>
/// <param name="Method">GET, POST, PATCH or DELETE.</param>
/// <param name="Route">The route template ("/api/v1/dialplan/{key}").</param>
/// <param name="Path">The command's words ("dialplan", "set").</param>
/// <param name="Command">The command the request is replayed through.</param>
/// <param name="Key">Where {key} goes.</param>
/// <param name="SuccessCodes">Exit codes that are answers rather than errors (the audit's 3-6 say how bad its findings are).</param>
internal sealed record ApiVerb(string Method, string Route, string[] Path, Command Command, KeyBinding Key, int[] SuccessCodes)
{
    /// <summary>Whether the verb changes something (needs the Admin scope).</summary>
    public bool Changes => Method != "GET";

    /// <summary>Words the endpoint itself adds to the command ("--out=-"): the request cannot give or change them.</summary>
    public string[] Preset { get; init; } = [];

    /// <summary>Options of the command a request may not give (those the endpoint presets, or that make no sense in an answer).</summary>
    public string[] Withheld { get; init; } = [];

    /// <summary>The media type of the answer when it is what the command prints rather than JSON (a PEM request: application/pkcs10).</summary>
    public string? MediaType { get; init; }

    /// <summary>The options a request may give: the command's own, less the withheld (values naming files on the server are refused, not hidden).</summary>
    public IEnumerable<Option> Fields => Command.Options.Where(o => !o.Hidden && !(Key == KeyBinding.NameOption && o.Name == "--name") && !Withheld.Contains(o.Name));
}

/// <summary>The endpoints of the admin API, read from the management command tree: what the CLI has, the API has.</summary>
internal static class ApiRoutes
{
    /// <summary>The prefix of every endpoint.</summary>
    public const string Prefix = "/api/v1";

    /// <summary>The configuration objects whose verbs are endpoints: /api/v1/{noun}[/{key}[/{verb}]].</summary>
    public static readonly string[] ObjectNouns = ["dialplan", "gateway", "huntgroup", "mailbox", "mailboxpolicy", "autoattendant"];

    /// <summary>Verbs of those nouns that have no endpoint, and why: the test that every verb has its twin reads this list.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotExposed = new Dictionary<string, string>
    {
        ["mailbox set-pin"] = "reads the new PIN from a file or standard input of the server",
        ["mailbox reset-pin"] = "prints the new PIN: PINs never travel in an API response",
        ["mailbox messages"] = "reads a user's voice messages, which are the user's, not the administrator's",
        ["mailbox play-on-phone"] = "places a call",
    };

    /// <summary>Every endpoint, built from <paramref name="root"/>.</summary>
    public static IReadOnlyList<ApiVerb> From(RootCommand root)
    {
        var verbs = new List<ApiVerb>();
        foreach (string noun in ObjectNouns)
        {
            var command = Sub(root, noun);
            foreach (var verb in command.Subcommands)
            {
                if (NotExposed.ContainsKey($"{noun} {verb.Name}")) continue;
                string[] path = [noun, verb.Name];
                verbs.Add(verb.Name switch
                {
                    "get" => new ApiVerb("GET", $"{Prefix}/{noun}/{{key}}", path, verb, KeyBinding.Argument, [0]),
                    "new" => new ApiVerb("POST", $"{Prefix}/{noun}", path, verb, KeyBinding.None, [0]),
                    "set" => new ApiVerb("PATCH", $"{Prefix}/{noun}/{{key}}", path, verb, KeyBinding.Argument, [0]),
                    "remove" => new ApiVerb("DELETE", $"{Prefix}/{noun}/{{key}}", path, verb, KeyBinding.Argument, [0]),
                    // Any other verb of an object (autoattendant enable|disable) acts on one object.
                    _ => new ApiVerb("POST", $"{Prefix}/{noun}/{{key}}/{verb.Name}", path, verb, KeyBinding.Argument, [0]),
                });
                if (verb.Name == "get") verbs.Add(new ApiVerb("GET", $"{Prefix}/{noun}", path, verb, KeyBinding.None, [0]));
            }
        }
        verbs.Add(Verb(root, "GET", "server", KeyBinding.None, "server", "get"));
        verbs.Add(Verb(root, "PATCH", "server/{key}", KeyBinding.NameOption, "server", "set"));
        verbs.Add(Verb(root, "GET", "status", KeyBinding.None, "status"));
        verbs.Add(Verb(root, "GET", "calls", KeyBinding.None, "calls", "list"));
        verbs.Add(Verb(root, "GET", "outbox", KeyBinding.None, "outbox", "list"));
        verbs.Add(Verb(root, "POST", "outbox/retry", KeyBinding.None, "outbox", "retry"));
        verbs.Add(Verb(root, "POST", "outbox/purge", KeyBinding.None, "outbox", "purge"));
        // Exit codes 3-6 rank the worst finding: the report is the answer either way.
        verbs.Add(Verb(root, "GET", "security/audit", KeyBinding.None, "security", "audit") with { SuccessCodes = [0, 3, 4, 5, 6] });
        verbs.Add(Verb(root, "GET", "cert", KeyBinding.None, "cert", "list"));
        // The request is the answer: the endpoint writes it to standard output itself, so no client ever names a file on the server.
        verbs.Add(Verb(root, "POST", "cert/request", KeyBinding.None, "cert", "new-request")
            with { Preset = ["--out=-"], Withheld = ["--out", "--der"], MediaType = CertificateRequestMediaType });
        return verbs;
    }

    /// <summary>RFC 5967's media type of a PKCS#10 request (sent as PEM, what CAs' forms and openssl take).</summary>
    public const string CertificateRequestMediaType = "application/pkcs10";

    private static ApiVerb Verb(RootCommand root, string method, string route, KeyBinding key, params string[] path)
    {
        Command command = root;
        foreach (string word in path) command = Sub(command, word);
        return new ApiVerb(method, $"{Prefix}/{route}", path, command, key, [0]);
    }

    private static Command Sub(Command parent, string name) =>
        parent.Subcommands.FirstOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"the command tree has no `{parent.Name} {name}`");
}
