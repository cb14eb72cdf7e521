using System.CommandLine;
using Receiver.Codes;

namespace Receiver.Cli;

/// <summary>
/// The <c>receiver</c> command line. Exit codes: 0 success, 1 runtime failure, 2 bad input
/// (one <c>error: ...</c> line on stderr, no stack trace unless --verbose or RECEIVER_DEBUG=1),
/// 130 cancelled (what was measured is still printed).
/// </summary>
public static class Cli
{
    public const int ExitSuccess = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;
    public const int ExitCancelled = 130;

    /// <summary>Environment variable that turns on stack traces for errors, like --verbose.</summary>
    public const string DebugVariable = "RECEIVER_DEBUG";

    /// <summary>Runs the command line with the given output streams; <paramref name="cancellationToken"/> plays Ctrl-C.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verboseOption = new Option<bool>("--verbose") { Description = "Print stack traces for errors (also RECEIVER_DEBUG=1)", Recursive = true };
        var terminal = new Terminal(stdout, stderr);
        var root = new RootCommand("Receiver: decoding stage of an SDR receiver (BER/FER evaluation, codes)")
        {
            EvalCommand.Build(terminal),
            RunCommand.Build(terminal),
            DemoCommand.Build(terminal),
            BenchCommand.Build(terminal),
            EncodeCommand.AddTo(CodesCommand.Build(terminal), terminal),
            ModelsCommand.Build(terminal),
            TrainCommand.Build(terminal),
            NrCommand.Build(terminal),
        };
        root.Options.Add(verboseOption);

        var verbose = args.Contains("--verbose") || Environment.GetEnvironmentVariable(DebugVariable) is "1" or "true";
        try
        {
            // No @response files: ZMQ endpoints start with '@' (bind), e.g. --ingest @tcp://127.0.0.1:5555.
            var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parsed.Errors.Count > 0)
            {
                stderr.WriteLine($"error: {parsed.Errors[0].Message} (see receiver --help)");
                return ExitUsage;
            }
            var configuration = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // the host's own Ctrl-C handler cancels cancellationToken
            };
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception e) when (e is UsageException or CodeFormatException or ArgumentException or IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return Report(stderr, e, verbose, ExitUsage);
        }
        catch (OperationCanceledException e)
        {
            Report(stderr, e, verbose, ExitCancelled, "cancelled");
            return ExitCancelled;
        }
        catch (Exception e)
        {
            return Report(stderr, e, verbose, ExitFailure);
        }
    }

    /// <summary>The exception's message without the " (Parameter 'x')" suffix argument exceptions add.</summary>
    internal static string MessageOf(Exception e)
        => e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;

    private static int Report(TextWriter stderr, Exception e, bool verbose, int exitCode, string? message = null)
    {
        var text = message ?? MessageOf(e);
        stderr.WriteLine($"error: {text.ReplaceLineEndings(" ")}");
        if (verbose) stderr.WriteLine(e.ToString());
        stderr.Flush();
        return exitCode;
    }
}

/// <summary>The output streams of one run, and whether stderr is an interactive terminal (for progress bars).</summary>
internal sealed class Terminal(TextWriter stdout, TextWriter stderr)
{
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public bool ErrorIsTerminal { get; } = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
    public bool OutIsTerminal { get; } = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
}
