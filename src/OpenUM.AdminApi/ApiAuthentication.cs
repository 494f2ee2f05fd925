using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenUM.Management;
using OpenUM.Sip;

namespace OpenUM.AdminApi;

/// <summary>Who sent a request, as audit events name them, and what they may do.</summary>
/// <param name="Actor">"token:ops@127.0.0.1" or "cert:CN=admin 3A4F...@192.0.2.7".</param>
internal sealed record ApiPrincipal(string Actor, AdminScope Scope, string? TokenSha256 = null);

/// <summary>
/// Authentication of one request: a client certificate (already validated against the trusted store during the TLS
/// handshake, so one that arrives here is trusted) is the Admin scope; otherwise "Authorization: Bearer oum_..." is
/// looked up by its SHA-256 among &lt;data-dir&gt;/admin-tokens.json. Failures are event 2361, per address at most one per 10 s.
/// </summary>
internal sealed class ApiAuthentication(string dataDirectory, ILogger logger, TimeProvider time)
{
    private readonly AdminTokens _tokens = new(dataDirectory);
    private readonly LogThrottle _throttle = new(time, TimeSpan.FromSeconds(10));
    private readonly Lock _gate = new();
    private (DateTime Written, long Length) _stamp;
    private IReadOnlyList<AdminToken> _cached = [];

    /// <summary>The principal of <paramref name="context"/>, or null after event 2361 (the caller answers 401).</summary>
    public ApiPrincipal? Authenticate(HttpContext context)
    {
        string address = (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
        if (context.Connection.ClientCertificate is { } certificate)
            return new ApiPrincipal($"cert:{certificate.Subject} {certificate.Thumbprint}@{address}", AdminScope.Admin);
        string? header = context.Request.Headers.Authorization;
        string? failure;
        if (string.IsNullOrEmpty(header)) failure = "no credentials (no client certificate, no Authorization header)";
        else if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) failure = "the Authorization header is not a Bearer token";
        else if (AdminTokens.Find(Tokens(), header["Bearer ".Length..].Trim()) is { } token)
            return new ApiPrincipal($"token:{token.Name}@{address}", token.Scope, token.Sha256);
        else failure = "unknown or removed token";
        Failed(address, failure);
        return null;
    }

    /// <summary>
    /// The web console's sign-in: <paramref name="token"/> as the actor "console:NAME@address"; without one, the trusted client
    /// certificate as "console:cert:SUBJECT THUMBPRINT@address" (Admin); or null after event 2361. A token given wins, so a
    /// ReadOnly one is never raised to Admin by the certificate the browser also holds.
    /// </summary>
    public ApiPrincipal? SignIn(HttpContext context, string? token)
    {
        string address = (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
        if (string.IsNullOrWhiteSpace(token) && context.Connection.ClientCertificate is { } certificate)
            return new ApiPrincipal($"console:cert:{certificate.Subject} {certificate.Thumbprint}@{address}", AdminScope.Admin);
        if (!string.IsNullOrWhiteSpace(token) && AdminTokens.Find(Tokens(), token.Trim()) is { } found)
            return new ApiPrincipal($"console:{found.Name}@{address}", found.Scope, found.Sha256);
        Failed(address, string.IsNullOrWhiteSpace(token) ? "console sign-in without a token" : "console sign-in with an unknown or removed token");
        return null;
    }

    /// <summary>
    /// Whether <paramref name="principal"/> still holds what it signed in with: its token is still in the file with the
    /// same scope (a certificate principal holds for as long as its handshake did). A console session checks this on
    /// every request, so `openum admin-token remove` ends the sessions of that token at once.
    /// </summary>
    public bool Holds(ApiPrincipal principal) =>
        principal.TokenSha256 is not { } hash || Tokens().Any(t => t.Scope == principal.Scope && string.Equals(t.Sha256, hash, StringComparison.Ordinal));

    // The token itself is never logged: a mistyped one is often one character away from a good one.
    private void Failed(string address, string failure)
    {
        if (_throttle.ShouldLog(address + "/" + failure, out int suppressed))
            AdminApiEvents.AuthenticationFailed(logger, address, failure, LogThrottle.Describe(suppressed));
    }

    /// <summary>Event 2363 for a read-only principal asking for a change.</summary>
    public void Forbidden(ApiPrincipal principal, HttpContext context)
    {
        if (_throttle.ShouldLog("403/" + principal.Actor, out int suppressed))
            AdminApiEvents.Forbidden(logger, principal.Actor, context.Request.Method, context.Request.Path, LogThrottle.Describe(suppressed));
    }

    // The file is read again only when it changed: `openum admin-token remove` takes effect on the next request.
    private IReadOnlyList<AdminToken> Tokens()
    {
        var file = new FileInfo(_tokens.Path);
        var stamp = file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1);
        lock (_gate)
        {
            if (stamp != _stamp)
            {
                _cached = file.Exists ? _tokens.List() : [];
                _stamp = stamp;
            }
            return _cached;
        }
    }

    /// <summary>How many tokens there are now (event 2360).</summary>
    public int Count => Tokens().Count;
}
