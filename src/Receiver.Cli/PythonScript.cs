using System.Diagnostics;

namespace Receiver.Cli;

/// <summary>
/// Runs the repository's Python scripts (train/train.py, train/sap.py) with <see cref="Python"/> from the repository
/// root, streaming their output, for <c>receiver train</c> and <c>receiver models onboard</c>.
/// </summary>
internal static class PythonScript
{
    /// <summary>The interpreter that sees Debian's python3-torch (the pyenv python3 on PATH does not).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>The first folder holding train/train.py, walking up from <paramref name="starts"/> in order; null when none.</summary>
    public static string? FindRepository(params string[] starts)
    {
        foreach (var start in starts)
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "train", "train.py"))) return folder.FullName;
        return null;
    }

    /// <summary>The repository above the app or the current directory; null when neither is in a checkout.</summary>
    public static string? FindRepository() => FindRepository(AppContext.BaseDirectory, Environment.CurrentDirectory);

    /// <summary>
    /// Runs <c>python3 SCRIPT ARGS</c> in <paramref name="root"/> (<paramref name="script"/> relative to it) and returns its
    /// exit code; its stdout goes to <paramref name="stdout"/>, its stderr to <paramref name="stderr"/>, as they come.
    /// Cancelling gives the script 10 s to stop on its own Ctrl-C (checkpoints), then kills it.
    /// </summary>
    public static async Task<int> RunAsync(string root, string script, IEnumerable<string> arguments, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(root, script))) throw new UsageException($"{Path.Combine(root, script)} not found: run the receiver from a checkout of the repository");
        if (!File.Exists(Python)) throw new UsageException($"{Python} not found: training needs Debian's python3 with python3-torch (scripts/setup.sh installs them)");
        var start = new ProcessStartInfo(Python)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PYTHONUNBUFFERED"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var output = Pump(process.StandardOutput, stdout);
        var error = Pump(process.StandardError, stderr);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C reaches python too (same process group); give it a moment to checkpoint, then stop it.
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        await Task.WhenAll(output, error);
        return cancellationToken.IsCancellationRequested && process.ExitCode != 0 ? Cli.ExitCancelled : process.ExitCode;
    }

    private static async Task Pump(StreamReader from, TextWriter to)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await from.ReadAsync(buffer)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read));
            await to.FlushAsync();
        }
    }
}
