using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

// DialPlan.FaxEnabled and MailboxPolicy.AllowFax/FaxServerUri (the fax schema migration): Exchange's defaults, round
// trip, upgrade, and a fax server URI that must be a sip:/sips: URI.
public class FaxSettingsTests
{
    private static MailboxPolicy Policy() => new() { Name = "Staff", DialPlan = "Main" };

    [Fact]
    public void DefaultsAreExchanges()
    {
        Assert.True(DialPlan().FaxEnabled);
        Assert.True(Policy().AllowFax);
        Assert.Null(Policy().FaxServerUri);
        Assert.True(MailboxPolicy.DefaultFor("Main").AllowFax);
        Assert.Null(MailboxPolicy.DefaultFor("Main").FaxServerUri);
    }

    [Theory]
    [InlineData(false, false, "sip:fax@fax.example.com:5060;transport=tcp")]
    [InlineData(true, true, null)]
    [InlineData(false, true, "sips:fax.example.com")]
    public void EveryValueRoundTrips(bool faxEnabled, bool allowFax, string? uri)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.UpdateDialPlan(temp.Store.GetDialPlan("Main")! with { FaxEnabled = faxEnabled });
        var policy = Policy() with { AllowFax = allowFax, FaxServerUri = uri };
        temp.Store.AddMailboxPolicy(policy);
        using var other = temp.OpenAnother();
        Assert.Equal(faxEnabled, other.GetDialPlan("main")!.FaxEnabled);
        Assert.Equal(policy, other.GetMailboxPolicy("staff"));
    }

    [Fact]
    public void AStoreFromBeforeTheFaxMigrationGetsTheDefaults()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.AddMailboxPolicy(Policy());
        temp.Store.Dispose();
        using (var raw = StoreTests.RawConnection(temp.FilePath))
            RevertFaxMigration(raw);

        using var upgraded = temp.OpenAnother();
        Assert.True(upgraded.GetDialPlan("Main")!.FaxEnabled);
        var policy = upgraded.GetMailboxPolicy("Staff")!;
        Assert.True(policy.AllowFax);
        Assert.Null(policy.FaxServerUri);
        upgraded.UpdateMailboxPolicy(policy with { FaxServerUri = "sip:fax@192.0.2.7" });
        Assert.Equal("sip:fax@192.0.2.7", upgraded.GetMailboxPolicy("Staff")!.FaxServerUri);
    }

    /// <summary>Takes a store back to version 10, before the fax migration (newer ones first; for the upgrade tests of earlier migrations too).</summary>
    internal static void RevertFaxMigration(Microsoft.Data.Sqlite.SqliteConnection raw)
    {
        AwayMigrationTests.RevertAwayMigration(raw);
        StoreTests.Execute(raw, "ALTER TABLE dial_plans DROP COLUMN fax_enabled");
        StoreTests.Execute(raw, "ALTER TABLE mailbox_policies DROP COLUMN allow_fax");
        StoreTests.Execute(raw, "ALTER TABLE mailbox_policies DROP COLUMN fax_server_uri");
        StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 11");
    }

    [Theory]
    [InlineData("sip:fax@fax.example.com")]
    [InlineData("sip:fax.example.com")]
    [InlineData("SIP:Fax@Fax.Example.com:5061;transport=tls")]
    [InlineData("sips:fax@192.0.2.10:5061")]
    [InlineData("sip:+33123456789@gw.example.com;user=phone")]
    [InlineData("sip:fax@[2001:db8::7]:5060;transport=tcp")]
    public void SipAndSipsUrisAreAccepted(string uri)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.AddMailboxPolicy(Policy() with { FaxServerUri = uri });
        Assert.Equal(uri, temp.Store.GetMailboxPolicy("Staff")!.FaxServerUri);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fax@fax.example.com")]
    [InlineData("tel:+33123456789")]
    [InlineData("http://fax.example.com/")]
    [InlineData("sip:")]
    [InlineData("sip:fax@")]
    [InlineData("sip:@fax.example.com")]
    [InlineData("sip:fax@fax example.com")]
    [InlineData("sip:fax@fax.example.com:0")]
    [InlineData("sip:fax@fax.example.com:65536")]
    [InlineData("sip:fax@fax.example.com:port")]
    [InlineData("sip:fax@-bad-.example.com")]
    [InlineData("sip:fax@[not-v6]")]
    [InlineData("sip:fax@fax.example.com?Replaces=abc")]
    [InlineData("<sip:fax@fax.example.com>")]
    [InlineData("sip:fax@fax.example.com;;")]
    [InlineData("sip:fäx@fax.example.com")]
    public void ABadFaxServerUriIsRefusedNamingTheOption(string uri)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var e = Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddMailboxPolicy(Policy() with { FaxServerUri = uri }));
        Assert.Equal("fax-server-uri", e.Field);
        Assert.Contains("give a sip: or sips: URI", e.Message, StringComparison.Ordinal);
        Assert.Null(temp.Store.GetMailboxPolicy("Staff"));
    }

    [Fact]
    public void AnOverlongFaxServerUriIsRefused()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        string uri = "sip:fax@" + new string('a', 60) + "." + new string('b', 60) + "." + new string('c', 60) + "." + new string('d', 60) + ".example";
        Assert.True(uri.Length > ConfigurationValidator.MaxFaxServerUriLength);
        Assert.Equal("fax-server-uri", Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddMailboxPolicy(Policy() with { FaxServerUri = uri })).Field);
    }
}
