using System.CommandLine;
using System.Globalization;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Decoders;
using Receiver.Evaluation;
using Receiver.Neural;
using Spectre.Console;

namespace Receiver.Cli;

/// <summary>What <c>receiver eval</c> was asked to measure.</summary>
internal sealed record EvalSettings(
    string CodeSpec,
    IReadOnlyList<string> Decoders,
    int Iterations,
    IReadOnlyList<double> EbN0Db,
    StopRule Stop,
    ulong Seed,
    bool Json,
    bool AllZero,
    float Alpha,
    float Offset,
    int Threads,
    int BatchFrames,
    Modulation Modulation,
    Fading Fading,
    string? PlotPath,
    string? Model = null,
    string Device = "cpu",
    string Runtime = "auto",
    Shard Shard = default,
    string? OutPath = null,
    bool EarlyStop = true,
    LaneElementType? Element = null)
{
    /// <summary>The shard this run measures (the whole point when not sharded).</summary>
    public Shard Shard { get; init; } = Shard.Count == 0 ? Shard.Whole : Shard;
}

/// <summary><c>receiver eval</c>: Monte-Carlo BER/FER of one or more decoders over a list of Eb/N0 points.</summary>
internal static class EvalCommand
{
    public static Command Build(Terminal terminal)
    {
        var code = new Option<string>("--code") { HelpName = "PATH|NAME|nr:K,N", Description = "Code: a .alist/.txt path, a bundled name (receiver codes list) or nr:K,N", Required = true };
        var decoder = new Option<string>("--decoder") { HelpName = "NAME[,NAME...]", Description = $"Decoder, or a comma list of them: {string.Join(", ", DecoderFactory.Names)}; stages joined by + run as a hybrid (pre+main+post, e.g. bm+ecct+bm, bm+ecct, ecct+bm; an osd or scl post-stage reads the channel LLRs of the frames the main decoder leaves failing: bp+osd2, eccfm+osd2)", DefaultValueFactory = _ => "bp" };
        var iterations = new Option<int>("--iterations") { HelpName = "N", Description = "Iteration cap of iterative decoders", DefaultValueFactory = _ => 50 };
        var ebN0 = new Option<string>("--ebn0") { HelpName = "DB[,DB|START:STEP:STOP...]", Description = "Eb/N0 points in dB: a comma list (4,5,6) and/or ranges start:step:stop (1:0.5:4)", DefaultValueFactory = _ => "4,5,6" };
        var minFrameErrors = new Option<int>("--min-frame-errors") { HelpName = "E", Description = "Stop a point after this many frame errors (0: run --max-frames)", DefaultValueFactory = _ => 100 };
        var maxFrames = new Option<long>("--max-frames") { HelpName = "F", Description = "Stop a point after this many frames", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<ulong>("--seed") { HelpName = "S", Description = "Seed of the random info bits and noise (same seed, same frames)", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per point (per line) as each finishes, and nothing else on stdout" };
        var allZero = new Option<bool>("--all-zero") { Description = "Send the all-zero codeword instead of random info bits" };
        var alpha = new Option<float>("--alpha") { HelpName = "A", Description = "Normalized min-sum scaling", DefaultValueFactory = _ => new DecoderOptions().Normalization };
        var offset = new Option<float>("--offset") { HelpName = "B", Description = "Offset min-sum offset", DefaultValueFactory = _ => new DecoderOptions().Offset };
        var threads = new Option<int>("--threads") { HelpName = "T", Description = "Decoder threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var batch = new Option<int>("--batch") { HelpName = "FRAMES", Description = "Frames per decoder call (0: adaptive)", DefaultValueFactory = _ => 0 };
        var modulation = new Option<Modulation>("--modulation") { Description = "Bpsk or Qpsk (Gray)", DefaultValueFactory = _ => Modulation.Bpsk };
        var fading = new Option<Fading>("--fading") { Description = "None (AWGN) or Rayleigh (per symbol, known gain)", DefaultValueFactory = _ => Fading.None };
        var model = new Option<string?>("--model") { HelpName = "NAME|DIR|manifest.json", Description = "Model of the neural decoders (ecct, fecct, eccfm, uecct, aecct, ddecc): an installed name (receiver models list), a model folder or a manifest.json path; a comma list gives each neural decoder the model of its architecture" };
        var device = new Option<string>("--device") { HelpName = "cpu|cuda[:N]", Description = "Where the decoders run: cpu, or a CUDA device for neural decoders (no such device is an error; classical decoders run on the CPU only)", DefaultValueFactory = _ => "cpu" };
        var runtime = new Option<string>("--runtime") { HelpName = "auto|onnxruntime|torchsharp", Description = "Runtime of the neural decoders: auto (ONNX Runtime where the model ships an .onnx file, else TorchSharp), onnxruntime or torchsharp", DefaultValueFactory = _ => "auto" };
        var noEarlyStop = new Option<bool>("--no-early-stop") { Description = "Run every iteration of iterative decoders even once H c = 0 (FER and speed at the full iteration count)" };
        var element = new Option<string?>("--element") { HelpName = "float|int16|int8", Description = "Element type of layered-nms's SIMD lanes: float (default for non-QC codes; the exact reference), int16 or int8 (saturating, robust per-frame scale); QC codes pick int8/int16 themselves unless given" };
        var plot = new Option<string?>("--plot") { HelpName = "FILE.png", Description = "Write BER and FER vs Eb/N0 to this PNG file" };
        var shard = new Option<string?>("--shard") { HelpName = "I/N", Description = "Run only part I of N (I from 0) of every point's --max-frames frames: a contiguous frame range, disjoint from the other parts; needs --min-frame-errors 0 (its default here); add the parts with 'eval merge'" };
        var output = new Option<string?>("--out") { HelpName = "FILE.jsonl", Description = "Also write the --json lines (one per point) to this file" };

        var command = new Command("eval", "Monte-Carlo BER/FER of decoders over Eb/N0 points")
        {
            code, decoder, iterations, ebN0, minFrameErrors, maxFrames, seed, json, allZero, alpha, offset, threads, batch, modulation, fading, plot, model, device, runtime, shard, output, noEarlyStop, element,
        };
        command.Subcommands.Add(EvalMergeCommand.Build(terminal));
        command.SetAction((parsed, cancellationToken) =>
        {
            var shardPart = ParseShard(parsed.GetValue(shard));
            // A shard stops on its frame range alone: an error stop would make the shards' union depend on the split.
            var errorStop = !shardPart.IsWhole && parsed.GetResult(minFrameErrors) is not { Implicit: false } ? 0 : parsed.GetValue(minFrameErrors);
            var settings = Validate(new EvalSettings(
                parsed.GetValue(code)!,
                ParseDecoders(parsed.GetValue(decoder)!),
                parsed.GetValue(iterations),
                ParseEbN0(parsed.GetValue(ebN0)!),
                new StopRule(errorStop, parsed.GetValue(maxFrames)),
                parsed.GetValue(seed),
                parsed.GetValue(json),
                parsed.GetValue(allZero),
                parsed.GetValue(alpha),
                parsed.GetValue(offset),
                parsed.GetValue(threads),
                parsed.GetValue(batch),
                parsed.GetValue(modulation),
                parsed.GetValue(fading),
                parsed.GetValue(plot),
                string.IsNullOrWhiteSpace(parsed.GetValue(model)) ? null : parsed.GetValue(model)!.Trim(),
                parsed.GetValue(device)!,
                parsed.GetValue(runtime)!,
                shardPart,
                string.IsNullOrWhiteSpace(parsed.GetValue(output)) ? null : parsed.GetValue(output),
                !parsed.GetValue(noEarlyStop),
                ParseElement(parsed.GetValue(element))));
            return new EvalRun(settings, terminal).RunAsync(cancellationToken);
        });
        return command;
    }

    private static Shard ParseShard(string? text)
    {
        if (text is null) return Shard.Whole;
        try
        {
            return Shard.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--shard: {e.Message}", e);
        }
    }

    /// <summary>Parses "4,5,6" and ranges "start:step:stop" (stop included) into Eb/N0 values.</summary>
    internal static IReadOnlyList<double> ParseEbN0(string text)
    {
        const string usage = "expected comma-separated numbers such as 4,5,6 or ranges start:step:stop such as 1:0.5:4";
        var points = new List<double>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':', StringSplitOptions.TrimEntries);
            var numbers = new double[parts.Length];
            for (var i = 0; i < parts.Length; i++)
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]) || Math.Abs(numbers[i]) > 100)
                    throw new UsageException($"bad --ebn0 '{text}': '{item}' is not a number of dB ({usage})");
            switch (numbers.Length)
            {
                case 1:
                    points.Add(numbers[0]);
                    break;
                case 3 when numbers[1] > 0 && numbers[2] >= numbers[0] && (numbers[2] - numbers[0]) / numbers[1] <= 1000:
                    var steps = (int)Math.Floor((numbers[2] - numbers[0]) / numbers[1] + 1e-9);
                    for (var s = 0; s <= steps; s++) points.Add(Math.Round(numbers[0] + s * numbers[1], 10));
                    break;
                default:
                    throw new UsageException($"bad --ebn0 '{text}': '{item}' ({usage}; a range needs a positive step and stop >= start)");
            }
        }
        return points;
    }

    /// <summary>
    /// The model spec <paramref name="decoder"/> uses: <paramref name="models"/> itself when it is one spec, else the
    /// one of the comma list whose manifest has the decoder's architecture. Null for classical decoders.
    /// </summary>
    internal static string? ModelFor(string decoder, string? models)
    {
        if (models is null || !DecoderFactory.NeedsModel(decoder)) return null;
        var specs = models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (specs.Length == 1) return specs[0];
        var catalog = ModelCatalog.Default;
        var architectures = specs.Select(spec => (Spec: spec, catalog.Resolve(spec).Architecture)).ToArray();
        var architecture = DecoderFactory.NeuralStage(decoder);
        return architectures.FirstOrDefault(a => a.Architecture.Equals(architecture, StringComparison.OrdinalIgnoreCase)).Spec
            ?? throw new UsageException($"--model {models}: none of these is an {decoder} model ({string.Join(", ", architectures.Select(a => $"{a.Spec}: {a.Architecture}"))})");
    }

    internal static LaneElementType? ParseElement(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return LaneElementTypes.Parse(text); }
        catch (ArgumentException e) { throw new UsageException($"--element: {e.Message}"); }
    }

    internal static IReadOnlyList<string> ParseDecoders(string text)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => n.ToLowerInvariant()).Distinct().ToArray();
        if (names.Length == 0) throw new UsageException($"no decoder given: choose from {string.Join(", ", DecoderFactory.Names)}");
        foreach (var name in names)
            if (!DecoderFactory.IsKnown(name))
                throw new UsageException($"unknown decoder '{name}': known decoders are {string.Join(", ", DecoderFactory.Names)}");
        return names;
    }

    internal static EvalSettings Validate(EvalSettings s)
    {
        if (s.Iterations < 1) throw new UsageException($"--iterations must be at least 1, got {s.Iterations}");
        if (s.Stop.MinFrameErrors < 0) throw new UsageException($"--min-frame-errors must be 0 or more, got {s.Stop.MinFrameErrors}");
        if (s.Stop.MaxFrames < 1) throw new UsageException($"--max-frames must be at least 1, got {s.Stop.MaxFrames}");
        if (s.Threads < 0) throw new UsageException($"--threads must be 0 (all cores) or more, got {s.Threads}");
        if (s.BatchFrames < 0) throw new UsageException($"--batch must be 0 (adaptive) or more, got {s.BatchFrames}");
        if (!(s.Alpha > 0) || !float.IsFinite(s.Alpha)) throw new UsageException($"--alpha must be a positive number, got {s.Alpha}");
        if (!(s.Offset >= 0) || !float.IsFinite(s.Offset)) throw new UsageException($"--offset must be 0 or more, got {s.Offset}");
        if (s.Model is null && s.Decoders.FirstOrDefault(DecoderFactory.NeedsModel) is { } neural)
            throw new UsageException($"decoder {neural} needs a model: pass --model NAME|DIR|manifest.json (receiver models list shows the installed ones)");
        try
        {
            ComputeDevice.Parse(s.Device);
            Receiver.Neural.Runtime.NeuralRuntimes.Parse(s.Runtime);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--device/--runtime: {e.Message}");
        }
        if (!s.Shard.IsWhole && s.Stop.MinFrameErrors > 0)
            throw new UsageException($"--shard {s.Shard} runs a fixed share of --max-frames, so it needs --min-frame-errors 0 (got {s.Stop.MinFrameErrors}): each shard stopping at its own errors would make the merged frames depend on the split");
        if (s.Shard.Count > s.Stop.MaxFrames)
            throw new UsageException($"--shard {s.Shard}: {s.Stop.MaxFrames} frames cannot be split into {s.Shard.Count} non-empty shards");
        if (s.PlotPath is { } plot && !plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--plot writes a PNG: give a file name ending in .png, got '{plot}'");
        return s;
    }
}

/// <summary>One <c>receiver eval</c> run: loads the code and decoders, runs every point, reports.</summary>
internal sealed class EvalRun(EvalSettings settings, Terminal terminal)
{
    private readonly List<PointResult> _results = [];
    private StreamWriter? _out;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var code = LoadCode(settings.CodeSpec);
        var options = new DecoderOptions
        {
            Iterations = settings.Iterations,
            Normalization = settings.Alpha,
            Offset = settings.Offset,
            Parallelism = settings.Threads,
            Model = settings.Model,
            Device = ComputeDevice.Parse(settings.Device),
            Runtime = settings.Runtime,
            NeuralMaxBatch = Math.Max(0, settings.BatchFrames),
            EarlyStop = settings.EarlyStop,
            ElementType = settings.Element,
        };
        if (settings.OutPath is { } outPath)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(outPath)) is { } folder) Directory.CreateDirectory(folder);
            _out = new StreamWriter(outPath, append: false);
        }
        await using var outFile = _out;
        var decoders = settings.Decoders.Select(name => CreateDecoder(name, code, options with { Model = EvalCommand.ModelFor(name, settings.Model) })).ToArray();

        if (!settings.Json && terminal.ErrorIsTerminal)
            await RunWithProgressBarsAsync(code, decoders, cancellationToken);
        else
            await RunPlainAsync(code, decoders, cancellationToken);

        var cancelled = _results.Any(r => r.StopReason == StopReason.Cancelled) || cancellationToken.IsCancellationRequested;
        if (!settings.Json) ResultTable.Write(terminal, CodeTitle.Of(code), settings, _results);
        if (settings.PlotPath is { } plotPath && _results.Count > 0)
        {
            var how = BerPlot.Write(plotPath, CodeTitle.Of(code), settings, _results);
            terminal.Error.WriteLine($"plot: {plotPath} ({how})");
        }
        if (cancelled) terminal.Error.WriteLine($"cancelled: {_results.Count} point(s) measured, the last one partly");
        return cancelled ? Cli.ExitCancelled : Cli.ExitSuccess;
    }

    private async Task RunPlainAsync(IBlockCode code, IBatchDecoder[] decoders, CancellationToken cancellationToken)
    {
        foreach (var (decoder, ebN0) in Points(decoders))
        {
            if (cancellationToken.IsCancellationRequested) return;
            var result = await Task.Run(() => RunPoint(code, decoder, ebN0, null, cancellationToken), CancellationToken.None);
            Record(result);
            if (!settings.Json)
                terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Decoder} {result.EbN0Db:0.###} dB: {result.Frames} frames, {result.FrameErrors} frame errors, BER {result.Ber:0.000E+00}, FER {result.Fer:0.000E+00} ({result.ElapsedSeconds:0.0} s)"));
            if (result.StopReason == StopReason.Cancelled) return;
        }
    }

    private Task RunWithProgressBarsAsync(IBlockCode code, IBatchDecoder[] decoders, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(terminal.Error) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                foreach (var (decoder, ebN0) in Points(decoders))
                {
                    if (cancellationToken.IsCancellationRequested) return;
                    var label = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{decoder.Name} {ebN0:0.###} dB"));
                    var task = context.AddTask(label, maxValue: 1.0);
                    var progress = new Progress<PointResult>(p =>
                    {
                        task.Value = Completion(p);
                        task.Description = label + Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"  {p.FrameErrors}/{settings.Stop.MinFrameErrors} fe, {p.Frames} frames"));
                    });
                    var result = await Task.Run(() => RunPoint(code, decoder, ebN0, progress, cancellationToken), CancellationToken.None);
                    task.Value = 1.0;
                    task.Description = label + Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"  BER {result.Ber:0.00E+00}  FER {result.Fer:0.00E+00}"));
                    task.StopTask();
                    Record(result);
                    if (result.StopReason == StopReason.Cancelled) return;
                }
            });
    }

    /// <summary>Share of the stop rule reached: frame errors or frames, whichever is closer.</summary>
    private double Completion(PointResult p)
    {
        var byFrames = p.Frames / (double)settings.Shard.Range(settings.Stop.MaxFrames).Frames;
        var byErrors = settings.Stop.MinFrameErrors > 0 ? p.FrameErrors / (double)settings.Stop.MinFrameErrors : 0;
        return Math.Clamp(Math.Max(byFrames, byErrors), 0, 1);
    }

    private IEnumerable<(IBatchDecoder Decoder, double EbN0)> Points(IBatchDecoder[] decoders)
        => from decoder in decoders from ebN0 in settings.EbN0Db select (decoder, ebN0);

    private PointResult RunPoint(IBlockCode code, IBatchDecoder decoder, double ebN0, IProgress<PointResult>? progress, CancellationToken cancellationToken)
    {
        try
        {
            var (firstFrame, frames) = settings.Shard.Range(settings.Stop.MaxFrames);
            return MonteCarlo.RunPoint(code, decoder, ebN0, settings.Stop with { MaxFrames = frames }, settings.Seed, settings.AllZero, settings.BatchFrames,
                progress, cancellationToken, settings.Modulation, settings.Fading, firstFrame);
        }
        catch (NotImplementedException e)
        {
            throw new UsageException($"decoder {decoder.Name} is not available yet", e);
        }
    }

    private void Record(PointResult result)
    {
        _results.Add(result);
        if (_out is not null)
        {
            _out.WriteLine(PointJson.Format(result, settings));
            _out.Flush();
        }
        if (!settings.Json) return;
        terminal.Out.WriteLine(PointJson.Format(result, settings));
        terminal.Out.Flush();
    }

    private static IBlockCode LoadCode(string spec)
    {
        try
        {
            return CodeLibrary.Load(spec);
        }
        catch (NotImplementedException e)
        {
            throw new UsageException($"code {spec} is not available yet", e);
        }
    }

    private static IBatchDecoder CreateDecoder(string name, IBlockCode code, DecoderOptions options)
    {
        try
        {
            return DecoderFactory.Create(name, code, options);
        }
        catch (NotImplementedException e)
        {
            throw new UsageException($"decoder {name} is not available yet", e);
        }
        catch (ModelException e)
        {
            throw new UsageException($"decoder {name}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"decoder {name} cannot decode {code.Name}: {Cli.MessageOf(e)}", e);
        }
    }
}
