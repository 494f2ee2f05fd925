using System.Globalization;
using OpenUM.Interop.Tests.Harness;

namespace OpenUM.Interop.Tests.Postgres;

/// <summary>
/// A throwaway PostgreSQL server for the tests: its own cluster in a temp directory (initdb), loopback only,
/// on a free port in 34000-34999, superuser openum with a password over TCP (SCRAM), stopped and removed on
/// dispose. initdb and postgres refuse to run as root, so as root they run as the system user "postgres"
/// (created by Debian's postgresql package, which scripts/install-test-deps.sh installs).
/// </summary>
public sealed class TempPostgres : IAsyncLifetime
{
    /// <summary>Password of the bootstrap user (a test-only throwaway cluster on 127.0.0.1).</summary>
    public const string Password = "openum-test";
    private const string OsUser = "postgres";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);
    private string? _bin;

    /// <summary>The cluster's directory (data/ and pg.log inside).</summary>
    public string WorkDir { get; private set; } = "";

    /// <summary>TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>Npgsql connection string of database <paramref name="database"/> (default openum).</summary>
    public string ConnectionString(string database = "openum") =>
        $"Host=127.0.0.1;Port={Port};Username=openum;Password={Password};Database={database}";

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _bin = FindBinDir();
        WorkDir = System.IO.Directory.CreateTempSubdirectory("openum-pg-").FullName;
        bool root = Environment.UserName == "root";
        if (root)
        {
            await RunOkAsync("chown", [OsUser + ":", WorkDir]);
        }

        string pwfile = Path.Combine(WorkDir, "pwfile");
        File.WriteAllText(pwfile, Password + "\n");
        File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (root)
        {
            await RunOkAsync("chown", [OsUser + ":", pwfile]);
        }

        string data = Path.Combine(WorkDir, "data");
        await AsServerAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "openum", "--pwfile=" + pwfile, "-E", "UTF8",
            "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions"]);
        File.Delete(pwfile);

        // Throwaway tuning: fsync off (a crash of the OS may lose data; the tests do not care); the unix
        // socket lives in the work directory, not in /var/run/postgresql, which may not exist.
        Port = PickPort();
        string conf = string.Join('\n',
            "listen_addresses = '127.0.0.1'",
            $"port = {Port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_directories = '{WorkDir}'",
            "fsync = off", "full_page_writes = off", "max_connections = 100", "");
        await AppendAsServerAsync(Path.Combine(data, "postgresql.conf"), conf);

        await AsServerAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(WorkDir, "pg.log"), "-w", "-t", "60", "start"]);
        await AsServerAsync(Path.Combine(_bin, "psql"), ["-X", "-q", "-h", WorkDir, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", "openum", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE openum OWNER openum"]);
    }

    /// <summary>Creates another empty database (each store test gets its own).</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await AsServerAsync(Path.Combine(_bin!, "psql"), ["-X", "-q", "-h", WorkDir, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", "openum", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", $"CREATE DATABASE \"{name}\" OWNER openum"]);
        return ConnectionString(name);
    }

    /// <summary>Ends every other connection to a database (what a server restart does to clients).</summary>
    public Task TerminateConnectionsAsync(string database) =>
        AsServerAsync(Path.Combine(_bin!, "psql"), ["-X", "-q", "-h", WorkDir, "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-U", "openum", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c",
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()"]);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_bin is null || WorkDir.Length == 0)
        {
            return;
        }

        string data = Path.Combine(WorkDir, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            var stop = await RunAsync(Environment.UserName == "root" ? "runuser" : Path.Combine(_bin, "pg_ctl"),
                ServerArgs(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]));
            if (stop.ExitCode != 0)
            {
                await RunAsync(Environment.UserName == "root" ? "runuser" : Path.Combine(_bin, "pg_ctl"),
                    ServerArgs(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]));
            }
        }

        if (Environment.GetEnvironmentVariable("OPENUM_INTEROP_KEEP") != "1")
        {
            try { System.IO.Directory.Delete(WorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The tail of the server log, for failure messages.</summary>
    public string LogTail()
    {
        string log = Path.Combine(WorkDir, "pg.log");
        return File.Exists(log) ? ProcessResult.Tail(File.ReadAllText(log), 3000) : "(no pg.log)";
    }

    private static string FindBinDir()
    {
        var candidates = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int v) ? v : 0)
                .ToArray()
            : [];
        return candidates.Length > 0
            ? candidates[^1]
            : throw new InvalidOperationException("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are missing: " +
                "run scripts/install-test-deps.sh (apt-get install -y --no-install-recommends postgresql)");
    }

    // 34000-34999: away from the ports the other interop tests take (a free one, claimed).
    private static int PickPort() => TestPorts.ClaimBlock(34000, 34999);

    private Task AppendAsServerAsync(string file, string text) =>
        AsServerAsync("/bin/sh", ["-c", "cat >> \"$0\" <<'EOF'\n" + text + "EOF\n", file]);

    private async Task AsServerAsync(string executable, string[] args)
    {
        bool root = Environment.UserName == "root";
        var result = await RunAsync(root ? "runuser" : executable, ServerArgs(executable, args));
        Assert.True(result.ExitCode == 0 && !result.HungAndKilled,
            $"PostgreSQL test server: {Path.GetFileName(executable)} failed\n{result.Describe()}\n{(WorkDir.Length > 0 ? LogTail() : "")}");
    }

    private static string[] ServerArgs(string executable, string[] args) =>
        Environment.UserName == "root" ? ["-u", OsUser, "--", executable, .. args] : args;

    private static async Task RunOkAsync(string executable, string[] args)
    {
        var result = await RunAsync(executable, args);
        Assert.True(result.ExitCode == 0, result.Describe());
    }

    // cwd "/": runuser complains when the server user cannot read the current directory.
    private static Task<ProcessResult> RunAsync(string executable, string[] args) =>
        ChildProcess.RunAsync(executable, args, HangGuard, "/");
}

/// <summary>One PostgreSQL server shared by the tests of the collection.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<TempPostgres>
{
    /// <summary>Collection name.</summary>
    public const string Name = "PostgreSQL";
}
