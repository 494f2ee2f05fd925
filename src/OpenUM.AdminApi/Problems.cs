using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenUM.Management;

namespace OpenUM.AdminApi;

/// <summary>
/// RFC 9457 problem details: status, title, detail (the exact text `openum` prints on standard error for the same
/// mistake) and "errors", one {field, message} per error, field being the option without its dashes.
/// </summary>
internal static class Problems
{
    /// <summary>The media type of a problem.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>Writes a problem with <paramref name="status"/>.</summary>
    public static Task WriteAsync(HttpContext context, int status, string detail, IEnumerable<CommandError> errors)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object?>
        {
            ["type"] = "about:blank",
            ["title"] = Title(status),
            ["status"] = status,
            ["detail"] = detail.TrimEnd(),
            ["errors"] = errors.Select(e => new { field = Field(e.Option), message = e.Message }).ToList(),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    /// <summary>Writes a problem without field errors.</summary>
    public static Task WriteAsync(HttpContext context, int status, string detail) => WriteAsync(context, status, detail, []);

    /// <summary>"--number-of-digits-in-extension" → "number-of-digits-in-extension", "&lt;name&gt;" → "name"; null when the error names nothing.</summary>
    public static string? Field(string? option) => option?.TrimStart('-').Trim('<', '>');

    private static string Title(int status) => status switch
    {
        400 => "The request was refused",
        401 => "Authentication required",
        403 => "Not allowed with this token",
        404 => "No such object",
        405 => "Method not allowed",
        413 => "Request body too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "The command failed",
    };
}
