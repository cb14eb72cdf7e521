using System.Globalization;
using Receiver.Codes;
using Receiver.Evaluation;
using ScottPlot;

namespace Receiver.Cli;

/// <summary>
/// BER (solid) and FER (dashed) against Eb/N0 on a log axis, one colour per decoder, rendered
/// headless with ScottPlot/SkiaSharp, and the ML lower bound on FER (black, dotted): at each Eb/N0 the largest
/// <see cref="PointResult.MlLowerBoundFer"/> of the decoders (the same seed gives every decoder the same frames).
/// Points without errors have no logarithm and are left out.
/// </summary>
internal static class BerPlot
{
    /// <summary>Set to "matplotlib" to draw with /usr/bin/python3 + matplotlib instead of ScottPlot.</summary>
    public const string BackendVariable = "RECEIVER_PLOT_BACKEND";

    /// <summary>Writes the PNG and says how it was drawn (ScottPlot, or matplotlib when SkiaSharp's native library cannot load).</summary>
    public static string Write(string path, CodeTitle code, EvalSettings settings, IReadOnlyList<PointResult> results)
    {
        var title = string.Create(CultureInfo.InvariantCulture,
            $"{code.Name} (n={code.N}, k={code.K}), {settings.Modulation}/{(settings.Fading == Codes.Channel.Fading.None ? "AWGN" : "Rayleigh")}, " +
            $"{settings.Iterations} it, {ResultTable.StopRuleText(settings.Stop)}");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);

        if (Environment.GetEnvironmentVariable(BackendVariable) is "matplotlib")
        {
            MatplotlibPlot.Write(path, title, results);
            return "matplotlib";
        }
        try
        {
            WriteWithScottPlot(path, title, results);
            return "ScottPlot";
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
        {
            MatplotlibPlot.Write(path, title, results);
            return $"matplotlib; ScottPlot could not render here: {e.GetBaseException().Message}";
        }
    }

    private static void WriteWithScottPlot(string path, string title, IReadOnlyList<PointResult> results)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var decoders = results.Select(r => r.Decoder).Distinct().ToArray();
        for (var d = 0; d < decoders.Length; d++)
        {
            var points = results.Where(r => r.Decoder == decoders[d]).OrderBy(r => r.EbN0Db).ToArray();
            AddCurve(plot, points, r => r.Ber, $"{decoders[d]} BER", palette.GetColor(d), LinePattern.Solid, MarkerShape.FilledCircle);
            AddCurve(plot, points, r => r.Fer, $"{decoders[d]} FER", palette.GetColor(d), LinePattern.Dashed, MarkerShape.OpenSquare);
        }

        AddCurve(plot, MlLowerBound(results), r => r.MlLowerBoundFer, "ML lower bound FER", Colors.Black, LinePattern.Dotted, MarkerShape.Cross);

        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = exponent => $"1e{exponent.ToString("0", CultureInfo.InvariantCulture)}",
        };
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.Left.Label.Text = "error rate (BER solid, FER dashed)";
        plot.Axes.Bottom.Label.Text = "Eb/N0 (dB)";
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.15);
        plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        plot.Title(title, size: 13);
        plot.ShowLegend(Alignment.LowerLeft);
        plot.SavePng(path, 960, 640);
    }

    /// <summary>Per Eb/N0, the point whose ML lower bound is the largest (points with none are left out).</summary>
    public static PointResult[] MlLowerBound(IReadOnlyList<PointResult> results) => results
        .Where(r => r.MlFrameErrors > 0)
        .GroupBy(r => r.EbN0Db)
        .Select(g => g.MaxBy(r => r.MlLowerBoundFer)!)
        .OrderBy(r => r.EbN0Db)
        .ToArray();

    private static void AddCurve(Plot plot, PointResult[] points, Func<PointResult, double> rate, string label, Color color, LinePattern pattern, MarkerShape marker)
    {
        var shown = points.Where(p => rate(p) > 0 && double.IsFinite(rate(p))).ToArray();
        if (shown.Length == 0) return;
        var scatter = plot.Add.Scatter(shown.Select(p => p.EbN0Db).ToArray(), shown.Select(p => Math.Log10(rate(p))).ToArray());
        scatter.LegendText = label;
        scatter.Color = color;
        scatter.LinePattern = pattern;
        scatter.LineWidth = 2;
        scatter.MarkerShape = marker;
        scatter.MarkerSize = 7;
    }
}
