using System.Globalization;
using System.Net;

namespace OpenUM.LoadGen;

/// <summary>Command-line options of the three modes; every option is read by the mode it belongs to.</summary>
internal sealed class LoadOptions
{
    public IPEndPoint? Target { get; private set; }
    public string ServerName { get; private set; } = "um.example.test";
    public string? Cert { get; private set; }
    public string? Key { get; private set; }
    public string? Ca { get; private set; }
    public int Calls { get; private set; } = 10;
    public bool CallsGiven { get; private set; }
    public double Duration { get; private set; } = 20;
    public double Rate { get; private set; } = 100;
    public int Connections { get; private set; } = 1;
    public int FirstExtension { get; private set; } = 1000;
    public int Extensions { get; private set; } = 1;
    public bool Json { get; private set; }
    public string? Manifest { get; private set; }
    public string? Maildir { get; private set; }
    public int ExpectFrames { get; private set; }
    public bool Verbose { get; private set; }
    public double Hold { get; private set; } = 10;
    public string? Out { get; private set; }
    public uint CallNumber { get; private set; }
    public int Frames { get; private set; }
    public int SilenceMs { get; private set; }

    /// <summary>Frames each call sends: <see cref="Duration"/> seconds of 20 ms frames.</summary>
    public int FramesPerCall => (int)Math.Round(Duration * 50);

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value");
            switch (name)
            {
                case "--target": o.Target = ParseEndPoint(Value()); break;
                case "--server-name": o.ServerName = Value(); break;
                case "--cert": o.Cert = Value(); break;
                case "--key": o.Key = Value(); break;
                case "--ca": o.Ca = Value(); break;
                case "--calls": o.Calls = Positive(name, Value()); o.CallsGiven = true; break;
                case "--duration": o.Duration = PositiveDouble(name, Value()); break;
                case "--rate": o.Rate = PositiveDouble(name, Value()); break;
                case "--connections": o.Connections = Positive(name, Value()); break;
                case "--extensions": (o.FirstExtension, o.Extensions) = ParseRange(Value()); break;
                case "--json": o.Json = true; break;
                case "--manifest": o.Manifest = Value(); break;
                case "--maildir": o.Maildir = Value(); break;
                case "--expect-frames": o.ExpectFrames = Positive(name, Value()); break;
                case "--verbose": o.Verbose = true; break;
                case "--hold": o.Hold = PositiveDouble(name, Value()); break;
                case "--out": o.Out = Value(); break;
                case "--call": o.CallNumber = uint.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out uint c) ? c : throw new UsageException("--call: expected a whole number"); break;
                case "--frames": o.Frames = Positive(name, Value()); break;
                case "--silence-ms": o.SilenceMs = Positive(name, Value()); break;
                default: throw new UsageException($"unknown option {name}");
            }
        }
        return o;
    }

    /// <summary>The TLS material and target a mode that calls needs.</summary>
    public void RequireTls()
    {
        if (Target is null || Cert is null || Key is null || Ca is null)
            throw new UsageException("--target, --cert, --key and --ca are required");
    }

    private static IPEndPoint ParseEndPoint(string value) =>
        IPEndPoint.TryParse(value, out var ep) && ep.Port != 0 ? ep : throw new UsageException($"--target {value}: expected ADDRESS:PORT");

    private static (int First, int Count) ParseRange(string value)
    {
        var parts = value.Split('-');
        if (parts.Length is 1 or 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
            && (parts.Length == 1 || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int last)))
        {
            last = parts.Length == 1 ? first : int.Parse(parts[1], CultureInfo.InvariantCulture);
            if (last >= first)
                return (first, last - first + 1);
        }
        throw new UsageException($"--extensions {value}: expected EXT or FIRST-LAST");
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new UsageException($"{name} {value}: expected a positive whole number");

    private static double PositiveDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 && double.IsFinite(d)
            ? d : throw new UsageException($"{name} {value}: expected a positive number");
}

/// <summary>A command line that cannot be run; the message says why.</summary>
internal sealed class UsageException(string message) : Exception(message);
