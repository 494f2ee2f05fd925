using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenUM.Management;
using OpenUM.Sip;

namespace OpenUM.AdminApi;

/// <summary>Who sent a request, as audit events name them, and what they may do.</summary>
/// <param name="Actor">"token:ops@127.0.0.1" or "cert:alice@192.0.2.7".</param>
/// <param name="Scope">What the credential may do.</param>
/// <param name="Credential">The stored credential it signed in with (its name), checked again by <see cref="ApiAuthentication.Holds"/>.</param>
internal sealed record ApiPrincipal(string Actor, AdminScope Scope, AdminToken Credential);

/// <summary>
/// Authentication of one request: a client certificate (validated against the trusted store during the TLS handshake)
/// that was added with `openum admin-token new --certificate`, with the scope it was given, unless the request sends
/// "Authorization: Bearer oum_...", which is then looked up by its SHA-256 and decides. Both are in &lt;data-dir&gt;/admin-tokens.json. A certificate the trusted
/// store accepts but nobody added is no credential: the store also trusts the CAs of gateways and phones. Failures are
/// event 2361, per address at most one per 10 s (the throttle the endpoint's other refusals share).
/// </summary>
internal sealed class ApiAuthentication(string dataDirectory, ILogger logger, LogThrottle throttle)
{
    private readonly AdminTokens _tokens = new(dataDirectory);
    private readonly Lock _gate = new();
    private (DateTime Written, long Length) _stamp;
    private IReadOnlyList<AdminToken> _cached = [];

    /// <summary>The principal of <paramref name="context"/>, or null after event 2361 (the caller answers 401).</summary>
    public ApiPrincipal? Authenticate(HttpContext context)
    {
        string address = (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
        string? header = context.Request.Headers.Authorization;
        // A token sent decides, as on the console's sign-in page: a client choosing a ReadOnly token stays ReadOnly.
        if (string.IsNullOrEmpty(header) && CertificateCredential(context) is { } added)
            return new ApiPrincipal($"cert:{added.Name}@{address}", added.Scope, added);
        string? failure;
        if (string.IsNullOrEmpty(header)) failure = context.Connection.ClientCertificate is { } unknown ? NotAdded(unknown) : "no credentials (no client certificate, no Authorization header)";
        else if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) failure = "the Authorization header is not a Bearer token";
        else if (AdminTokens.Find(Tokens(), header["Bearer ".Length..].Trim()) is { } token)
            return new ApiPrincipal($"token:{token.Name}@{address}", token.Scope, token);
        else failure = "unknown or removed token";
        Failed(address, failure);
        return null;
    }

    /// <summary>
    /// The web console's sign-in: <paramref name="token"/> as the actor "console:NAME@address"; without one, the added client
    /// certificate as "console:cert:NAME@address"; or null after event 2361. A token given wins, so a ReadOnly one is never
    /// raised to Admin by the certificate the browser also holds.
    /// </summary>
    public ApiPrincipal? SignIn(HttpContext context, string? token)
    {
        string address = (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
        if (string.IsNullOrWhiteSpace(token) && CertificateCredential(context) is { } added)
            return new ApiPrincipal($"console:cert:{added.Name}@{address}", added.Scope, added);
        if (!string.IsNullOrWhiteSpace(token) && AdminTokens.Find(Tokens(), token.Trim()) is { } found)
            return new ApiPrincipal($"console:{found.Name}@{address}", found.Scope, found);
        Failed(address, !string.IsNullOrWhiteSpace(token) ? "console sign-in with an unknown or removed token"
            : context.Connection.ClientCertificate is { } unknown ? "console sign-in: " + NotAdded(unknown) : "console sign-in without a token");
        return null;
    }

    /// <summary>The credential the connection's client certificate was added as, or null (none presented, or never added).</summary>
    public AdminToken? CertificateCredential(HttpContext context) =>
        context.Connection.ClientCertificate is { } certificate ? AdminTokens.FindCertificate(Tokens(), certificate) : null;

    /// <summary>
    /// Whether <paramref name="principal"/> still holds what it signed in with: its token or certificate is still in the file
    /// under the same name and scope. A console session checks this on every request, so `openum admin-token remove` ends the
    /// sessions of that credential at once.
    /// </summary>
    public bool Holds(ApiPrincipal principal) => Tokens().Any(t => t == principal.Credential);

    private static string NotAdded(X509Certificate2 certificate) =>
        $"the client certificate {certificate.Subject} (SHA-256 {AdminTokens.Fingerprint(certificate)}) was not added as a credential";

    // The token itself is never logged: a mistyped one is often one character away from a good one.
    private void Failed(string address, string failure)
    {
        if (throttle.ShouldLog(address + "/" + failure, out int suppressed))
            AdminApiEvents.AuthenticationFailed(logger, address, failure, LogThrottle.Describe(suppressed));
    }

    /// <summary>Event 2363 for a read-only principal asking for a change.</summary>
    public void Forbidden(ApiPrincipal principal, HttpContext context)
    {
        if (throttle.ShouldLog("403/" + principal.Actor, out int suppressed))
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
