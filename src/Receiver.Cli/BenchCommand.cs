using System.CommandLine;
using System.Globalization;
using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Service.Bench;
using NetMQ;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver bench [--rates R1,R2,...] [--max] [--find-max] [--soak MINUTES] [--seconds S] [--json]</c>: latency and throughput of
/// the streaming service over ZMQ loopback (in-process, or <c>--subprocess</c> for a separate <c>receiver run</c>).
/// A table on stdout, or with --json one JSON object per run (and one summary object after --find-max).
/// </summary>
internal static class BenchCommand
{
    /// <summary>Used when no --config is given and it exists in the working directory.</summary>
    public const string DefaultConfig = "configs/bench.json";

    private static readonly double[] DefaultRates = [1000, 5000, 20000];

    public static Command Build(Terminal terminal)
    {
        var defaults = new BenchSettings();
        var search = new FindMaxSettings();
        var rates = new Option<string?>("--rates") { HelpName = "R1,R2,...", Description = "Fixed frame rates, one run each (default 1000,5000,20000 when no mode is given)" };
        var max = new Option<bool>("--max") { Description = "One run as fast as the service takes frames (ingest throughput)" };
        var findMax = new Option<bool>("--find-max") { Description = "Raise the rate until drops, falling behind or latency blow-up; then run at half the highest sustained rate" };
        var seconds = new Option<double>("--seconds") { HelpName = "S", Description = "Length of each run", DefaultValueFactory = _ => 3 };
        var warmup = new Option<double>("--warmup") { HelpName = "S", Description = "Unreported run first (JIT, connections); 0 for none", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "One JSON object per run on stdout (and nothing else there)" };
        var config = new Option<string?>("--config") { HelpName = "FILE", Description = $"Service configuration (default {DefaultConfig} when present); endpoints are replaced" };
        var code = new Option<string?>("--code") { HelpName = "PATH|NAME|nr:K,N", Description = "Code to send and decode (default: the configuration's first, else nr:224,256)" };
        var decoder = new Option<string?>("--decoder") { HelpName = "NAME", Description = $"Main decoder: {string.Join(", ", DecoderFactory.Names)}" };
        var iterations = new Option<int?>("--iterations") { HelpName = "N", Description = "Iteration cap" };
        var model = new Option<string?>("--model") { HelpName = "NAME|DIR|manifest.json", Description = "Model of a neural decoder (ecct, fecct, eccfm, uecct, aecct, ddecc): receiver models list" };
        var runtime = new Option<string?>("--runtime") { HelpName = "auto|onnxruntime|torchsharp", Description = "Runtime of a neural decoder: auto (ONNX Runtime where the model ships an .onnx file, else TorchSharp), onnxruntime or torchsharp" };
        var device = new Option<string?>("--device") { HelpName = "cpu|cuda[:N]", Description = "Where the decoder runs: cpu, or a CUDA device for neural decoders (no such device is an error at start)" };
        var format = new Option<string>("--format") { HelpName = "framed|gr-float", Description = "What the client sends", DefaultValueFactory = _ => defaults.Format };
        var perMessage = new Option<int>("--frames-per-message") { HelpName = "M", Description = "gr-float: frames per ZMQ message", DefaultValueFactory = _ => defaults.FramesPerMessage };
        var ebN0 = new Option<double>("--ebn0") { HelpName = "DB", Description = "Eb/N0 of the pre-generated frames", DefaultValueFactory = _ => defaults.EbN0Db };
        var batch = new Option<int?>("--batch") { HelpName = "FRAMES", Description = "Most frames per decoder batch" };
        var workers = new Option<int?>("--workers") { HelpName = "W", Description = "Decoder worker threads (0: one per core)" };
        var overflow = new Option<string?>("--overflow") { HelpName = "block|drop-oldest", Description = "Batcher queue overflow policy" };
        var subprocess = new Option<bool>("--subprocess") { Description = "Run the service as a child process (receiver run) instead of in this process" };
        var p99Limit = new Option<double>("--p99-limit-us") { HelpName = "US", Description = "find-max: end-to-end p99 above this counts as blown up", DefaultValueFactory = _ => search.P99LimitUs };
        var startRate = new Option<double>("--start-rate") { HelpName = "FPS", Description = "find-max: first rate", DefaultValueFactory = _ => search.StartRate };
        var soak = new Option<double?>("--soak") { HelpName = "MINUTES", Description = "Soak: one-minute runs at the first --rates rate for MINUTES; prints RSS and p99 per minute and the RSS slope after the first minute" };
        var seed = new Option<ulong>("--seed") { HelpName = "S", Description = "Seed of the frame pool", DefaultValueFactory = _ => defaults.Seed };

        var command = new Command("bench", "Latency and throughput of the streaming service over ZMQ loopback: fixed rates, as fast as possible, or the highest rate without drops")
        {
            rates, max, findMax, soak, seconds, warmup, json, config, code, decoder, iterations, model, runtime, device, format, perMessage, ebN0, batch, workers, overflow, subprocess, p99Limit, startRate, seed,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var configPath = parsed.GetValue(config) ?? (File.Exists(DefaultConfig) ? DefaultConfig : null);
            var settings = new BenchSettings
            {
                ConfigPath = configPath,
                Code = parsed.GetValue(code),
                Decoder = parsed.GetValue(decoder)?.Trim().ToLowerInvariant(),
                Iterations = parsed.GetValue(iterations),
                Model = string.IsNullOrWhiteSpace(parsed.GetValue(model)) ? null : parsed.GetValue(model)!.Trim(),
                Runtime = parsed.GetValue(runtime)?.Trim().ToLowerInvariant(),
                Device = parsed.GetValue(device)?.Trim().ToLowerInvariant(),
                MaxBatch = parsed.GetValue(batch),
                Workers = parsed.GetValue(workers),
                Overflow = parsed.GetValue(overflow)?.Trim().ToLowerInvariant(),
                Format = parsed.GetValue(format)!.Trim().ToLowerInvariant(),
                FramesPerMessage = parsed.GetValue(perMessage),
                EbN0Db = parsed.GetValue(ebN0),
                Seed = parsed.GetValue(seed),
                Target = parsed.GetValue(subprocess) ? BenchTargetKind.Subprocess : BenchTargetKind.InProcess,
                CliPath = typeof(BenchCommand).Assembly.Location,
            };
            var plan = new Plan(
                ParseRates(parsed.GetValue(rates)),
                parsed.GetValue(max),
                parsed.GetValue(findMax),
                parsed.GetValue(seconds),
                parsed.GetValue(warmup),
                parsed.GetValue(soak),
                search with { P99LimitUs = parsed.GetValue(p99Limit), StartRate = parsed.GetValue(startRate) });
            Validate(settings, plan);
            return await RunAsync(settings, plan, parsed.GetValue(json), terminal, cancellationToken);
        });
        return command;
    }

    private sealed record Plan(IReadOnlyList<double>? Rates, bool Max, bool FindMax, double Seconds, double Warmup, double? SoakMinutes, FindMaxSettings Search)
    {
        public IReadOnlyList<double> FixedRates => SoakMinutes is not null ? [] : Rates ?? (Max || FindMax ? [] : DefaultRates);
    }

    private static async Task<int> RunAsync(BenchSettings settings, Plan plan, bool json, Terminal terminal, CancellationToken cancellationToken)
    {
        ServiceBench bench;
        try
        {
            bench = await ServiceBench.StartAsync(settings, cancellationToken);
        }
        catch (Exception e) when (e is CodeFormatException or NetMQException or Receiver.Neural.Runtime.ModelRuntimeException or InvalidOperationException or FileNotFoundException)
        {
            throw new UsageException(Cli.MessageOf(e), e);
        }
        var results = new List<BenchRunResult>();
        await using (bench)
        {
            if (!json)
                terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench: {bench.Code.Name} (n {bench.Code.N}, k {bench.Code.K}), {bench.Decoder}, {settings.Format}, service {bench.TargetName}{(settings.ConfigPath is { } path ? $", config {path}" : "")}, {Environment.ProcessorCount} cores"));
            void Report(BenchRunResult result)
            {
                results.Add(result);
                if (json) terminal.Out.WriteLine(result.ToJson());
                else terminal.Error.WriteLine($"  {Row(result)}");
                terminal.Out.Flush();
            }
            try
            {
                if (plan.Warmup > 0) await bench.RunAsync(Math.Min(2000, plan.FixedRates.Count > 0 ? plan.FixedRates[0] : 2000), plan.Warmup, cancellationToken);
                foreach (var rate in plan.FixedRates) Report(await bench.RunAsync(rate, plan.Seconds, cancellationToken));
                if (plan.Max) Report(await bench.RunAsync(null, plan.Seconds, cancellationToken));
                if (plan.SoakMinutes is { } minutes) await SoakAsync(bench, plan.Rates![0], minutes, json, terminal, Report, cancellationToken);
                if (plan.FindMax)
                {
                    var found = await bench.FindMaxAsync(plan.Search, plan.Seconds, Report, cancellationToken);
                    var summary = FindMaxSummary(found, plan.Search);
                    if (json) terminal.Out.WriteLine(summary);
                    else
                        terminal.Error.WriteLine(found.MaxSustainedRate is { } best
                            ? string.Create(CultureInfo.InvariantCulture, $"highest rate sustained: {best:0} frames/s ({best * bench.Code.N * 4 / 1e6:0.0} MB/s of LLRs); at half of it ({best / 2:0} frames/s) service p99 {found.HalfRateRun?.LatencyUs.P99:0} us, e2e p99 {found.HalfRateRun?.E2eLatencyUs.P99:0} us")
                            : string.Create(CultureInfo.InvariantCulture, $"no rate sustained (first tried {plan.Search.StartRate:0} frames/s)"));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }
        if (!json) WriteTable(terminal, results);
        terminal.Out.Flush();
        return cancellationToken.IsCancellationRequested ? Cli.ExitCancelled : Cli.ExitSuccess;
    }

    /// <summary>
    /// One-minute runs back to back at <paramref name="rate"/>: after each, the service process's RSS and the minute's
    /// p99; at the end the least-squares RSS slope over the minutes after the first (warm-up, JIT, pools filling).
    /// </summary>
    private static async Task SoakAsync(ServiceBench bench, double rate, double minutes, bool json, Terminal terminal, Action<BenchRunResult> report, CancellationToken cancellationToken)
    {
        var rss = new List<double>();
        var count = (int)Math.Ceiling(minutes);
        long sent = 0, received = 0, dropped = 0;
        for (var minute = 1; minute <= count; minute++)
        {
            var run = await bench.RunAsync(rate, Math.Min(60, (minutes - minute + 1) * 60), cancellationToken);
            var mb = bench.ServiceResidentBytes() / 1e6;
            rss.Add(mb);
            (sent, received, dropped) = (sent + run.FramesSent, received + run.FramesReceived, dropped + run.FramesDropped);
            if (json) terminal.Out.WriteLine(Invariant($"{{\"mode\":\"soak-minute\",\"minute\":{minute},\"rss_mb\":{mb:0.0},\"rate_achieved\":{run.RateAchieved:0},\"frames_sent\":{run.FramesSent},\"frames_received\":{run.FramesReceived},\"frames_dropped\":{run.FramesDropped},\"accounted\":{(run.Accounted ? "true" : "false")},\"latency_p99_us\":{Number(run.LatencyUs.P99)},\"e2e_latency_p99_us\":{Number(run.E2eLatencyUs.P99)}}}"));
            else terminal.Error.WriteLine(Invariant($"  minute {minute}: rss {mb:0.0} MB, svc p99 {Us(run.LatencyUs.P99)} us, e2e p99 {Us(run.E2eLatencyUs.P99)} us, sent {run.FramesSent}, received {run.FramesReceived}, dropped {run.FramesDropped}{(run.Accounted ? "" : " (not all accounted for)")}"));
            terminal.Out.Flush();
        }
        var slope = Slope(rss.Skip(1).ToList());
        if (json) terminal.Out.WriteLine(Invariant($"{{\"mode\":\"soak-summary\",\"minutes\":{count},\"rate\":{rate:0},\"frames_sent\":{sent},\"frames_received\":{received},\"frames_dropped\":{dropped},\"rss_first_mb\":{rss[0]:0.0},\"rss_last_mb\":{rss[^1]:0.0},\"rss_slope_mb_per_min\":{Number(slope)}}}"));
        else terminal.Error.WriteLine(Invariant($"soak: {count} min at {rate:0} frames/s, sent {sent}, received {received}, dropped {dropped}; rss {rss[0]:0.0} -> {rss[^1]:0.0} MB, slope after the first minute {(double.IsFinite(slope) ? $"{slope:+0.00;-0.00} MB/min" : "- (needs 3 minutes)")}"));
    }

    /// <summary>Least-squares slope of the values against their index; NaN for fewer than two.</summary>
    private static double Slope(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        var meanX = (values.Count - 1) / 2.0;
        var meanY = values.Average();
        double covariance = 0, variance = 0;
        for (var i = 0; i < values.Count; i++)
        {
            covariance += (i - meanX) * (values[i] - meanY);
            variance += (i - meanX) * (i - meanX);
        }
        return covariance / variance;
    }

    private static string Number(double value) => double.IsFinite(value) ? Math.Round(value, 3).ToString("R", CultureInfo.InvariantCulture) : "null";

    private static string FindMaxSummary(FindMaxResult found, FindMaxSettings search)
    {
        static string Number(double? value) => value is { } v && double.IsFinite(v) ? Math.Round(v, 3).ToString("R", CultureInfo.InvariantCulture) : "null";
        var half = found.HalfRateRun;
        return "{" + string.Join(",",
            "\"mode\":\"find-max-summary\"",
            $"\"max_sustained_rate\":{Number(found.MaxSustainedRate)}",
            $"\"p99_limit_us\":{Number(search.P99LimitUs)}",
            $"\"runs\":{found.Runs.Count}",
            $"\"half_rate\":{Number(half?.RateTarget)}",
            $"\"half_rate_latency_p99_us\":{Number(half?.LatencyUs.P99)}",
            $"\"half_rate_e2e_latency_p99_us\":{Number(half?.E2eLatencyUs.P99)}") + "}";
    }

    private static readonly string[] Columns = ["mode", "target/s", "achieved/s", "sent", "received", "dropped", "MB/s", "svc p50", "svc p99", "svc p99.9", "e2e p50", "e2e p99", "e2e p99.9", "cpu svc", "cpu client"];

    private static string[] Cells(BenchRunResult r) =>
    [
        r.Mode,
        r.RateTarget is { } t ? Invariant($"{t:0}") : "max",
        Invariant($"{r.RateAchieved:0}"),
        Invariant($"{r.FramesSent}"),
        Invariant($"{r.FramesReceived}"),
        r.FramesDropped == 0 ? "0" : Invariant($"{r.FramesDropped} ({string.Join(", ", r.DroppedByReason.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"))})"),
        Invariant($"{r.IngestMbPerS:0.0}"),
        Us(r.LatencyUs.P50), Us(r.LatencyUs.P99), Us(r.LatencyUs.P999),
        Us(r.E2eLatencyUs.P50), Us(r.E2eLatencyUs.P99), Us(r.E2eLatencyUs.P999),
        Invariant($"{r.Cpu.Service:0.00}"), Invariant($"{r.Cpu.Client:0.00}"),
    ];

    private static string Row(BenchRunResult r)
    {
        var cells = Cells(r);
        return string.Join("  ", Columns.Select((c, i) => $"{c} {cells[i]}"));
    }

    private static void WriteTable(Terminal terminal, IReadOnlyList<BenchRunResult> results)
    {
        if (results.Count == 0) return;
        var rows = results.Select(Cells).Prepend(Columns).ToList();
        var widths = Columns.Select((_, i) => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows) terminal.Out.WriteLine(string.Join("  ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        var first = results[0];
        terminal.Out.WriteLine(Invariant($"latency in us: svc = ingest-to-publish ({first.LatencySource}), e2e = client send to client receipt; MB/s = float LLRs sent (n x 4 bytes per frame); cpu in cores"));
    }

    private static string Us(double value) => double.IsFinite(value) ? Invariant($"{value:0}") : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static IReadOnlyList<double>? ParseRates(string? text)
    {
        if (text is null) return null;
        var rates = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate > 0) || !double.IsFinite(rate))
                throw new UsageException($"--rates takes positive frame rates separated by commas, got '{part}'");
            rates.Add(rate);
        }
        if (rates.Count == 0) throw new UsageException("--rates needs at least one rate");
        return rates;
    }

    private static void Validate(BenchSettings s, Plan plan)
    {
        if (!(plan.Seconds > 0) || !double.IsFinite(plan.Seconds) || plan.Seconds > 3600) throw new UsageException($"--seconds must be a positive number of seconds, got {plan.Seconds}");
        if (!(plan.Warmup >= 0) || !double.IsFinite(plan.Warmup) || plan.Warmup > 600) throw new UsageException($"--warmup must be 0 or a number of seconds, got {plan.Warmup}");
        if (s.Decoder is { } decoder && !DecoderFactory.IsKnown(decoder)) throw new UsageException($"unknown decoder '{decoder}': known decoders are {string.Join(", ", DecoderFactory.Names)}");
        if (s.Iterations is < 1) throw new UsageException($"--iterations must be at least 1, got {s.Iterations}");
        if (s.Format is not ("framed" or "gr-float")) throw new UsageException($"--format must be framed or gr-float, got '{s.Format}'");
        if (s.FramesPerMessage < 1) throw new UsageException($"--frames-per-message must be at least 1, got {s.FramesPerMessage}");
        if (s.FramesPerMessage > 1 && s.Format != "gr-float") throw new UsageException("--frames-per-message applies to --format gr-float only");
        if (!double.IsFinite(s.EbN0Db) || Math.Abs(s.EbN0Db) > 100) throw new UsageException($"--ebn0 must be a number of dB, got {s.EbN0Db}");
        if (s.MaxBatch is < 1) throw new UsageException($"--batch must be at least 1, got {s.MaxBatch}");
        if (s.Workers is < 0) throw new UsageException($"--workers must be 0 (one per core) or more, got {s.Workers}");
        if (s.Overflow is not (null or "block" or "drop-oldest")) throw new UsageException($"--overflow must be block or drop-oldest, got '{s.Overflow}'");
        if (!(plan.Search.StartRate > 0) || !double.IsFinite(plan.Search.StartRate)) throw new UsageException($"--start-rate must be a positive frame rate, got {plan.Search.StartRate}");
        if (!(plan.Search.P99LimitUs > 0)) throw new UsageException($"--p99-limit-us must be positive, got {plan.Search.P99LimitUs}");
        if (plan.SoakMinutes is { } soak && (!(soak > 0) || soak > 24 * 60)) throw new UsageException($"--soak takes a number of minutes (up to a day), got {soak}");
        if (plan.SoakMinutes is not null && plan.Rates is not { Count: 1 }) throw new UsageException("--soak needs the rate to hold: give exactly one with --rates (e.g. 80% of what --find-max reports)");
        if (plan.SoakMinutes is not null && (plan.Max || plan.FindMax)) throw new UsageException("--soak runs alone: drop --max and --find-max");
    }
}
