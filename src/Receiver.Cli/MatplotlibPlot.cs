using System.Diagnostics;
using System.Globalization;
using System.Text;
using Receiver.Evaluation;

namespace Receiver.Cli;

/// <summary>
/// Fallback plotter: writes the points to a CSV file and draws the same figure as <see cref="BerPlot"/>
/// with /usr/bin/python3 and matplotlib (Debian package python3-matplotlib).
/// </summary>
internal static class MatplotlibPlot
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import csv, sys
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        csv_path, png_path, title = sys.argv[1:4]
        curves = {}
        with open(csv_path) as f:
            for row in csv.DictReader(f):
                curves.setdefault(row["decoder"], []).append((float(row["ebn0_db"]), float(row["ber"]), float(row["fer"])))
        fig, ax = plt.subplots(figsize=(9.6, 6.4), dpi=100)
        for i, (decoder, points) in enumerate(curves.items()):
            points.sort()
            color = f"C{i}"
            for column, style, marker, name in ((1, "-", "o", "BER"), (2, "--", "s", "FER")):
                shown = [(p[0], p[column]) for p in points if p[column] > 0]
                if shown:
                    ax.semilogy([p[0] for p in shown], [p[1] for p in shown], style, marker=marker, color=color,
                                mfc="none" if name == "FER" else color, label=f"{decoder} {name}")
        bound = {}
        with open(csv_path) as f:
            for row in csv.DictReader(f):
                ml = float(row["ml_fer"])
                if ml > 0:
                    bound[float(row["ebn0_db"])] = max(ml, bound.get(float(row["ebn0_db"]), 0.0))
        if bound:
            xs = sorted(bound)
            ax.semilogy(xs, [bound[x] for x in xs], ":", marker="x", color="black", label="ML lower bound FER")
        ax.set_xlabel("Eb/N0 (dB)")
        ax.set_ylabel("error rate (BER solid, FER dashed)")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="lower left")
        fig.tight_layout()
        fig.savefig(png_path)
        """;

    public static void Write(string path, string title, IReadOnlyList<PointResult> results)
    {
        var csvPath = Path.ChangeExtension(Path.GetFullPath(path), ".csv");
        var csv = new StringBuilder("decoder,ebn0_db,frames,bit_errors,frame_errors,ber,fer,ml_frame_errors,ml_fer\n");
        foreach (var r in results)
            csv.Append(CultureInfo.InvariantCulture, $"{r.Decoder},{r.EbN0Db:R},{r.Frames},{r.BitErrors},{r.FrameErrors},{r.Ber:R},{r.Fer:R},{r.MlFrameErrors},{r.MlLowerBoundFer:R}\n");
        File.WriteAllText(csvPath, csv.ToString());

        if (!File.Exists(Python))
            throw new InvalidOperationException($"cannot draw {path}: ScottPlot is unavailable and {Python} is missing (apt-get install python3-matplotlib); the points are in {csvPath}");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-", csvPath, Path.GetFullPath(path), title }) start.ArgumentList.Add(argument);
        using var python = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        python.StandardInput.Write(Script);
        python.StandardInput.Close();
        var errors = python.StandardError.ReadToEndAsync();
        python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            var lastLine = errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            throw new InvalidOperationException($"matplotlib could not draw {path}: {lastLine} (the points are in {csvPath})");
        }
    }
}
