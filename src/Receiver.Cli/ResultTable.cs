using System.Globalization;
using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Evaluation;
using Spectre.Console;

namespace Receiver.Cli;

/// <summary>Name and dimensions of the code a table or plot is about.</summary>
internal sealed record CodeTitle(string Name, int N, int K)
{
    public static CodeTitle Of(IBlockCode code) => new(code.Name, code.N, code.K);
}

/// <summary>The table <c>receiver eval</c> prints at the end (without --json).</summary>
internal static class ResultTable
{
    public static void Write(Terminal terminal, CodeTitle code, EvalSettings s, IReadOnlyList<PointResult> results)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal.Out),
            Ansi = terminal.OutIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal.OutIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal.OutIsTerminal) console.Profile.Width = 160;

        var table = new Table()
            .Title(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{code.Name}  n = {code.N}, k = {code.K}, R = {code.K / (double)code.N:0.####}")))
            .Caption(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{s.Modulation}/{(s.Fading == Codes.Channel.Fading.None ? "AWGN" : "Rayleigh")}, {(s.AllZero ? "all-zero codeword" : "random info bits")}, seed {s.Seed}, " +
                $"{(s.Shard.IsWhole ? "" : $"shard {s.Shard} of every point, ")}{StopRuleText(s.Stop)}, {s.Iterations} iterations {(s.EarlyStop ? "max" : "always (no early stop)")}{ElementText(s)}")));
        foreach (var column in new[] { "decoder", "Eb/N0 dB", "frames", "frame err", "bit err", "BER", "FER", "ML LB FER", "-ln BER", "info BER", "avg iter", "frames/s", "stop" })
            table.AddColumn(new TableColumn(column) { Alignment = column == "decoder" ? Justify.Left : Justify.Right });

        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.Decoder),
                Invariant($"{r.EbN0Db:0.###}"),
                Invariant($"{r.Frames}"),
                Invariant($"{r.FrameErrors}"),
                Invariant($"{r.BitErrors}"),
                Scientific(r.Ber),
                Scientific(r.Fer),
                Scientific(r.MlLowerBoundFer),
                double.IsFinite(r.NegLnBer) ? Invariant($"{r.NegLnBer:0.00}") : "-",
                Scientific(r.InfoBer),
                Invariant($"{r.AverageIterations:0.00}"),
                Invariant($"{r.FramesPerSecond:0}"),
                r.StopReason switch { StopReason.FrameErrors => "errors", StopReason.MaxFrames => "frames", _ => "cancelled" });
        }
        console.Write(table);
        console.WriteLine("ML LB FER: frames where the decoder returned a codeword more likely than the sent one (ML decoding fails on them too), a lower bound on ML's FER.");
        terminal.Out.Flush();
    }

    /// <summary>The stop rule in words, e.g. "stop at 100 frame errors or 1000000 frames".</summary>
    public static string StopRuleText(StopRule stop) => stop.MinFrameErrors > 0
        ? string.Create(CultureInfo.InvariantCulture, $"stop at {stop.MinFrameErrors} frame errors or {stop.MaxFrames} frames")
        : string.Create(CultureInfo.InvariantCulture, $"{stop.MaxFrames} frames per point");

    private static string ElementText(EvalSettings s) => s.Element is { } element ? $", {LaneElementTypes.NameOf(element)} lanes" : "";

    private static string Scientific(double value) => double.IsFinite(value) ? Invariant($"{value:0.000E+00}") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
