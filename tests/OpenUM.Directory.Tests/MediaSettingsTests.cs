using OpenUM.Media;
using OpenUM.Media.Session;
using static OpenUM.Directory.Tests.Samples;

namespace OpenUM.Directory.Tests;

// IpGateway.MediaLatching and UmServer.RtpProbation (schema migration 7): defaults, round trip, upgrade, validation.
public class MediaSettingsTests
{
    [Fact]
    public void DefaultsAreSignallingOrSdpAndFourPackets()
    {
        Assert.Equal(MediaLatching.SignallingOrSdp, Gateway().MediaLatching);
        Assert.Equal(4, Server().RtpProbation);
        Assert.Equal(MediaSourcePolicy.DefaultProbation, Server().RtpProbation);
    }

    [Theory]
    [InlineData(MediaLatching.SignallingOrSdp, 1)]
    [InlineData(MediaLatching.SdpOnly, 4)]
    [InlineData(MediaLatching.Any, 32)]
    public void EveryValueRoundTrips(MediaLatching latching, int probation)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.UpdateIpGateway(Gateway() with { MediaLatching = latching });
        temp.Store.UpdateUmServer(Server() with { RtpProbation = probation });
        using var other = temp.OpenAnother();
        Assert.Equal(latching, other.GetIpGateway("pbx")!.MediaLatching);
        Assert.Equal(probation, other.GetUmServer("um1")!.RtpProbation);
    }

    [Fact]
    public void AStoreFromBeforeMigration7GetsTheDefaults()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        temp.Store.Dispose();
        // What a version-6 file looks like: neither column, no record of migration 7.
        using (var raw = StoreTests.RawConnection(temp.FilePath))
        {
            StorageSettingsTests.RevertMigration8(raw);
            StoreTests.Execute(raw, "ALTER TABLE ip_gateways DROP COLUMN media_latching");
            StoreTests.Execute(raw, "ALTER TABLE um_servers DROP COLUMN rtp_probation");
            StoreTests.Execute(raw, "DELETE FROM schema_migrations WHERE version = 7");
        }

        using var upgraded = temp.OpenAnother();
        var snapshot = upgraded.Load();
        Assert.All(snapshot.IpGateways, g => Assert.Equal(MediaLatching.SignallingOrSdp, g.MediaLatching));
        Assert.Equal(4, Assert.Single(snapshot.UmServers).RtpProbation);
        upgraded.UpdateIpGateway(Gateway() with { MediaLatching = MediaLatching.SdpOnly });
        Assert.Equal(MediaLatching.SdpOnly, upgraded.GetIpGateway("pbx")!.MediaLatching);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(33)]
    public void ProbationOutOfRangeIsRefusedWithTheFieldAndTheRange(int probation)
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var ex = Assert.Throws<ConfigurationValidationException>(() => temp.Store.UpdateUmServer(Server() with { RtpProbation = probation }));
        Assert.Equal("rtp-probation", ex.Field);
        Assert.Contains("1 to 32", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, temp.Store.GetUmServer("um1")!.RtpProbation);
    }

    [Fact]
    public void AnUndefinedLatchingIsRefusedWithTheFieldAndTheChoices()
    {
        using var temp = new TempStore();
        Seed(temp.Store);
        var ex = Assert.Throws<ConfigurationValidationException>(() => temp.Store.AddIpGateway(Gateway("g2") with { MediaLatching = (MediaLatching)7 }));
        Assert.Equal("media-latching", ex.Field);
        Assert.Contains("SignallingOrSdp, SdpOnly, Any", ex.Message, StringComparison.Ordinal);
    }
}
