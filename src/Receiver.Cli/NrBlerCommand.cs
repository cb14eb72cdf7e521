using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Receiver.Codes.Nr5g.Chain;
using Receiver.Decoders;
using Receiver.Evaluation;
using ScottPlot;

namespace Receiver.Cli;

internal static partial class NrCommand
{
    private static Command BuildBler(Terminal terminal)
    {
        var tbs = TbsOption();
        var mcs = new Option<string>("--mcs") { HelpName = "MOD:RATE[,MOD:RATE...]", Description = "MCS-like configurations: modulation and target code rate each, e.g. qpsk:0.3,16qam:0.6,64qam:0.75 (G = smallest multiple of N_L Q_m with A/G <= rate)", DefaultValueFactory = _ => "qpsk:0.5" };
        var snr = new Option<string>("--snr") { HelpName = "DB[,DB|START:STEP:STOP...]", Description = "Es/N0 points in dB (unit symbol energy, complex noise variance N0)", Required = true };
        var rvSequence = new Option<string>("--rv-sequence") { HelpName = "RV[,RV...]", Description = "Redundancy version of each transmission (HARQ with incremental redundancy; its length is the most transmissions)", DefaultValueFactory = _ => "0,2,3,1" };
        var iterations = new Option<int>("--iterations") { HelpName = "N", Description = "Layered min-sum iteration cap per code block", DefaultValueFactory = _ => 10 };
        var minErrors = new Option<int>("--min-tb-errors") { HelpName = "E", Description = "Stop a point after this many TBs failed their first transmission (0: run --max-tbs)", DefaultValueFactory = _ => 100 };
        var maxTbs = new Option<long>("--max-tbs") { HelpName = "F", Description = "Stop a point after this many TBs", DefaultValueFactory = _ => 10_000 };
        var demap = new Option<string>("--demap") { HelpName = "exact|maxlog", Description = "LLR demapping: exact (log-sum-exp) or max-log", DefaultValueFactory = _ => "exact" };
        var seed = new Option<ulong>("--seed") { HelpName = "S", Description = "Seed of payloads and noise", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { HelpName = "T", Description = "Worker threads, one TB each at a time (0: all cores)", DefaultValueFactory = _ => 0 };
        var layers = LayersOption();
        var lbrm = LbrmOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object per point (per line) and nothing else on stdout" };
        var noCrcStop = new Option<bool>("--no-crc-stop") { Description = "Stop a code block's iterations on a zero syndrome only, not once its hard decision passes its CRC" };
        var plot = new Option<string?>("--plot") { HelpName = "FILE.png", Description = "Write BLER vs Es/N0 (one colour per configuration, one line style per transmission count) to this PNG" };
        var command = new Command("bler", "Monte-Carlo BLER of the TS 38.212 chain per MCS-like configuration, after 1..T HARQ transmissions")
        {
            tbs, mcs, snr, rvSequence, iterations, minErrors, maxTbs, demap, seed, threads, layers, lbrm, json, plot, noCrcStop,
        };
        command.SetAction((parsed, cancellationToken) =>
        {
            var rvs = ParseRvs(parsed.GetValue(rvSequence)!);
            var demapping = parsed.GetValue(demap)!.Trim().ToLowerInvariant() switch
            {
                "exact" => NrDemapping.Exact,
                "maxlog" or "max-log" => NrDemapping.MaxLog,
                var other => throw new UsageException($"--demap must be exact or maxlog, got '{other}'"),
            };
            var configs = ParseMcs(parsed.GetValue(mcs)!, parsed.GetValue(tbs), parsed.GetValue(layers), parsed.GetValue(lbrm));
            var options = new DecoderOptions { Iterations = parsed.GetValue(iterations) };
            var stop = new StopRule(parsed.GetValue(minErrors), parsed.GetValue(maxTbs));
            return Task.FromResult(Bler(terminal, configs, EvalCommand.ParseEbN0(parsed.GetValue(snr)!), rvs, options, demapping, stop,
                parsed.GetValue(seed), parsed.GetValue(threads), parsed.GetValue(json), parsed.GetValue(plot), !parsed.GetValue(noCrcStop), cancellationToken));
        });
        return command;
    }

    private static List<(string Name, NrTransportBlockLayout Layout)> ParseMcs(string text, int tbs, int layers, int? lbrm)
    {
        var configs = new List<(string, NrTransportBlockLayout)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = part.Split(':');
            if (fields.Length != 2 || !double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
                throw new UsageException($"--mcs entry '{part}' is not MODULATION:RATE (e.g. 16qam:0.6)");
            var modulation = NrModulationExtensions.Parse(fields[0]);
            var config = Configure(tbs, modulation, rate, null, layers, lbrm);
            configs.Add(($"{modulation.Name()} R={rate.ToString(CultureInfo.InvariantCulture)}", new NrTransportBlockLayout(config)));
        }
        return configs.Count > 0 ? configs : throw new UsageException("--mcs needs at least one MODULATION:RATE");
    }

    private static int Bler(Terminal terminal, List<(string Name, NrTransportBlockLayout Layout)> configs, IReadOnlyList<double> snrs, int[] rvs,
        DecoderOptions options, NrDemapping demapping, StopRule stop, ulong seed, int threads, bool json, string? plotPath, bool crcStop,
        CancellationToken cancellationToken)
    {
        var results = new List<NrBlerPoint>();
        if (!json)
        {
            foreach (var (name, layout) in configs) terminal.Out.WriteLine($"# {name}: {layout}");
            terminal.Out.WriteLine($"# {options.Iterations} iterations layered min-sum{(crcStop ? " (CRC early termination)" : "")}, {demapping} demapping, RV sequence {string.Join(",", rvs)}, " +
                $"stop at {stop.MinFrameErrors} first-transmission TB errors or {stop.MaxFrames} TBs, seed {seed}");
            terminal.Out.WriteLine($"{"config",-18} {"snr_db",7} {"tbs",7} " + string.Join(" ", Enumerable.Range(1, rvs.Length).Select(t => $"{"bler" + t,10}")));
        }
        foreach (var (name, layout) in configs)
            foreach (var snr in snrs)
            {
                var point = NrBler.RunPoint(name, layout, snr, rvs, options, demapping, stop, seed, threads, cancellationToken, crcStop);
                results.Add(point);
                if (json)
                {
                    terminal.Out.WriteLine(JsonSerializer.Serialize(new
                    {
                        config = name,
                        modulation = layout.Modulation.Name(),
                        target_code_rate = layout.Config.TargetCodeRate,
                        tbs = layout.TbSize,
                        g = layout.Bits,
                        base_graph = layout.BaseGraph,
                        code_blocks = layout.CodeBlocks,
                        z = layout.Z,
                        snr_db = snr,
                        transport_blocks = point.TransportBlocks,
                        errors_after = point.ErrorsAfter,
                        bler = Enumerable.Range(1, rvs.Length).Select(point.Bler).ToArray(),
                        rv_sequence = rvs,
                        iterations = options.Iterations,
                        demapping = demapping.ToString().ToLowerInvariant(),
                        seed,
                        stop = point.Stop.ToString(),
                    }));
                }
                else
                {
                    terminal.Out.WriteLine($"{name,-18} {snr.ToString("0.00", CultureInfo.InvariantCulture),7} {point.TransportBlocks,7} " +
                        string.Join(" ", Enumerable.Range(1, rvs.Length).Select(t => point.Bler(t).ToString("0.0000e+0", CultureInfo.InvariantCulture).PadLeft(10))));
                }
                terminal.Out.Flush();
                if (cancellationToken.IsCancellationRequested) break;
            }
        if (plotPath is not null)
        {
            var how = WriteBlerPlot(plotPath, $"TB A={configs[0].Layout.TbSize}, {options.Iterations} it layered min-sum, RV {string.Join(",", rvs)}", results, rvs.Length);
            terminal.Error.WriteLine($"plot: {plotPath} ({how})");
        }
        return cancellationToken.IsCancellationRequested ? Cli.ExitCancelled : Cli.ExitSuccess;
    }

    private static string WriteBlerPlot(string path, string title, List<NrBlerPoint> results, int transmissions)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        if (Environment.GetEnvironmentVariable(BerPlot.BackendVariable) is not "matplotlib")
        {
            try
            {
                var plot = new Plot();
                var palette = new ScottPlot.Palettes.Category10();
                LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
                var names = results.Select(r => r.Config).Distinct().ToArray();
                for (var c = 0; c < names.Length; c++)
                    for (var t = 1; t <= transmissions; t++)
                    {
                        var shown = results.Where(r => r.Config == names[c] && r.Bler(t) > 0).OrderBy(r => r.SnrDb).ToArray();
                        if (shown.Length == 0) continue;
                        var scatter = plot.Add.Scatter(shown.Select(r => r.SnrDb).ToArray(), shown.Select(r => Math.Log10(r.Bler(t))).ToArray());
                        scatter.LegendText = $"{names[c]}, {t} tx";
                        scatter.Color = palette.GetColor(c);
                        scatter.LinePattern = patterns[(t - 1) % patterns.Length];
                        scatter.LineWidth = 2;
                        scatter.MarkerSize = 6;
                    }
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                {
                    MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                    IntegerTicksOnly = true,
                    LabelFormatter = exponent => $"1e{exponent.ToString("0", CultureInfo.InvariantCulture)}",
                };
                plot.Axes.Left.Label.Text = "BLER after t transmissions";
                plot.Axes.Bottom.Label.Text = "Es/N0 (dB)";
                plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.15);
                plot.Title(title, size: 13);
                plot.ShowLegend(Alignment.LowerLeft);
                plot.SavePng(path, 960, 640);
                return "ScottPlot";
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException or EntryPointNotFoundException)
            {
                WriteBlerPlotWithMatplotlib(path, title, results, transmissions);
                return $"matplotlib; ScottPlot could not render here: {e.GetBaseException().Message}";
            }
        }
        WriteBlerPlotWithMatplotlib(path, title, results, transmissions);
        return "matplotlib";
    }

    private const string BlerScript = """
        import csv, sys
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        csv_path, png_path, title = sys.argv[1:4]
        curves = {}
        with open(csv_path) as f:
            for row in csv.DictReader(f):
                curves.setdefault((row["config"], int(row["transmissions"])), []).append((float(row["snr_db"]), float(row["bler"])))
        names = list(dict.fromkeys(c for c, _ in curves))
        styles = ["-", "--", ":", "-."]
        fig, ax = plt.subplots(figsize=(9.6, 6.4), dpi=100)
        for (config, t), points in curves.items():
            shown = sorted(p for p in points if p[1] > 0)
            if shown:
                ax.semilogy([p[0] for p in shown], [p[1] for p in shown], styles[(t - 1) % 4], marker="o", color=f"C{names.index(config)}", label=f"{config}, {t} tx")
        ax.set_xlabel("Es/N0 (dB)")
        ax.set_ylabel("BLER after t transmissions")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
        fig.tight_layout()
        fig.savefig(png_path)
        """;

    private static void WriteBlerPlotWithMatplotlib(string path, string title, List<NrBlerPoint> results, int transmissions)
    {
        var csvPath = Path.ChangeExtension(Path.GetFullPath(path), ".csv");
        var csv = new StringBuilder("config,snr_db,transmissions,transport_blocks,errors,bler\n");
        foreach (var r in results)
            for (var t = 1; t <= transmissions; t++)
                csv.Append(CultureInfo.InvariantCulture, $"{r.Config},{r.SnrDb:R},{t},{r.TransportBlocks},{r.ErrorsAfter[t - 1]},{r.Bler(t):R}\n");
        File.WriteAllText(csvPath, csv.ToString());
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) throw new InvalidOperationException($"cannot draw {path}: ScottPlot is unavailable and {python} is missing; the points are in {csvPath}");
        var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-", csvPath, Path.GetFullPath(path), title }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {python}");
        process.StandardInput.Write(BlerScript);
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"matplotlib could not draw {path}: {errors.Result.Trim().Split('\n').LastOrDefault()} (the points are in {csvPath})");
    }
}
