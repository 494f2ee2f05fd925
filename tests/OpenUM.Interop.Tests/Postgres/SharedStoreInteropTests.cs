using System.Diagnostics;
using System.Globalization;
using OpenUM.Directory.Postgres;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Postgres;

/// <summary>
/// CFG-3 end to end: two <c>openum serve</c> processes (own data directories and ports) share one PostgreSQL
/// configuration. A gateway added through the CLI next to the first is admitted by the second without a
/// restart, shown by a real SIPp call from the gateway's address: refused (403, event 1021) before, answered after.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedStoreInteropTests(TempPostgres postgres, ITestOutputHelper output)
{
    private const string GatewayAddress = "127.0.0.7";   // all of 127/8 is loopback on Linux
    private static readonly TimeSpan AdmissionHangGuard = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task GatewayAddedOnOneServerIsAdmittedByTheOther()
    {
        string store = await postgres.CreateDatabaseAsync("interop_" + Guid.NewGuid().ToString("N")[..12]);
        await using var first = new OpenUmProcess(output);
        await using var second = new OpenUmProcess(output);
        // The servers take the store from <data-dir>/store.conf (the persisted server setting); the CLI from --store.
        WriteStoreSetting(first.DataDir, store);
        WriteStoreSetting(second.DataDir, store);
        await first.StartAsync();    // seeds the demo configuration into the empty shared store
        await second.StartAsync();
        Assert.DoesNotContain(second.ReadEvents(), e => e.Id == 2010);   // the second found it already configured

        await first.CliOkAsync("--store", store, "dialplan", "new", "--name", "Branch", "--number-of-digits-in-extension", "4");
        await first.CliOkAsync("--store", store, "mailbox", "new", "--extension", "2000", "--dial-plan", "Branch",
            "--email", "user2000@example.test", "--display-name", "User 2000");

        // Before: the address is no gateway of the shared configuration.
        var before = await Sipp.RunAsync(new SippOptions("caller-expects-rejection.xml", second.SipPort, "2000")
        {
            LocalIp = GatewayAddress,
            Timeout = TimeSpan.FromSeconds(15),
        }, output);
        // An unknown peer is refused before any SIP state is kept (403 or the connection closed) and logged as 1021.
        Assert.DoesNotContain(before.Received(), l => l.StartsWith("SIP/2.0 2", StringComparison.Ordinal));
        Assert.True(before.Successful <= 0 || before.Received().Any(l => l.StartsWith("SIP/2.0 403", StringComparison.Ordinal)),
            "the call from the unknown address was not refused\n" + before.Describe());
        var refused = await second.WaitForEventAsync(1021, e => e.Property("remoteAddress") == GatewayAddress, TimeSpan.FromSeconds(20));
        output.WriteLine("before the change: " + refused.Raw);

        // The change: gateway and its catch-all hunt group for Branch, through the first server's CLI.
        var add = await first.CliOkAsync("--store", store, "gateway", "new", "--name", "branch-gw", "--address", GatewayAddress,
            "--dial-plan", "Branch");
        var committed = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        long version;
        using (var reader = new PostgresConfigurationStore(StoreLocation.Parse(store)))
        {
            version = reader.GetVersion();
            Assert.NotNull(reader.GetHuntGroup("branch-gw-Branch"));
        }

        var reloaded = await WaitForReloadAsync(second, version, AdmissionHangGuard);
        // The CLI audits each change (2100) right after its commit: from that event to the second server's reload.
        var audited = first.ReadEvents().Single(e => e.Id == 2100 && e.Property("Version") == version.ToString(CultureInfo.InvariantCulture));
        output.WriteLine($"measured: change committed by the first server's CLI (version {version}, event 2100) -> reloaded by the second " +
            $"server (event 2011): {(Time(reloaded) - Time(audited)).TotalMilliseconds:0} ms; CLI process exit -> reload: " +
            $"{(Time(reloaded) - committed).TotalMilliseconds:0} ms");

        // After: the same caller is answered (the mailbox greeting starts; SIPp hangs up after 1 s of silence).
        string work = System.IO.Directory.CreateTempSubdirectory("openum-pg-sipp-").FullName;
        try
        {
            string silence = Path.Combine(work, "caller.ulaw");
            File.WriteAllBytes(silence, Enumerable.Repeat((byte)0xFF, 8000).ToArray());   // 1 s of mu-law silence
            var after = await Sipp.RunAsync(new SippOptions("caller-records.xml", second.SipPort, "2000")
            {
                LocalIp = GatewayAddress,
                PauseMs = 1000,
                Timeout = TimeSpan.FromSeconds(30),
                Files = new Dictionary<string, string> { ["caller.ulaw"] = silence },
            }, output);
            output.WriteLine($"measured: CLI change -> SIPp call answered by the second server and ended: {clock.ElapsedMilliseconds} ms");
            Assert.True(after.ExitCode == 0 && after.Successful == 1,
                $"the call from the new gateway was not answered by the second server\n{after.Describe()}\n{second.EventsText()}\n{second.ServerOutput}");
            Assert.Contains(after.Received(), l => l.StartsWith("SIP/2.0 200", StringComparison.Ordinal));
            Assert.Contains(second.ReadEvents(), e => e.Id == 2002);   // call answered for the mailbox
        }
        finally
        {
            System.IO.Directory.Delete(work, recursive: true);
        }

        // Neither server was restarted, and the store's password never reached their output or events.
        Assert.Single(second.ReadEvents(), e => e.Id == 1114);
        foreach (var um in new[] { first, second })
        {
            Assert.DoesNotContain(TempPostgres.Password, um.ServerOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(TempPostgres.Password, um.EventsText(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(TempPostgres.Password, add.StdOut + add.StdErr, StringComparison.Ordinal);
        await first.AssertCleanStopAsync();
        await second.AssertCleanStopAsync();
    }

    [Fact]
    public async Task UnreachableStoreFailsTheStartWithoutShowingThePassword()
    {
        await using var um = new OpenUmProcess(output);
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        string store = $"postgres://openum:{TempPostgres.Password}@127.0.0.1:1/openum";
        var result = await um.CliAsync("--store", store, "dialplan", "get");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("127.0.0.1", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(TempPostgres.Password, result.StdOut + result.StdErr, StringComparison.Ordinal);

        var bad = await um.CliAsync("--store", "not a connection string", "dialplan", "get");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--store", bad.StdErr, StringComparison.Ordinal);
    }

    private static DateTimeOffset Time(ServerEvent e) =>
        DateTimeOffset.Parse(e.Raw.Split("\"time\":\"")[1].Split('"')[0], CultureInfo.InvariantCulture);

    private static void WriteStoreSetting(string dataDir, string store)
    {
        string path = Path.Combine(dataDir, "store.conf");
        File.WriteAllText(path, "# shared configuration store\n" + store + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static async Task<ServerEvent> WaitForReloadAsync(OpenUmProcess um, long version, TimeSpan hangGuard)
    {
        var deadline = DateTime.UtcNow + hangGuard;
        while (true)
        {
            var found = um.ReadEvents().FirstOrDefault(e => e.Id == 2011
                && long.TryParse(e.Property("Version"), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= version);
            if (found is not null)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"the second server did not reload configuration version {version} within the {hangGuard.TotalSeconds:0} s hang guard\n{um.EventsText()}\n{um.ServerOutput}");
            await Task.Delay(20);
        }
    }
}
