using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenUM.Management;

namespace OpenUM.AdminApi;

/// <summary>One request end to end: authenticate, authorize, turn it into the command's words, replay it, answer.</summary>
internal sealed class ApiHandler(CommandRunner runner, ApiAuthentication authentication, AdminApiSettings settings)
{
    private static readonly JsonDocumentOptions BodyLimits = new() { MaxDepth = 8 };

    /// <summary>Answers <paramref name="context"/> with <paramref name="verb"/>.</summary>
    public async Task HandleAsync(HttpContext context, ApiVerb verb)
    {
        if (await AuthorizeAsync(context, verb.Changes).ConfigureAwait(false) is not { } principal) return;
        JsonElement? body = null;
        if (verb.Method is "POST" or "PATCH" && HasBody(context.Request))
        {
            if (!IsJson(context.Request.ContentType))
            {
                await Problems.WriteAsync(context, 415, "error: the body must be application/json.").ConfigureAwait(false);
                return;
            }
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, BodyLimits, context.RequestAborted).ConfigureAwait(false);
                body = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                await Problems.WriteAsync(context, 400, $"error: the body is not JSON: {e.Message}").ConfigureAwait(false);
                return;
            }
            catch (BadHttpRequestException e)
            {
                // Over MaxBodyBytes (413), or a body that stopped arriving.
                await Problems.WriteAsync(context, e.StatusCode, $"error: {e.Message}").ConfigureAwait(false);
                return;
            }
        }
        string? key = context.Request.RouteValues.TryGetValue("key", out var value) ? value as string : null;
        var (tokens, refused) = RequestTokens.Build(verb, key, body, context.Request.Query, settings);
        if (tokens is null)
        {
            await Problems.WriteAsync(context, 400, Lines(refused), refused).ConfigureAwait(false);
            return;
        }
        var run = await runner.RunAsync(tokens, principal.Actor, context.RequestAborted).ConfigureAwait(false);
        await AnswerAsync(context, verb, run, body).ConfigureAwait(false);
    }

    /// <summary>The principal allowed to do what is asked, or null once 401 or 403 has been answered.</summary>
    public async Task<ApiPrincipal?> AuthorizeAsync(HttpContext context, bool changes)
    {
        if (authentication.Authenticate(context) is not { } principal)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"openum\"";
            await Problems.WriteAsync(context, 401, "error: send a token (Authorization: Bearer oum_...; see `openum admin-token new`) or a client certificate added with `openum admin-token new --certificate`.").ConfigureAwait(false);
            return null;
        }
        if (changes && principal.Scope != AdminScope.Admin)
        {
            authentication.Forbidden(principal, context);
            await Problems.WriteAsync(context, 403, $"error: {principal.Actor} has a {principal.Scope} token: it may read, not change.").ConfigureAwait(false);
            return null;
        }
        return principal;
    }

    private static async Task AnswerAsync(HttpContext context, ApiVerb verb, CommandRun run, JsonElement? body)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!verb.SuccessCodes.Contains(run.ExitCode))
        {
            int status = run.ExitCode == CommandRunner.Failed ? 500 : run.Errors.Any(e => e.NotFound) ? 404
                : run.ExitCode == 2 || run.Errors.Any(e => e.Option is not null) ? 400 : 503;
            await Problems.WriteAsync(context, status, run.Error, run.Errors).ConfigureAwait(false);
            return;
        }
        if (verb.Method == "DELETE")
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        if (verb.Path[^1] == "new")
        {
            response.StatusCode = StatusCodes.Status201Created;
            string keyName = verb.Command.Options.First(o => o.Required && o.Name is "--name" or "--extension").Name[2..];
            if (body is { ValueKind: JsonValueKind.Object } fields && fields.TryGetProperty(keyName, out var created) && created.ValueKind == JsonValueKind.String)
                response.Headers.Location = $"{ApiRoutes.Prefix}/{verb.Path[0]}/{Uri.EscapeDataString(created.GetString()!)}";
        }
        if (verb.MediaType is { } mediaType)
        {
            response.ContentType = mediaType;
            await response.WriteAsync(run.Output, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(AsJson(run.Output), context.RequestAborted).ConfigureAwait(false);
    }

    // The CLI's --json output as it is; the few verbs that print a sentence (outbox retry) answer {"message": ...}.
    private static string AsJson(string output)
    {
        try
        {
            using var _ = JsonDocument.Parse(output);
            return output;
        }
        catch (JsonException)
        {
            return JsonSerializer.Serialize(new { message = output.TrimEnd() });
        }
    }

    /// <summary>The refusals as `openum` would print them: one "error: --option: message" line each.</summary>
    public static string Lines(IEnumerable<CommandError> errors)
    {
        var text = new StringBuilder();
        foreach (var e in errors) text.Append(e.Option is null ? $"error: {e.Message}\n" : $"error: {e.Option}: {e.Message}\n");
        return text.ToString();
    }

    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);
}
