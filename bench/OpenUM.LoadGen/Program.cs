using System.Globalization;
using OpenUM.LoadGen;

// loadgen run | check | signal | idle-tls: see Usage.
const string Usage = """
    usage:
      loadgen run --target ADDR:PORT --cert GW.crt --key GW.key --ca CA.crt [--server-name um.example.test]
                  [--calls N] [--duration SECONDS] [--rate CALLS_PER_S] [--connections C] [--extensions FIRST[-LAST]]
                  [--manifest FILE] [--json]
          N Secured calls (mutual TLS, SDES-SRTP AES_CM_128_HMAC_SHA1_80, PCMU): each streams the known signal for
          SECONDS after the greeting, then hangs up. Exit 1 when a call failed or the generator fell behind.
      loadgen check --maildir DIR (--manifest FILE | --expect-frames F [--calls N]) [--json] [--verbose]
          Frames present in the delivered recordings against frames sent.
      loadgen signal --frames F --out FILE [--call K] [--silence-ms MS]
          MS of silence, then F frames of the known signal, as headerless µ-law (SIPp rtp_stream).
      loadgen idle-tls --target ADDR:PORT --cert GW.crt --key GW.key --ca CA.crt [--calls K] [--hold SECONDS]
          Holds K idle mutual-TLS connections open (prints "HELD K" once they are up).
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
try
{
    var o = LoadOptions.Parse(args[1..]);
    switch (args[0])
    {
        case "run":
        {
            o.RequireTls();
            var report = await new LoadGenerator(o).RunAsync(stop.Token);
            if (o.Manifest is not null)
                report.WriteManifest(o.Manifest);
            Console.Write(o.Json ? report.ToJson() + "\n" : report.ToText());
            return report.Failed == 0 && !report.FellBehind ? 0 : 1;
        }
        case "check":
        {
            if (o.Maildir is null || (o.Manifest is null) == (o.ExpectFrames == 0))
                throw new UsageException("check needs --maildir and one of --manifest or --expect-frames");
            var result = LossChecker.Check(o.Maildir, o.Manifest, o.ExpectFrames, o.CallsGiven ? o.Calls : null);
            Console.Write(o.Json ? LossChecker.ToJson(result) + "\n" : LossChecker.ToText(result, o.Verbose));
            return 0;
        }
        case "signal":
        {
            if (o.Out is null || o.Frames == 0)
                throw new UsageException("signal needs --frames and --out");
            using var file = File.Create(o.Out);
            TestSignal.WriteRaw(file, o.CallNumber, o.Frames, o.SilenceMs / 20);
            return 0;
        }
        case "idle-tls":
            o.RequireTls();
            return await IdleConnections.RunAsync(o, stop.Token);
        default:
            throw new UsageException($"unknown mode {args[0]}");
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loadgen: {e.Message}\n{Usage}"));
    return 2;
}
