using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Receiver.Codes.Channel;
using Receiver.Pipeline;
using Receiver.Service.Metrics;
using NetMQ;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Source;

/// <summary>What a loopback demo runs.</summary>
public sealed record DemoSettings
{
    /// <summary>Default code: the one the bundled default model (<see cref="DefaultModel"/>) was trained for.</summary>
    public string Code { get; init; } = "POLAR_N64_K32";

    /// <summary>Default decoder: ECCFM one-step decoding with the bundled model.</summary>
    public string Decoder { get; init; } = "eccfm";

    /// <summary>Model of a neural decoder (ecct, fecct, eccfm, uecct, aecct, ddecc); null for classical decoders.</summary>
    public string? Model { get; init; } = DefaultModel;

    /// <summary>Runtime of a neural decoder: auto (ONNX Runtime where the model ships an .onnx file), onnxruntime, torchsharp.</summary>
    public string Runtime { get; init; } = "auto";

    /// <summary>Where the decoder runs: cpu, cuda, cuda:N.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// The bundled model the demo decodes with out of the box (models/eccfm-polar64-d32): the small ECCFM, which keeps
    /// up with the demo's 1000 frames/s on a loaded 2-core machine; the larger eccfm-polar64 decodes better at a
    /// seventh of the speed (--model eccfm-polar64).
    /// </summary>
    public const string DefaultModel = "eccfm-polar64-d32";

    public int Iterations { get; init; } = 20;

    public double EbN0Db { get; init; } = 4.5;

    public Modulation Modulation { get; init; } = Modulation.Bpsk;

    /// <summary>Source frame rate; 0 = as fast as the service takes them (PUSH back-pressure).</summary>
    public double FramesPerSecond { get; init; } = 1000;

    /// <summary>How long the source sends (it also stops after <see cref="MaxFrames"/> when that is set; 0: no time limit).</summary>
    public double Seconds { get; init; } = 5;

    /// <summary>Stop the source after this many frames (0: run for <see cref="Seconds"/>).</summary>
    public long MaxFrames { get; init; }

    /// <summary>"framed" or "gr-float".</summary>
    public string Format { get; init; } = "framed";

    public ulong Seed { get; init; } = 1;

    /// <summary>Output format of the publisher.</summary>
    public string Output { get; init; } = "unpacked-info";

    public int MaxBatch { get; init; } = 64;

    /// <summary>Decoding workers per code (0 or 1: one).</summary>
    public int Workers { get; init; }

    public string Overflow { get; init; } = "block";

    public int DrainDeadlineMs { get; init; } = 5000;

    /// <summary>Frames of a throwaway run (its own service, not reported) that warms the process's JIT first; 0 for none.</summary>
    public int WarmUpFrames { get; init; } = 2000;

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
}

/// <summary>Outcome of a loopback demo: the service's accounting and the end-to-end error counts.</summary>
public sealed record DemoReport(
    DemoSettings Settings,
    string CodeName,
    int N,
    int K,
    long FramesSent,
    MetricsReadout Metrics,
    long FramesReceivedBySubscriber,
    double Seconds)
{
    /// <summary>Info-bit error rate against ground truth (bits compared: checked frames x K).</summary>
    public double Ber => Metrics.CheckedFrames > 0 ? Metrics.BitErrors / ((double)Metrics.CheckedFrames * K) : double.NaN;

    public double Fer => Metrics.CheckedFrames > 0 ? Metrics.FrameErrors / (double)Metrics.CheckedFrames : double.NaN;

    public double FramesPerSecond => Seconds > 0 ? Metrics.FramesPublished / Seconds : 0;

    /// <summary>Every frame ingest accepted was published or dropped with a reason.</summary>
    public bool AllAccountedFor => Metrics.FramesPublished + Metrics.FramesDropped == Metrics.FramesIn;

    /// <summary>
    /// One JSON object (snake_case keys, invariant numbers; NaN as null). "ber" counts info bits (ground truth holds
    /// the K info bits), so it compares with eval's "info_ber"; "fer" with eval's "fer".
    /// </summary>
    public string ToJson()
    {
        static string Number(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "null";
        static string Text(string value) => System.Text.Json.JsonSerializer.Serialize(value);
        var m = Metrics;
        var reasons = string.Join(",", m.DroppedByReason.Select(r => $"{Text(r.Key)}:{r.Value}"));
        return "{" + string.Join(",",
            $"\"code\":{Text(CodeName)}",
            $"\"n\":{N}",
            $"\"k\":{K}",
            $"\"decoder\":{Text(Settings.Decoder)}",
            $"\"model\":{(Settings.Model is null ? "null" : Text(Settings.Model))}",
            $"\"runtime\":{Text(Settings.Runtime)}",
            $"\"device\":{Text(Settings.Device)}",
            $"\"iterations\":{Settings.Iterations}",
            $"\"ebn0_db\":{Number(Settings.EbN0Db)}",
            $"\"modulation\":{Text(Settings.Modulation.ToString().ToLowerInvariant())}",
            $"\"format\":{Text(Settings.Format)}",
            $"\"rate_fps\":{Number(Settings.FramesPerSecond)}",
            $"\"seconds\":{Number(Seconds)}",
            $"\"frames_sent\":{FramesSent}",
            $"\"frames_in\":{m.FramesIn}",
            $"\"frames_published\":{m.FramesPublished}",
            $"\"frames_dropped\":{m.FramesDropped}",
            $"\"dropped_by_reason\":{{{reasons}}}",
            $"\"frames_received\":{FramesReceivedBySubscriber}",
            $"\"frames_checked\":{m.CheckedFrames}",
            $"\"bit_errors\":{m.BitErrors}",
            $"\"frame_errors\":{m.FrameErrors}",
            $"\"ber\":{Number(Ber)}",
            "\"ber_bits\":\"info\"",
            $"\"fer\":{Number(Fer)}",
            $"\"frames_per_s\":{Number(FramesPerSecond)}",
            $"\"mean_batch\":{Number(m.MeanBatchSize)}",
            $"\"latency_us\":{{\"p50\":{Number(m.LatencyUs.P50)},\"p99\":{Number(m.LatencyUs.P99)},\"p999\":{Number(m.LatencyUs.P999)},\"mean\":{Number(m.LatencyUs.Mean)}}}",
            $"\"accounted\":{(AllAccountedFor ? "true" : "false")}") + "}";
    }
}

/// <summary>
/// Source and service in one process over real ZMQ TCP sockets on 127.0.0.1 (ports picked at bind time):
/// the simulated NR source PUSHes to the service's ingest, the service PUSHes its outputs, and a PULL
/// reader (a GNU Radio bit sink's place) counts them: PUSH/PULL loses nothing, where a PUB drops what it sends
/// before a subscription arrives. The source stops after the set time; the service then drains and the report gives
/// its accounting, the end-to-end BER/FER against the source's ground truth, throughput and latency.
/// A short throwaway run first warms the JIT (<see cref="DemoSettings.WarmUpFrames"/>); only the second run is reported.
/// </summary>
public static class LoopbackDemo
{
    /// <summary>How long the demo waits for frames still in sockets to reach the framer once the source stopped.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    public static async Task<DemoReport> RunAsync(DemoSettings settings, CancellationToken cancellationToken = default)
    {
        // The JIT compiles the whole path (framer, batcher, decoder, publisher) on the first frames, which would
        // show as a few tens of milliseconds in a short run's p99: a throwaway run first warms the process.
        if (settings.WarmUpFrames > 0)
            await RunOnceAsync(settings with { MaxFrames = settings.WarmUpFrames, Seconds = 0, FramesPerSecond = 0, Seed = settings.Seed ^ 0x5A5A }, cancellationToken);
        return await RunOnceAsync(settings, cancellationToken);
    }

    private static async Task<DemoReport> RunOnceAsync(DemoSettings settings, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Receiver:Codes:0:Spec"] = settings.Code,
            ["Receiver:Codes:0:Chain:Decoder"] = settings.Decoder,
            ["Receiver:Codes:0:Chain:Iterations"] = settings.Iterations.ToString(CultureInfo.InvariantCulture),
            ["Receiver:Codes:0:Chain:Model"] = settings.Model,
            ["Receiver:Codes:0:Chain:Runtime"] = settings.Runtime,
            ["Receiver:Codes:0:Chain:Device"] = settings.Device,
            ["Receiver:Ingest:0:Endpoints:0"] = "@tcp://127.0.0.1:0",
            ["Receiver:Ingest:0:Format"] = settings.Format,
            ["Receiver:Ingest:0:Code"] = settings.Code,
            ["Receiver:Ingest:0:Hwm"] = "1000",
            ["Receiver:Batching:MaxBatch"] = settings.MaxBatch.ToString(CultureInfo.InvariantCulture),
            ["Receiver:Batching:QueueCapacity"] = Math.Max(4096, settings.MaxBatch).ToString(CultureInfo.InvariantCulture),
            ["Receiver:Batching:Workers"] = settings.Workers.ToString(CultureInfo.InvariantCulture),
            ["Receiver:Batching:Overflow"] = settings.Overflow,
            ["Receiver:Publish:Endpoint"] = "@tcp://127.0.0.1:0",
            ["Receiver:Publish:Socket"] = "push",
            ["Receiver:Publish:Output"] = settings.Output,
            ["Receiver:Metrics:ConsoleIntervalSeconds"] = "0",
            ["Receiver:Shutdown:DrainDeadlineMs"] = settings.DrainDeadlineMs.ToString(CultureInfo.InvariantCulture),
        }).Build();

        var builder = ReceiverHost.CreateBuilder(configuration, settings: new ReceiverHostSettings { GroundTruth = true, LogLevel = settings.LogLevel });
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var endpoints = host.Services.GetRequiredService<ServiceEndpoints>();
        var registry = host.Services.GetRequiredService<CodeRegistry>();
        var truth = host.Services.GetRequiredService<GroundTruthStore>();
        var collector = host.Services.GetRequiredService<MetricsCollector>();
        var code = registry[0];

        using var subscriberStop = new CancellationTokenSource();
        var subscriber = new OutputSubscriber(endpoints.Publish!, ZmqSocketKind.Pull);
        var subscribing = subscriber.RunAsync(subscriberStop.Token);
        await subscriber.Connected;

        using var source = new NrLoopbackSource(code, new SourceSettings
        {
            Endpoint = ">" + endpoints.Ingest[0][0],
            EbN0Db = settings.EbN0Db,
            Modulation = settings.Modulation,
            Format = settings.Format,
            FramesPerSecond = settings.FramesPerSecond,
            MaxFrames = settings.MaxFrames,
            Seed = settings.Seed,
        }, (sequence, info) => truth.Add(0, sequence, info));

        var clock = Stopwatch.StartNew();
        using (var sending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (settings.Seconds > 0) sending.CancelAfter(TimeSpan.FromSeconds(settings.Seconds));
            await source.RunAsync(sending.Token);
        }

        // Frames still in the sockets reach the framer shortly; then the service drains on stop.
        var settle = Stopwatch.StartNew();
        while (collector.Read().FramesIn < source.FramesSent && settle.Elapsed < SettleTimeout && !cancellationToken.IsCancellationRequested)
            await Task.Delay(5, CancellationToken.None);
        await host.StopAsync(CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        var metrics = collector.Read();

        // The last outputs may still be in flight to the reader; give the tail a moment.
        var tail = Stopwatch.StartNew();
        while (subscriber.Received < metrics.FramesPublished && tail.Elapsed < SettleTimeout)
            await Task.Delay(5, CancellationToken.None);
        await subscriberStop.CancelAsync();
        await subscribing;

        return new DemoReport(settings, code.Name, code.N, code.K, source.FramesSent, metrics, subscriber.Received, seconds);
    }
}

/// <summary>
/// A PULL (or SUB) socket on its own thread counting the service's output messages, as a GNU Radio bit sink would
/// read them. A SUB socket subscribes to everything; PUB drops what it sends before the subscription reaches it.
/// </summary>
public sealed class OutputSubscriber(string endpoint, ZmqSocketKind type = ZmqSocketKind.Sub)
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;
    private long _bytes;

    /// <summary>Completes once the socket is connected (and, for SUB, has had time to subscribe).</summary>
    public Task Connected => _connected.Task;

    /// <summary>Whole messages received (a [key][bits] message counts once).</summary>
    public long Received => Interlocked.Read(ref _received);

    public long Bytes => Interlocked.Read(ref _bytes);

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var socket = ZmqSockets.Create(type, new ZmqSocketSettings { ReceiveHighWaterMark = 0 });
                ZmqSockets.Open(socket, endpoint, defaultBind: false);
                if (type == ZmqSocketKind.Sub) Thread.Sleep(200); // let the subscription reach the publisher
                _connected.TrySetResult();
                var message = new Msg();
                message.InitEmpty();
                var poll = TimeSpan.FromMilliseconds(20);
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (!socket.TryReceive(ref message, poll)) continue;
                    Interlocked.Add(ref _bytes, message.Size);
                    if (!message.HasMore) Interlocked.Increment(ref _received);
                }
                message.Close();
                done.SetResult();
            }
            catch (ObjectDisposedException)
            {
                done.TrySetResult();
            }
            catch (Exception e)
            {
                _connected.TrySetException(e);
                done.TrySetException(e);
            }
        })
        { IsBackground = true, Name = "output-reader" };
        thread.Start();
        return done.Task;
    }
}
