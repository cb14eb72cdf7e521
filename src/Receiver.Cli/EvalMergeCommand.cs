using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Receiver.Codes.Channel;
using Receiver.Decoders;
using Receiver.Evaluation;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver eval merge FILES...</c>: adds the shards written by <c>eval --shard I/N --out FILE</c> (or <c>--json</c>)
/// into one point per (code, decoder, Eb/N0, settings) and prints the same table, JSON lines and plot as an
/// unsharded run. Every shard 0..N-1 of a point must be present exactly once.
/// </summary>
internal static class EvalMergeCommand
{
    public static Command Build(Terminal terminal)
    {
        var files = new Argument<string[]>("FILES") { Description = "JSON-lines files of eval --shard runs (eval --out or --json output)", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per merged point (per line), as eval --json does" };
        var output = new Option<string?>("--out") { HelpName = "FILE.jsonl", Description = "Also write the merged JSON lines to this file" };
        var plot = new Option<string?>("--plot") { HelpName = "FILE.png", Description = "Write BER and FER vs Eb/N0 of the merged points to this PNG file" };
        var command = new Command("merge", "Add the shards of eval --shard runs into the points of the unsharded run") { files, json, output, plot };
        command.SetAction(parsed => Run(terminal, parsed.GetValue(files)!, parsed.GetValue(json), parsed.GetValue(output), parsed.GetValue(plot)));
        return command;
    }

    private static int Run(Terminal terminal, string[] paths, bool json, string? outPath, string? plotPath)
    {
        if (plotPath is not null && !plotPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--plot writes a PNG: give a file name ending in .png, got '{plotPath}'");
        var lines = paths.SelectMany(ReadLines).ToList();
        if (lines.Count == 0) throw new UsageException($"no points in {string.Join(", ", paths)}");

        // Points in the order they first appear; sets of settings (one table each) likewise.
        var points = new List<(ShardLine First, List<ShardLine> Shards)>();
        foreach (var line in lines)
        {
            var existing = points.FindIndex(p => p.First.PointKey == line.PointKey);
            if (existing < 0) points.Add((line, [line]));
            else points[existing].Shards.Add(line);
        }
        var merged = points.Select(p => (p.First.Settings, Result: MergePoint(p.Shards))).ToList();
        var sets = merged.GroupBy(m => m.Settings.TableKey).ToList();
        if (plotPath is not null && sets.Count > 1)
            throw new UsageException($"--plot draws one code and one set of settings; these files hold {sets.Count}: {string.Join("; ", sets.Select(s => s.Key))}");

        using var outFile = outPath is null ? null : new StreamWriter(outPath, append: false);
        foreach (var (settings, result) in merged)
        {
            var line = PointJson.Format(result, settings.Eval);
            outFile?.WriteLine(line);
            if (json) terminal.Out.WriteLine(line);
        }
        terminal.Out.Flush();
        foreach (var set in sets)
        {
            var first = set.First();
            var title = new CodeTitle(first.Result.Code, first.Result.N, first.Result.K);
            var settings = first.Settings.Eval with { Decoders = set.Select(m => m.Result.Decoder).Distinct().ToArray() };
            if (!json) ResultTable.Write(terminal, title, settings, set.Select(m => m.Result).ToList());
            if (plotPath is not null)
                terminal.Error.WriteLine($"plot: {plotPath} ({BerPlot.Write(plotPath, title, settings, set.Select(m => m.Result).ToList())})");
        }
        terminal.Error.WriteLine($"merged {lines.Count} shard line(s) from {paths.Length} file(s) into {merged.Count} point(s)");
        return Cli.ExitSuccess;
    }

    /// <summary>Checks that the point's shards are 0..N-1 of one N, each once and complete, and adds them.</summary>
    private static PointResult MergePoint(List<ShardLine> shards)
    {
        var first = shards[0];
        var counts = shards.Select(s => s.Shard.Count).Distinct().ToArray();
        if (counts.Length > 1)
            throw new UsageException($"{first.Describe()}: shards of different splits ({string.Join(", ", shards.Select(s => $"{s.Shard} in {s.Source}"))})");
        var count = counts[0];
        var duplicate = shards.GroupBy(s => s.Shard.Index).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new UsageException($"{first.Describe()}: shard {duplicate.Key}/{count} given more than once ({string.Join(", ", duplicate.Select(s => s.Source))})");
        var missing = Enumerable.Range(0, count).Except(shards.Select(s => s.Shard.Index)).ToArray();
        if (missing.Length > 0)
            throw new UsageException($"{first.Describe()}: shard(s) {string.Join(", ", missing.Select(i => $"{i}/{count}"))} missing; the merge would not be the unsharded run's frames");
        foreach (var s in shards)
        {
            var expected = s.Shard.Range(s.Settings.Eval.Stop.MaxFrames);
            if (s.Result.StopReason == StopReason.Cancelled || s.Result.Frames != expected.Frames || s.FirstFrame != expected.FirstFrame)
                throw new UsageException($"{first.Describe()}: shard {s.Shard} in {s.Source} ran {s.Result.Frames} frames from frame {s.FirstFrame}, not its range of {expected.Frames} frames from {expected.FirstFrame} (cancelled or cut short: rerun it)");
        }
        return ShardMerge.Merge(shards.OrderBy(s => s.Shard.Index).Select(s => s.Result).ToList());
    }

    private static IEnumerable<ShardLine> ReadLines(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"no such file: {path}");
        var number = 0;
        foreach (var text in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            ShardLine line;
            try
            {
                using var document = JsonDocument.Parse(text);
                line = ShardLine.From(document.RootElement, $"{path}:{number}");
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new UsageException($"{path}:{number}: not a point of eval --json ({e.Message})", e);
            }
            yield return line;
        }
    }

    /// <summary>One JSON line: the shard's counts, its shard, and the settings that make two lines the same point.</summary>
    private sealed record ShardLine(PointResult Result, Shard Shard, long FirstFrame, LineSettings Settings, string Source)
    {
        public string PointKey => string.Create(CultureInfo.InvariantCulture, $"{Settings.TableKey}|{Result.Decoder}|{Result.EbN0Db:R}|{Settings.Eval.Model}|{Settings.Eval.Alpha:R}|{Settings.Eval.Offset:R}");

        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"point {Result.Code} {Result.Decoder} {Result.EbN0Db} dB seed {Result.Seed}");

        public static ShardLine From(JsonElement r, string source)
        {
            var frames = r.GetProperty("frames").GetInt64();
            var iterations = r.TryGetProperty("decoder_iterations", out var total) ? total.GetInt64()
                : r.GetProperty("avg_iterations").ValueKind == JsonValueKind.Number ? (long)Math.Round(r.GetProperty("avg_iterations").GetDouble() * frames) : 0;
            var result = new PointResult(
                r.GetProperty("code").GetString()!, r.GetProperty("n").GetInt32(), r.GetProperty("k").GetInt32(), r.GetProperty("decoder").GetString()!,
                r.GetProperty("ebn0_db").GetDouble(), frames, r.GetProperty("bit_errors").GetInt64(), r.GetProperty("frame_errors").GetInt64(),
                r.GetProperty("info_bit_errors").GetInt64(), iterations, r.GetProperty("elapsed_s").GetDouble(), r.GetProperty("seed").GetUInt64(),
                r.GetProperty("stop_reason").GetString() switch
                {
                    "frame_errors" => StopReason.FrameErrors,
                    "max_frames" => StopReason.MaxFrames,
                    _ => StopReason.Cancelled,
                },
                r.TryGetProperty("ml_frame_errors", out var mlErrors) ? mlErrors.GetInt64() : 0);
            var shard = r.TryGetProperty("shard", out var index) ? new Shard(index.GetInt32(), r.GetProperty("shard_count").GetInt32()) : Shard.Whole;
            var firstFrame = r.TryGetProperty("first_frame", out var firstValue) ? firstValue.GetInt64() : 0;
            var defaults = new DecoderOptions();
            var eval = new EvalSettings(
                result.Code, [result.Decoder], r.GetProperty("iterations").GetInt32(), [result.EbN0Db],
                new StopRule(r.GetProperty("min_frame_errors").GetInt32(), r.GetProperty("max_frames").GetInt64()),
                result.Seed, Json: true, r.GetProperty("all_zero").GetBoolean(),
                r.TryGetProperty("alpha", out var alpha) ? alpha.GetSingle() : defaults.Normalization,
                r.TryGetProperty("offset", out var offset) ? offset.GetSingle() : defaults.Offset,
                Threads: 0, BatchFrames: 0,
                Enum.Parse<Modulation>(r.GetProperty("modulation").GetString()!, ignoreCase: true),
                Enum.Parse<Fading>(r.GetProperty("fading").GetString()!, ignoreCase: true),
                PlotPath: null,
                Model: r.TryGetProperty("model", out var model) ? model.GetString() : null);
            return new ShardLine(result, shard, firstFrame, new LineSettings(eval), source);
        }
    }

    /// <summary>The settings of a line that the merged table states once (code, channel, seed, stop rule, iterations).</summary>
    private sealed record LineSettings(EvalSettings Eval)
    {
        public string TableKey => string.Create(CultureInfo.InvariantCulture,
            $"{Eval.CodeSpec} seed {Eval.Seed}, {Eval.Modulation}/{Eval.Fading}, {(Eval.AllZero ? "all-zero" : "random")}, {ResultTable.StopRuleText(Eval.Stop)}, {Eval.Iterations} iterations");
    }
}
