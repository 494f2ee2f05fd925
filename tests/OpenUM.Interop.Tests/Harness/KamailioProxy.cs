using System.Globalization;
using OpenUM.Interop.Tests.Tls;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Debian's Kamailio 5.6 as a gateway in front of a phone: a stateful proxy that accepts SIP only over mutual TLS
/// (a client certificate from the test PKI required and verified) and relays every call over TLS to one phone.
/// It listens on the same port of two loopback addresses: <see cref="Address"/> presents gw1.crt
/// (gw1.example.test), <see cref="WrongNameAddress"/> presents wrongname.crt (a valid chain naming another host),
/// so one process serves both a good gateway and one whose certificate does not carry its name.
/// Its configuration is generated into a private temporary directory; Dispose stops exactly its process.
/// </summary>
public sealed class KamailioProxy : IAsyncDisposable
{
    /// <summary>Where the gateway with the right certificate listens.</summary>
    public const string Address = "127.0.0.20";

    /// <summary>Where the same proxy presents a certificate naming another host.</summary>
    public const string WrongNameAddress = "127.0.0.21";

    /// <summary>The user part every new call is relayed to (the account of <see cref="BaresipPhone"/>).</summary>
    public const string PhoneUser = "interop";

    private readonly KamailioProcess _kamailio;

    private KamailioProxy(KamailioProcess kamailio) => _kamailio = kamailio;

    /// <summary>The TLS port (on both addresses).</summary>
    public int Port => _kamailio.Port;

    /// <summary>Kamailio's log so far (stderr; one line per request it routed).</summary>
    public string Log => _kamailio.Log;

    /// <summary>
    /// Starts the proxy relaying to the phone at sip:interop@127.0.0.1:<paramref name="phoneTlsPort"/> over TLS and waits until it
    /// accepts connections (hang guard 20 s).
    /// </summary>
    public static async Task<KamailioProxy> StartAsync(TestPki pki, int phoneTlsPort, ITestOutputHelper? log = null)
    {
        // One TCP/TLS worker in the configuration: Debian's 5.6.3 with OpenSSL 3 crashes with more (kamailio issue #3791).
        var kamailio = await KamailioProcess.StartAsync("proxy", "kamailio kamailio-tls-modules", Address, (port, work) =>
        {
            string tlsCfg = Path.Combine(work, "tls.cfg");
            File.WriteAllText(tlsCfg, TlsConfig(pki, port));
            string cfg = Path.Combine(work, "kamailio.cfg");
            File.WriteAllText(cfg, Config(port, phoneTlsPort, tlsCfg));
            return cfg;
        }, log);
        log?.WriteLine($"kamailio pid {kamailio.Id}: TLS {Address}:{kamailio.Port} (gw1.example.test), {WrongNameAddress}:{kamailio.Port} (wrongname), relaying to 127.0.0.1:{phoneTlsPort}");
        return new KamailioProxy(kamailio);
    }

    /// <summary>Stops the proxy and removes its directory.</summary>
    public ValueTask DisposeAsync() => _kamailio.DisposeAsync();

    // Stateful relay: INVITEs are record-routed so the ACK and BYE of the dialog come back through the proxy (and its TLS
    // connection); everything else in a dialog follows its Route; new requests go to the phone.
    private static string Config(int port, int phoneTlsPort, string tlsCfg) => string.Create(CultureInfo.InvariantCulture, $$"""
        #!KAMAILIO
        debug=2
        log_stderror=yes
        children=1
        tcp_children=1
        auto_aliases=no
        listen=tls:{{Address}}:{{port}}
        listen=tls:{{WrongNameAddress}}:{{port}}
        enable_tls=yes
        tcp_accept_no_cl=yes
        dns=no
        rev_dns=no
        use_dns_cache=off

        loadmodule "tls.so"
        loadmodule "sl.so"
        loadmodule "tm.so"
        loadmodule "rr.so"
        loadmodule "siputils.so"
        loadmodule "pv.so"
        loadmodule "xlog.so"

        modparam("tls", "config", "{{tlsCfg}}")

        request_route {
            xlog("L_NOTICE", "openum-proxy: $rm $ru from $si:$sp over $pr\n");
            if (has_totag()) {
                if (loose_route() || method == "ACK") {
                    t_relay();
                    exit;
                }
                sl_send_reply("404", "Not Here");
                exit;
            }
            if (method == "CANCEL") {
                if (t_check_trans()) t_relay();
                exit;
            }
            if (method == "INVITE") record_route();
            # The phone answers calls to its own account; a gateway maps the dialed number to it.
            $rU = "{{PhoneUser}}";
            $du = "sip:127.0.0.1:{{phoneTlsPort}};transport=tls";
            if (!t_relay()) sl_reply_error();
        }
        """);

    private static string TlsConfig(TestPki pki, int port) => string.Create(CultureInfo.InvariantCulture, $"""
        [server:default]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("gw1")}
        private_key = {pki.Key("gw1")}
        ca_list = {pki.CaCrt}

        [server:{Address}:{port}]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("gw1")}
        private_key = {pki.Key("gw1")}
        ca_list = {pki.CaCrt}

        [server:{WrongNameAddress}:{port}]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("wrongname")}
        private_key = {pki.Key("wrongname")}
        ca_list = {pki.CaCrt}

        [client:default]
        method = TLSv1.2+
        verify_certificate = yes
        require_certificate = yes
        certificate = {pki.Crt("gw1")}
        private_key = {pki.Key("gw1")}
        ca_list = {pki.CaCrt}

        """);
}
