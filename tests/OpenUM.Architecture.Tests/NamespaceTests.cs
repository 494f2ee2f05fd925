using System.Text.RegularExpressions;

namespace OpenUM.Architecture.Tests;

/// <summary>
/// One namespace convention: a file's namespace is its project's name followed by its folders
/// (<c>src/OpenUM.Media/Srtp/SrtpContext.cs</c> is in <c>OpenUM.Media.Srtp</c>), so a reader finds a type from its
/// namespace and a namespace from its folder. A partial class lives in one folder for the same reason.
/// </summary>
public sealed partial class NamespaceTests
{
    [Fact]
    public void Every_file_is_in_the_namespace_its_folder_names()
    {
        string root = LayerRules.RepositoryRoot();
        var wrong = new List<string>();
        int files = 0;
        foreach (string top in new[] { "src", "tests", "fuzz", "bench" })
        {
            string dir = Path.Combine(root, top);
            if (!System.IO.Directory.Exists(dir)) continue;
            foreach (string file in System.IO.Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(root, file);
                string? expected = Expected(relative);
                if (expected is null) continue;
                Match declared = Declared().Match(File.ReadAllText(file));
                if (!declared.Success) continue; // top-level statements (the CLI's Program.cs)
                files++;
                if (declared.Groups[1].Value != expected)
                    wrong.Add($"{relative}: namespace {declared.Groups[1].Value}, expected {expected}");
            }
        }
        Assert.True(files > 300, $"only {files} files checked: has the layout changed?");
        Assert.True(wrong.Count == 0, "namespaces that do not follow their folders:\n" + string.Join('\n', wrong));
    }

    [Theory]
    [InlineData("src/OpenUM.Media/Srtp/SrtpContext.cs", "OpenUM.Media.Srtp")]
    [InlineData("src/OpenUM.Calls/CallController.cs", "OpenUM.Calls")]
    [InlineData("tests/OpenUM.Sip.Tests/Rfc4475/TortureTests.cs", "OpenUM.Sip.Tests.Rfc4475")]
    [InlineData("src/OpenUM.Sip/obj/Release/OpenUM.Sip.AssemblyInfo.cs", null)]
    [InlineData("tests/OpenUM.Sip.Tests/bin/x.cs", null)]
    public void The_expected_namespace_is_the_project_and_its_folders(string file, string? expected) =>
        Assert.Equal(expected, Expected(file));

    /// <summary>The namespace a file at <paramref name="relative"/> (top/Project/folders/File.cs) must declare; null for build output.</summary>
    private static string? Expected(string relative)
    {
        string[] parts = relative.Split(Path.DirectorySeparatorChar, '/');
        if (parts.Length < 3 || parts.Contains("obj") || parts.Contains("bin")) return null;
        return string.Join('.', parts[1..^1]);
    }

    [GeneratedRegex(@"^namespace ([\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex Declared();
}
