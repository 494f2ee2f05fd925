using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenUM.Management;

namespace OpenUM.AdminApi;

/// <summary>
/// The OpenAPI 3.0 document of the admin API, written from the same command tree the requests are replayed through:
/// each endpoint's fields are its command's options, with their types, enums and descriptions. docs/admin-api.openapi.json
/// is this document, and a test keeps the two equal.
/// </summary>
internal static class OpenApiDocument
{
    /// <summary>The document for <paramref name="verbs"/>, indented, ending with a newline.</summary>
    public static string Write(IReadOnlyList<ApiVerb> verbs)
    {
        var paths = new JsonObject();
        foreach (var verb in verbs)
        {
            var item = paths[verb.Route] as JsonObject ?? new JsonObject();
            paths[verb.Route] = item;
            item[verb.Method.ToLowerInvariant()] = Operation(verb);
        }
        paths[MetricsHistoryJson.Route] = new JsonObject { ["get"] = MetricsHistoryJson.Operation() };
        var document = new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "OpenUM admin API",
                ["version"] = "1",
                ["description"] = "Each endpoint runs the `openum` command it names, with the request's fields as its options: the same " +
                    "validation, messages and audit events. Authenticate with a client certificate added with `openum admin-token " +
                    "new --certificate` or \"Authorization: Bearer\" and a token from `openum admin-token new` (ReadOnly or Admin). See docs/admin-api.md.",
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "A token from `openum admin-token new`." },
                },
                ["schemas"] = new JsonObject { ["Problem"] = ProblemSchema() },
            },
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonObject Operation(ApiVerb verb)
    {
        var operation = new JsonObject
        {
            ["operationId"] = string.Join('-', verb.Path) +
                (verb.Path[^1] == "get" ? (verb.Key == KeyBinding.None ? "-list" : "-one") : ""),
            ["summary"] = "openum " + string.Join(' ', verb.Path),
            ["description"] = verb.Command.Description ?? "",
        };
        var parameters = new JsonArray();
        if (verb.Key != KeyBinding.None)
            parameters.Add(new JsonObject
            {
                ["name"] = "key", ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" },
                ["description"] = KeyDescription(verb),
            });
        if (verb.Method is "GET" or "DELETE")
            foreach (var option in verb.Fields)
                parameters.Add(new JsonObject
                {
                    ["name"] = option.Name[2..], ["in"] = "query", ["required"] = option.Required, ["schema"] = Schema(option), ["description"] = Description(option),
                });
        if (parameters.Count > 0) operation["parameters"] = parameters;
        if (verb.Method is "POST" or "PATCH")
        {
            var properties = new JsonObject();
            foreach (var option in verb.Fields) properties[option.Name[2..]] = Schema(option, Description(option));
            var body = new JsonObject { ["type"] = "object", ["additionalProperties"] = false, ["properties"] = properties };
            var required = verb.Fields.Where(o => o.Required).Select(o => (JsonNode)o.Name[2..]).ToArray();
            if (required.Length > 0) body["required"] = new JsonArray(required);
            operation["requestBody"] = new JsonObject
            {
                ["required"] = required.Length > 0,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = body } },
            };
        }
        var responses = new JsonObject();
        string success = verb.Method == "DELETE" ? "204" : verb.Path[^1] == "new" ? "201" : "200";
        responses[success] = verb.Method == "DELETE"
            ? new JsonObject { ["description"] = "Done." }
            : verb.MediaType is { } mediaType
            ? new JsonObject
            {
                ["description"] = $"What `openum {string.Join(' ', verb.Path)} {string.Join(' ', verb.Preset)}` prints.",
                ["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } },
            }
            : new JsonObject
            {
                ["description"] = $"What `openum {string.Join(' ', verb.Path)} --json` prints.",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject() } },
            };
        foreach (var (status, what) in new[]
        {
            ("400", "Refused: the errors name the fields, the detail is what `openum` prints."), ("401", "No or unknown credentials."),
            ("403", "A ReadOnly token asked for a change."), ("404", "No such object."), ("429", "Too many requests (see Retry-After)."),
        })
            responses[status] = new JsonObject
            {
                ["description"] = what,
                ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
            };
        operation["responses"] = responses;
        return operation;
    }

    private static string KeyDescription(ApiVerb verb) =>
        verb.Key == KeyBinding.NameOption ? "The server's name (--name)"
            : verb.Command.Arguments.FirstOrDefault()?.Description ?? "The object's key";

    private static string Description(Option option) => (option.Description ?? "") +
        (OptionFields.TakesServerPath(option) ? ". A value naming a file on the server is refused (400): use `openum` on the server for files." : "");

    private static JsonObject Schema(Option option, string? description = null)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        JsonObject schema;
        if (type.IsArray)
            schema = new JsonObject { ["type"] = "array", ["items"] = Scalar(type.GetElementType()!) };
        else
            schema = Scalar(type);
        if (description is not null) schema["description"] = description;
        return schema;
    }

    private static JsonObject Scalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return new JsonObject { ["type"] = "integer" };
        if (type == typeof(bool)) return new JsonObject { ["type"] = "boolean" };
        if (type.IsEnum) return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(Enum.GetNames(type).Select(n => (JsonNode)n).ToArray()) };
        return new JsonObject { ["type"] = "string" };
    }

    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details.",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string", ["description"] = "What `openum` prints on standard error for the same request." },
            ["errors"] = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["field"] = new JsonObject { ["type"] = "string", ["nullable"] = true, ["description"] = "The field (the option without its dashes)." },
                        ["message"] = new JsonObject { ["type"] = "string" },
                    },
                },
            },
        },
    };
}
