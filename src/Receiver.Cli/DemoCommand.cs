using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Decoders;
using Receiver.Service.Source;
using NetMQ;

namespace Receiver.Cli;

/// <summary>
/// <c>receiver demo --seconds S [--json]</c>: the simulated NR LDPC source and the service in one process over
/// real ZMQ loopback sockets, then a summary (with --json the last stdout line is one JSON object).
/// Ctrl-C ends the source early; the service still drains and the summary is printed (exit 130).
/// </summary>
internal static class DemoCommand
{
    public static Command Build(Terminal terminal)
    {
        var defaults = new DemoSettings();
        var seconds = new Option<double>("--seconds") { HelpName = "S", Description = "How long the source sends", DefaultValueFactory = _ => defaults.Seconds };
        var json = new Option<bool>("--json") { Description = "End with one JSON object on stdout (and print nothing else there)" };
        var code = new Option<string>("--code") { HelpName = "PATH|NAME|nr:K,N", Description = "Code the source encodes and the service decodes", DefaultValueFactory = _ => defaults.Code };
        var decoder = new Option<string>("--decoder") { HelpName = "NAME", Description = $"Decoder: {string.Join(", ", DecoderFactory.Names)}", DefaultValueFactory = _ => defaults.Decoder };
        var iterations = new Option<int>("--iterations") { HelpName = "N", Description = "Iteration cap", DefaultValueFactory = _ => defaults.Iterations };
        var model = new Option<string?>("--model") { HelpName = "NAME|DIR|manifest.json", Description = "Model of a neural decoder (ecct, fecct, eccfm, uecct, aecct, ddecc): receiver models list" };
        var runtime = new Option<string>("--runtime") { HelpName = "auto|onnxruntime|torchsharp", Description = "Runtime of a neural decoder: auto (ONNX Runtime where the model ships an .onnx file, else TorchSharp), onnxruntime or torchsharp", DefaultValueFactory = _ => defaults.Runtime };
        var device = new Option<string>("--device") { HelpName = "cpu|cuda[:N]", Description = "Where the decoder runs: cpu, or a CUDA device for neural decoders (no such device is an error at start)", DefaultValueFactory = _ => defaults.Device };
        var ebN0 = new Option<double>("--ebn0") { HelpName = "DB", Description = "Channel Eb/N0 in dB", DefaultValueFactory = _ => defaults.EbN0Db };
        var rate = new Option<double>("--rate") { HelpName = "FPS", Description = "Source frames per second (0: as fast as the service takes them)", DefaultValueFactory = _ => defaults.FramesPerSecond };
        var format = new Option<string>("--format") { HelpName = "framed|gr-float", Description = "What the source sends", DefaultValueFactory = _ => defaults.Format };
        var modulation = new Option<Modulation>("--modulation") { Description = "Bpsk or Qpsk", DefaultValueFactory = _ => defaults.Modulation };
        var batch = new Option<int>("--batch") { HelpName = "FRAMES", Description = "Most frames per decoder batch", DefaultValueFactory = _ => defaults.MaxBatch };
        var workers = new Option<int>("--workers") { HelpName = "W", Description = "Decoding workers per code (0 or 1: one; more keep the output order)", DefaultValueFactory = _ => defaults.Workers };
        var seed = new Option<ulong>("--seed") { HelpName = "S", Description = "Seed of the source's bits and noise", DefaultValueFactory = _ => defaults.Seed };

        var command = new Command("demo", "Simulated source (random codewords, AWGN) -> service -> subscriber over ZMQ loopback, with BER/FER, throughput and latency; by default ECCFM with the bundled model on POLAR(64,32)")
        {
            seconds, json, code, decoder, iterations, model, runtime, device, ebN0, rate, format, modulation, batch, workers, seed,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = Validate(new DemoSettings
            {
                Seconds = parsed.GetValue(seconds),
                Code = parsed.GetValue(code)!,
                Decoder = parsed.GetValue(decoder)!.Trim().ToLowerInvariant(),
                Iterations = parsed.GetValue(iterations),
                Model = ModelFor(parsed.GetValue(decoder)!, parsed.GetValue(model), defaults),
                Runtime = parsed.GetValue(runtime)!.Trim().ToLowerInvariant(),
                Device = parsed.GetValue(device)!.Trim().ToLowerInvariant(),
                EbN0Db = parsed.GetValue(ebN0),
                FramesPerSecond = parsed.GetValue(rate),
                Format = parsed.GetValue(format)!.Trim().ToLowerInvariant(),
                Modulation = parsed.GetValue(modulation),
                MaxBatch = parsed.GetValue(batch),
                Workers = parsed.GetValue(workers),
                Seed = parsed.GetValue(seed),
                LogLevel = parsed.GetValue<bool>("--verbose") ? LogLevel.Information : LogLevel.Warning,
            });
            return await RunAsync(settings, parsed.GetValue(json), terminal, cancellationToken);
        });
        return command;
    }

    /// <summary>The model asked for; without one, the bundled default model when the decoder is the default one (classical decoders take none).</summary>
    private static string? ModelFor(string decoder, string? model, DemoSettings defaults) =>
        !string.IsNullOrWhiteSpace(model) ? model.Trim()
        : decoder.Trim().Equals(defaults.Decoder, StringComparison.OrdinalIgnoreCase) ? defaults.Model
        : null;

    private static async Task<int> RunAsync(DemoSettings settings, bool json, Terminal terminal, CancellationToken cancellationToken)
    {
        if (!json)
            terminal.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"demo: {settings.Code}, {settings.Decoder}{(settings.Model is null ? $" ({settings.Iterations} it)" : $" model {settings.Model}")}, Eb/N0 {settings.EbN0Db} dB, {(settings.FramesPerSecond > 0 ? $"{settings.FramesPerSecond} fr/s" : "as fast as possible")}, {settings.Seconds} s"));
        DemoReport report;
        try
        {
            report = await LoopbackDemo.RunAsync(settings, cancellationToken);
        }
        catch (Exception e) when (e is CodeFormatException or NetMQException or Receiver.Neural.Runtime.ModelRuntimeException)
        {
            throw new UsageException(Cli.MessageOf(e), e);
        }
        if (json)
        {
            terminal.Out.WriteLine(report.ToJson());
        }
        else
        {
            var m = report.Metrics;
            var dropped = string.Join(", ", m.DroppedByReason.Where(r => r.Value > 0).Select(r => $"{r.Key} {r.Value}"));
            terminal.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                frames    sent {report.FramesSent}, in {m.FramesIn}, published {m.FramesPublished}, dropped {m.FramesDropped}{(dropped.Length > 0 ? $" ({dropped})" : "")}, received by subscriber {report.FramesReceivedBySubscriber}
                errors    {m.CheckedFrames} frames checked: {m.BitErrors} info bit errors (BER {report.Ber:0.000E+00}), {m.FrameErrors} frame errors (FER {report.Fer:0.000E+00})
                rate      {report.FramesPerSecond:0} frames/s over {report.Seconds:0.00} s, mean batch {m.MeanBatchSize:0.0}
                latency   ingest->publish p50 {m.LatencyUs.P50:0} us, p99 {m.LatencyUs.P99:0} us, p99.9 {m.LatencyUs.P999:0} us
                """));
            if (!report.AllAccountedFor) terminal.Error.WriteLine("warning: published + dropped != frames in");
        }
        terminal.Out.Flush();
        return cancellationToken.IsCancellationRequested ? Cli.ExitCancelled : Cli.ExitSuccess;
    }

    private static DemoSettings Validate(DemoSettings s)
    {
        if (!(s.Seconds > 0) || !double.IsFinite(s.Seconds) || s.Seconds > 86400) throw new UsageException($"--seconds must be a positive number of seconds, got {s.Seconds}");
        if (!DecoderFactory.IsKnown(s.Decoder)) throw new UsageException($"unknown decoder '{s.Decoder}': known decoders are {string.Join(", ", DecoderFactory.Names)}");
        if (DecoderFactory.NeedsModel(s.Decoder) && s.Model is null) throw new UsageException($"decoder {s.Decoder} needs a model: pass --model NAME|DIR|manifest.json (receiver models list)");
        if (s.Iterations < 1) throw new UsageException($"--iterations must be at least 1, got {s.Iterations}");
        if (!double.IsFinite(s.EbN0Db) || Math.Abs(s.EbN0Db) > 100) throw new UsageException($"--ebn0 must be a number of dB, got {s.EbN0Db}");
        if (!(s.FramesPerSecond >= 0) || !double.IsFinite(s.FramesPerSecond)) throw new UsageException($"--rate must be 0 (as fast as possible) or a positive frame rate, got {s.FramesPerSecond}");
        if (s.Format is not ("framed" or "gr-float")) throw new UsageException($"--format must be framed or gr-float, got '{s.Format}'");
        if (s.MaxBatch < 1) throw new UsageException($"--batch must be at least 1, got {s.MaxBatch}");
        if (s.Workers < 0) throw new UsageException($"--workers must be 0 (one) or more, got {s.Workers}");
        return s;
    }
}
