using System.CommandLine;
using System.CommandLine.Completions;
using System.Reflection;
using System.Text;

namespace OpenUM.Management;

/// <summary>
/// openum(8) in roff (man(7) macros), written from the command tree itself: every visible command with its
/// arguments and options and their descriptions, so the manual cannot drift from the help. The Debian package
/// runs the hidden `openum man-page` at build time.
/// </summary>
public static class ManPage
{
    /// <summary>The hidden `man-page` command: writes openum(8) for the tree it belongs to.</summary>
    public static Command Create()
    {
        var command = new Command("man-page", "Write the openum(8) manual page (roff) to standard output") { Hidden = true };
        command.SetAction(result =>
        {
            CommandConsole.Out.Write(Render(result.RootCommandResult.Command, Version()));
            return 0;
        });
        return command;
    }

    /// <summary>The manual page of <paramref name="root"/> (named "openum") for <paramref name="version"/>.</summary>
    public static string Render(Command root, string version)
    {
        ArgumentNullException.ThrowIfNull(root);
        var w = new StringBuilder();
        w.Append(".TH OPENUM 8 \"\" \"OpenUM ").Append(Escape(version)).Append("\" \"System Administration\"\n");
        w.Append(".SH NAME\nopenum \\- ").Append(Escape(Summary(root.Description))).Append('\n');
        w.Append(".SH SYNOPSIS\n.B openum\n[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIarguments\\fR] [\\fIoptions\\fR]\n");
        w.Append(".SH DESCRIPTION\n");
        Paragraphs(w, root.Description);
        w.Append("Each command below is also described by \\fBopenum\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR.\n");
        w.Append(".SH GLOBAL OPTIONS\n");
        foreach (var option in Visible(root.Options))
            OptionEntry(w, option);
        w.Append(".SH COMMANDS\n");
        foreach (var sub in Visible(root.Subcommands))
            CommandEntry(w, sub, "openum");
        w.Append("""
            .SH ENVIRONMENT
            .TP
            .B OPENUM_DATA
            The data directory when \fB\-\-data\-dir\fR is not given (else \fI./openum\-data\fR).
            .TP
            .B OPENUM_STORE
            The shared PostgreSQL configuration store when \fB\-\-store\fR is not given.
            .SH FILES
            .TP
            .I /var/lib/openum
            The service's data directory: configuration store, certificates and keys, events, spool, maildir.
            .TP
            .I /etc/openum/openum.env
            Options of the service's \fBopenum serve\fR (OPENUM_SERVE_OPTIONS), read by \fIopenum.service\fR.
            .SH EXAMPLES
            Configuration commands on the installed service's data directory, as its user:
            .PP
            .nf
            .RS
            sudo \-u openum openum \-\-data\-dir /var/lib/openum gateway get
            .RE
            .fi
            .SH SEE ALSO
            .BR systemctl (1),
            .BR journalctl (1),
            .BR systemd.exec (5)

            """);
        return w.ToString();
    }

    private static void CommandEntry(StringBuilder w, Command command, string parent)
    {
        string path = parent + " " + command.Name;
        w.Append(".SS \"").Append(Escape(path));
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
            w.Append(" \\fI").Append(Escape(argument.HelpName ?? argument.Name)).Append("\\fR");
        w.Append("\"\n");
        Paragraphs(w, command.Description);
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            w.Append(".TP\n\\fI").Append(Escape(argument.HelpName ?? argument.Name)).Append("\\fR\n");
            Paragraphs(w, argument.Description);
        }
        foreach (var option in Visible(command.Options))
            OptionEntry(w, option);
        foreach (var sub in Visible(command.Subcommands))
            CommandEntry(w, sub, path);
    }

    private static void OptionEntry(StringBuilder w, Option option)
    {
        w.Append(".TP\n");
        var names = new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal));
        w.Append(string.Join(", ", names.Select(n => "\\fB" + Escape(n) + "\\fR")));
        if (option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool))
            w.Append(' ').Append(ValueName(option));
        if (option.Required)
            w.Append(" (required)");
        w.Append('\n');
        Paragraphs(w, option.Description);
    }

    // The help option is everywhere and says nothing here; hidden ones are not for the operator.
    private static IEnumerable<T> Visible<T>(IEnumerable<T> symbols) where T : Symbol =>
        symbols.Where(s => !s.Hidden && s is not System.CommandLine.Help.HelpOption);

    // A description's lines stay lines ("Example: ..." follows the sentence it illustrates).
    private static void Paragraphs(StringBuilder w, string? text)
    {
        var lines = (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) w.Append(".br\n");
            w.Append(Escape(lines[i])).Append('\n');
        }
    }

    // "OpenUM: an open, ..." names the program once already in "openum - ...".
    private static string Summary(string? text)
    {
        string line = (text ?? "").Split('\n')[0].Trim();
        return line.StartsWith("OpenUM: ", StringComparison.Ordinal) ? line["OpenUM: ".Length..] : line;
    }

    // A fixed set of values (an enum, AcceptOnlyFromAmong) is listed; otherwise the help name or the kind of value.
    private static string ValueName(Option option)
    {
        var choices = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        if (choices.Count is > 0 and <= 12)
            return "{" + string.Join("|", choices.Select(c => "\\fB" + Escape(c) + "\\fR")) + "}";
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        string name = option.HelpName ?? (type == typeof(int) || type == typeof(long) ? "number" : "value");
        return "\\fI" + Escape(name) + "\\fR";
    }

    /// <summary>Text safe in roff: backslashes and hyphens escaped, no line taken for a request.</summary>
    public static string Escape(string text)
    {
        var s = text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal)
            .Replace("\"", "\\(dq", StringComparison.Ordinal);
        return s.StartsWith('.') || s.StartsWith('\'') ? "\\&" + s : s;
    }

    private static string Version() =>
        typeof(ManPage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ManPage).Assembly.GetName().Version?.ToString(3) ?? "unknown";
}
