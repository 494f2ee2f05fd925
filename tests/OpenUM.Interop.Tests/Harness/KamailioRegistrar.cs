using System.Globalization;

namespace OpenUM.Interop.Tests.Harness;

/// <summary>
/// Debian's Kamailio 5.6 as the registrar and proxy in front of OpenUM, over plain TCP on 127.0.0.1 (an Unsecured dial
/// plan): phones register at it, their SUBSCRIBE to message-summary goes on to OpenUM record-routed (so the in-dialog
/// NOTIFYs and re-SUBSCRIBEs pass through it), and it answers the unsolicited NOTIFYs OpenUM sends the gateway itself.
/// It tells the phone a short subscription expiry (<see cref="PhoneExpires"/>) in the 200 and NOTIFYs it relays — as a
/// session border controller may — so the phone's refresh comes within seconds; OpenUM still grants what the phone asked.
/// Its configuration is generated into a private temporary directory; Dispose stops exactly its process.
/// </summary>
public sealed class KamailioRegistrar : IAsyncDisposable
{
    /// <summary>Where the registrar listens (TCP).</summary>
    public const string Address = "127.0.0.1";

    /// <summary>The subscription expiry, in seconds, the phone is told (it refreshes at 90 % of it).</summary>
    public const int PhoneExpires = 4;

    /// <summary>What Kamailio logs for each answered in-dialog SUBSCRIBE: "{RefreshLine} STATUS".</summary>
    public const string RefreshLine = "openum-registrar: re-SUBSCRIBE answered";

    private readonly KamailioProcess _kamailio;

    private KamailioRegistrar(KamailioProcess kamailio) => _kamailio = kamailio;

    /// <summary>The TCP port.</summary>
    public int Port => _kamailio.Port;

    /// <summary>Kamailio's log so far (stderr; one line per request it routed and per SUBSCRIBE answer).</summary>
    public string Log => _kamailio.Log;

    /// <summary>Starts the registrar forwarding message-summary SUBSCRIBEs to OpenUM on 127.0.0.1:<paramref name="umSipPort"/> (TCP) and waits until it accepts connections (hang guard 20 s).</summary>
    public static async Task<KamailioRegistrar> StartAsync(int umSipPort, ITestOutputHelper? log = null)
    {
        var kamailio = await KamailioProcess.StartAsync("registrar", "kamailio", Address, (port, work) =>
        {
            string cfg = Path.Combine(work, "kamailio.cfg");
            File.WriteAllText(cfg, Config(port, umSipPort));
            return cfg;
        }, log);
        log?.WriteLine($"kamailio pid {kamailio.Id}: registrar on tcp {Address}:{kamailio.Port}, message-summary to 127.0.0.1:{umSipPort}");
        return new KamailioRegistrar(kamailio);
    }

    /// <summary>Stops the registrar and removes its directory.</summary>
    public ValueTask DisposeAsync() => _kamailio.DisposeAsync();

    // REGISTER is saved in memory (no authentication: loopback only); a new SUBSCRIBE to message-summary is record-routed
    // to OpenUM; in-dialog requests follow their Route; an out-of-dialog NOTIFY (OpenUM's unsolicited one for the gateway)
    // is answered here; anything else goes to the registered contact.
    private static string Config(int port, int umSipPort) => string.Create(CultureInfo.InvariantCulture, $$"""
        #!KAMAILIO
        debug=2
        log_stderror=yes
        children=1
        tcp_children=1
        auto_aliases=no
        listen=tcp:{{Address}}:{{port}}
        tcp_accept_no_cl=yes
        dns=no
        rev_dns=no
        use_dns_cache=off

        loadmodule "sl.so"
        loadmodule "tm.so"
        loadmodule "rr.so"
        loadmodule "siputils.so"
        loadmodule "pv.so"
        loadmodule "xlog.so"
        loadmodule "textops.so"
        loadmodule "usrloc.so"
        loadmodule "registrar.so"

        modparam("usrloc", "db_mode", 0)

        request_route {
            xlog("L_NOTICE", "openum-registrar: $rm $ru cseq=$cs from $si:$sp\n");
            if (is_method("REGISTER")) {
                if (!save("location")) sl_reply_error();
                exit;
            }
            if (has_totag()) {
                if (loose_route()) {
                    if (is_method("SUBSCRIBE")) t_on_reply("REFRESHED");
                    if (is_method("NOTIFY")) subst_hf("Subscription-State", "/expires=[0-9]+/expires={{PhoneExpires}}/", "a");
                    t_relay();
                    exit;
                }
                if (is_method("ACK")) exit;
                sl_send_reply("404", "Not Here");
                exit;
            }
            if (is_method("SUBSCRIBE") && $hdr(Event) =~ "^message-summary") {
                # The phone's own Route to this proxy (its outbound proxy) is not passed on.
                remove_hf("Route");
                record_route();
                $du = "sip:127.0.0.1:{{umSipPort}};transport=tcp";
                t_on_reply("SUBSCRIBED");
                if (!t_relay()) sl_reply_error();
                exit;
            }
            if (is_method("NOTIFY")) {
                sl_send_reply("200", "OK");
                exit;
            }
            if (!lookup("location")) {
                sl_send_reply("404", "Not Found");
                exit;
            }
            t_relay();
        }

        onreply_route[SUBSCRIBED] {
            xlog("L_NOTICE", "openum-registrar: SUBSCRIBE answered $rs\n");
            if (status =~ "^2") {
                remove_hf("Expires");
                append_hf("Expires: {{PhoneExpires}}\r\n");
            }
        }

        onreply_route[REFRESHED] {
            xlog("L_NOTICE", "{{RefreshLine}} $rs\n");
            if (status =~ "^2") {
                remove_hf("Expires");
                append_hf("Expires: {{PhoneExpires}}\r\n");
            }
        }
        """);
}
