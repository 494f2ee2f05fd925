using System.CommandLine;
using Microsoft.Extensions.Logging;
using OpenUM.Directory;
using OpenUM.Directory.Postgres;
using OpenUM.Server;
using OpenUM.Server.Backup;

namespace OpenUM.Management;

/// <summary>`openum backup --out FILE` and `openum restore FILE`: the whole server state in one owner-only archive.</summary>
internal static class BackupCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(Backup());
        root.Subcommands.Add(Restore());
    }

    private static Command Backup()
    {
        var output = new Option<string>("--out")
        {
            Description = "Archive to write (a tar file, mode 0600); must not exist yet",
            Required = true,
        };
        var command = new Command("backup",
            "Save the configuration (an online copy; PostgreSQL's objects as JSON), certificates with keys, greetings, " +
            "the SMTP outbox and the maildir to one archive, while the server runs.\nExample: openum backup --out /root/openum-backup.tar")
        {
            output,
        };
        command.SetAction(result =>
        {
            // Backing up a mistyped directory must not create it (CliContext.Data would) and call it empty.
            if (result.GetValue(CliContext.DataDirOption) is { Length: > 0 } given && !System.IO.Directory.Exists(given))
            {
                CommandConsole.Error.WriteLine($"error: --data-dir: {Path.GetFullPath(given)} does not exist: name the server's data directory");
                return 2;
            }

            var data = CliContext.Data(result);
            string path = result.GetValue(output) ?? "";
            return Guard(() =>
            {
                var store = ConfigurationStores.Resolve(result.GetValue(CliContext.StoreOption), data.Root);
                try
                {
                    var backup = BackupWriter.Create(data, store, path);
                    var manifest = backup.Manifest;
                    Log(data, logger => BackupEvents.Created(logger, CommandConsole.Actor, data.Root, backup.Path,
                        manifest.ConfigurationVersion, manifest.Store, manifest.Files.Count, backup.Bytes));
                    if (result.GetValue(CliContext.JsonOption))
                        CliContext.PrintOne(result, new { backup.Path, backup.Bytes, manifest.Store, manifest.ConfigurationVersion, Files = manifest.Files.Count });
                    else
                        CommandConsole.Out.WriteLine($"Backed up {data.Root} to {backup.Path}: configuration version {manifest.ConfigurationVersion} " +
                            $"({manifest.Store}), {manifest.Files.Count} files, {backup.Bytes} bytes. Keep it safe: it holds private keys.");
                    return 0;
                }
                catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException or ConfigurationStoreUnavailableException)
                {
                    Log(data, logger => BackupEvents.Failed(logger, CommandConsole.Actor, data.Root, Path.GetFullPath(path), e.Message));
                    throw;
                }
            });
        });
        return command;
    }

    private static Command Restore()
    {
        var file = new Argument<string>("file") { Description = "An archive written by `openum backup --out`" };
        var command = new Command("restore",
            "Restore a backup into an empty data directory (--data-dir; created when missing). The configuration goes to the " +
            "directory's SQLite file, or with --store into that empty PostgreSQL store.\nExample: openum restore /root/openum-backup.tar --data-dir /var/lib/openum")
        {
            file,
        };
        command.SetAction(result =>
        {
            var data = CliContext.Data(result);
            return Guard(() =>
            {
                // Only --store or $OPENUM_STORE: an empty data directory has no store.conf to name one.
                var store = ConfigurationStores.Resolve(result.GetValue(CliContext.StoreOption), data.Root);
                Func<IConfigurationStore>? target = store is null ? null : () => new PostgresConfigurationStore(store);
                var restored = BackupRestore.Restore(result.GetValue(file) ?? "", data, target);
                var manifest = restored.Manifest;
                Log(data, logger => BackupEvents.Restored(logger, CommandConsole.Actor, Path.GetFullPath(result.GetValue(file)!),
                    manifest.CreatedAt, manifest.OpenUmVersion, manifest.Store, data.Root, restored.Target, restored.Files));
                if (result.GetValue(CliContext.JsonOption))
                {
                    CliContext.PrintOne(result, new { DataDirectory = data.Root, restored.Files, restored.Target, manifest.Store, manifest.CreatedAt,
                        manifest.OpenUmVersion, manifest.ConfigurationVersion });
                    return 0;
                }

                CommandConsole.Out.WriteLine($"Restored {restored.Files} files into {data.Root} (backup of {manifest.CreatedAt:u}, configuration version " +
                    $"{manifest.ConfigurationVersion} from {manifest.Store}, now in {(restored.Target == "sqlite" ? "config.db" : "the --store database")}). " +
                    "Start the server on it: openum serve --data-dir " + data.Root);
                return 0;
            });
        });
        return command;
    }

    private static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (BackupException e)
        {
            CommandConsole.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (ConfigurationValidationException e)
        {
            CommandConsole.Error.WriteLine($"error: --{e.Field}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigurationStoreUnavailableException)
        {
            CommandConsole.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static void Log(DataDirectory data, Action<ILogger> write)
    {
        using var events = OpenUM.Server.Logging.EventLog.ForCommand(data);
        write(events.CreateLogger("OpenUM.Cli"));
    }
}
