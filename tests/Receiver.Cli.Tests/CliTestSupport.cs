using System.Runtime.CompilerServices;

namespace Receiver.Cli.Tests;

/// <summary>Shared pieces of the CLI tests: running the CLI in-process and the Receiver.Neural.Tests fixtures.</summary>
internal static class CliTestSupport
{
    /// <summary>Runs the CLI with <paramref name="args"/>, returning its exit code and what it wrote to stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>tests/Receiver.Neural.Tests/Fixtures.</summary>
    public static string NeuralFixtures { get; } = Path.GetFullPath(Path.Combine(TestFolder(), "..", "Receiver.Neural.Tests", "Fixtures"));

    /// <summary>This test project's folder.</summary>
    public static string TestFolder([CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;
}
