using System.CommandLine;
using System.Diagnostics;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver train -- ARGS</c>: runs <c>/usr/bin/python3 train/train.py ARGS</c> from the repository root (the first
/// folder above the app holding train/train.py), streaming its output, and returns its exit code.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The interpreter that sees Debian's python3-torch (the pyenv python3 on PATH does not).</summary>
    public const string Python = "/usr/bin/python3";

    public static Command Build(Terminal terminal)
    {
        var arguments = new Argument<string[]>("ARGS") { Description = "Arguments of train/train.py (a config file, --key=value overrides, --resume); put them after --", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("train", "Train a neural decoder: runs /usr/bin/python3 train/train.py ARGS from the repository (see train/README.md)") { arguments };
        command.SetAction((parsed, cancellationToken) => RunAsync(parsed.GetValue(arguments) ?? [], terminal, cancellationToken));
        return command;
    }

    /// <summary>The first folder holding train/train.py, walking up from <paramref name="starts"/> in order; null when none.</summary>
    internal static string? FindRepository(params string[] starts)
    {
        foreach (var start in starts)
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "train", "train.py"))) return folder.FullName;
        return null;
    }

    private static async Task<int> RunAsync(string[] arguments, Terminal terminal, CancellationToken cancellationToken)
    {
        var root = FindRepository(AppContext.BaseDirectory, Environment.CurrentDirectory)
            ?? throw new UsageException($"train/train.py not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}: run the receiver from a checkout of the repository");
        if (!File.Exists(Python)) throw new UsageException($"{Python} not found: training needs Debian's python3 with python3-torch (scripts/setup.sh installs them)");
        var start = new ProcessStartInfo(Python)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("train", "train.py"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PYTHONUNBUFFERED"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var stdout = Pump(process.StandardOutput, terminal.Out);
        var stderr = Pump(process.StandardError, terminal.Error);
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
        await Task.WhenAll(stdout, stderr);
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
