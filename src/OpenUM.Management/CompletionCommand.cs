using System.CommandLine;

namespace OpenUM.Management;

/// <summary>
/// `openum completion bash|zsh`: a completion script for the shell. The script asks `openum` itself through
/// System.CommandLine's [suggest] directive, so commands, options and enum values added later complete too.
/// </summary>
internal static class CompletionCommand
{
    private const string Bash = """
        # bash completion for openum: eval "$(openum completion bash)", or save it in /etc/bash_completion.d/openum
        _openum_complete() {
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$(openum "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _openum_complete openum
        """;

    private const string Zsh = """
        #compdef openum
        # zsh completion for openum: eval "$(openum completion zsh)", or save it as _openum in a directory of $fpath
        _openum() {
            local line="${words[*]}"
            local -a suggestions
            suggestions=(${(f)"$(openum "[suggest:${#line}]" "$line" 2>/dev/null)"})
            compadd -- $suggestions
        }
        compdef _openum openum
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script.\nExample: eval \"$(openum completion bash)\"") { shell };
        command.SetAction(result =>
        {
            CommandConsole.Out.WriteLine(result.GetValue(shell) == "zsh" ? Zsh : Bash);
            return 0;
        });
        return command;
    }
}
