using System.CommandLine;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver train -- ARGS</c>: runs <c>/usr/bin/python3 train/train.py ARGS</c> from the repository root (the first
/// folder above the app holding train/train.py), streaming its output, and returns its exit code.
/// </summary>
internal static class TrainCommand
{
    public static Command Build(Terminal terminal)
    {
        var arguments = new Argument<string[]>("ARGS") { Description = "Arguments of train/train.py (a config file, --key=value overrides, --resume); put them after --", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("train", "Train a neural decoder: runs /usr/bin/python3 train/train.py ARGS from the repository (see train/README.md)") { arguments };
        command.SetAction((parsed, cancellationToken) => RunAsync(parsed.GetValue(arguments) ?? [], terminal, cancellationToken));
        return command;
    }

    /// <summary>The first folder holding train/train.py, walking up from <paramref name="starts"/> in order; null when none.</summary>
    internal static string? FindRepository(params string[] starts) => PythonScript.FindRepository(starts);

    private static Task<int> RunAsync(string[] arguments, Terminal terminal, CancellationToken cancellationToken)
    {
        var root = PythonScript.FindRepository()
            ?? throw new UsageException($"train/train.py not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}: run the receiver from a checkout of the repository");
        return PythonScript.RunAsync(root, Path.Combine("train", "train.py"), arguments, terminal.Out, terminal.Error, cancellationToken);
    }
}
