using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NetMQ;
using NetMQ.Sockets;
using Receiver.Codes;
using Receiver.Common;
using Receiver.Pipeline;
using Receiver.Service.Metrics;

namespace Receiver.Service.Tests;

/// <summary>
/// The faults the streaming path must survive, done to the real service over loopback as an adversarial user would:
/// each ends with a counter naming the reason, the accounting identity (in = published + dropped) holding, and the
/// good frames around the fault still decoded correctly.
/// </summary>
public sealed class FaultInjectionTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>Random info words of nr:224,256 encoded and sent noiselessly (LLR +-4): shifting any frame's bits breaks it.</summary>
    private static (byte[][] Info, float[][] Llrs) Frames(IBlockCode code, int count, int seed)
    {
        var random = new Random(seed);
        var info = new byte[count][];
        var llrs = new float[count][];
        var transmitted = new byte[code.N];
        for (var f = 0; f < count; f++)
        {
            info[f] = new byte[code.K];
            for (var i = 0; i < code.K; i++) info[f][i] = (byte)random.Next(2);
            code.Encode(info[f], transmitted);
            llrs[f] = transmitted.Select(b => b == 0 ? 4f : -4f).ToArray();
        }
        return (info, llrs);
    }

    private static byte[] Bytes(float[] llrs) => MemoryMarshal.AsBytes(llrs.AsSpan()).ToArray();

    private static PushSocket Sender(string endpoint)
    {
        var push = new PushSocket();
        push.Options.Linger = TimeSpan.FromSeconds(10);
        push.Connect(endpoint);
        return push;
    }

    /// <summary>Reads unpacked-info outputs in order on its own thread.</summary>
    private sealed class OutputReader : IDisposable
    {
        private readonly List<byte[]> _outputs = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public OutputReader(string endpoint)
        {
            _thread = new Thread(() =>
            {
                using var pull = new PullSocket();
                pull.Connect(endpoint);
                while (!_stop.IsCancellationRequested)
                    if (pull.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(20), out var bytes))
                        lock (_outputs) _outputs.Add(bytes);
            }) { IsBackground = true };
            _thread.Start();
        }

        public List<byte[]> Outputs { get { lock (_outputs) return [.. _outputs]; } }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
        }
    }

    /// <summary>A started in-process service, its metrics, its code and a reader of its (PUSH) output.</summary>
    private sealed class Service : IDisposable
    {
        private Service(Microsoft.Extensions.Hosting.IHost host)
        {
            Host = host;
            Endpoints = host.Services.GetRequiredService<ServiceEndpoints>();
            Collector = host.Services.GetRequiredService<MetricsCollector>();
            Code = host.Services.GetRequiredService<CodeRegistry>()[0];
            Reader = new OutputReader(Endpoints.Publish!);
        }

        public Microsoft.Extensions.Hosting.IHost Host { get; }
        public ServiceEndpoints Endpoints { get; }
        public MetricsCollector Collector { get; }
        public IBlockCode Code { get; }
        public OutputReader Reader { get; }
        public string Ingest => Endpoints.Ingest[0][0];

        public static async Task<Service> StartAsync(Dictionary<string, string?> values)
        {
            var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost()).Build();
            await host.StartAsync();
            return new Service(host);
        }

        public Task StopAsync() => Host.StopAsync(CancellationToken.None);

        public void Dispose()
        {
            Reader.Dispose();
            Host.Dispose();
        }
    }

    private static Dictionary<string, string?> RawValues(string format) => new(ServiceTestHelpers.LoopbackValues())
    {
        ["Receiver:Ingest:0:Format"] = format,
        ["Receiver:Ingest:0:Code"] = "nr:224,256",
        ["Receiver:Publish:Socket"] = "push",
        ["Receiver:Publish:Output"] = "unpacked-info",
    };

    [Fact]
    public async Task GrFloatSenderKilledMidFrameDropsThePartialFrameAndTheRestartedSenderDecodesCorrectly()
    {
        using var service = await Service.StartAsync(RawValues("gr-float"));
        var (collector, code, reader) = (service.Collector, service.Code, service.Reader);
        var (info, llrs) = Frames(code, 60, seed: 4);

        using (var first = Sender(service.Ingest))
        {
            for (var f = 0; f < 10; f++) Assert.True(first.TrySendFrame(Long, Bytes(llrs[f])));
            Assert.True(first.TrySendFrame(Long, Bytes(llrs[10])[..(code.N * 2)])); // killed half way through frame 10
            Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => collector.Read().FramesPublished >= 10, Long));
        }
        // The sender is gone: once its bytes are framed, the half frame is dropped rather than completed by the next sender.
        Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => collector.Read().DroppedByReason["truncated"] == 1, Long), "partial frame not dropped");

        using (var restarted = Sender(service.Ingest))
        {
            Assert.True(restarted.TrySendFrame(Long, []));                        // empty message: malformed
            Assert.True(restarted.TrySendFrame(Long, new byte[7]));               // not a multiple of 4: malformed
            var withNaN = (float[])llrs[11].Clone();
            withNaN[3] = float.NaN;
            Assert.True(restarted.TrySendFrame(Long, Bytes(withNaN)));            // non_finite
            for (var f = 12; f < 60; f++) Assert.True(restarted.TrySendFrame(Long, Bytes(llrs[f])));
            Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => reader.Outputs.Count >= 58, Long), $"{reader.Outputs.Count} outputs");
        }
        await service.StopAsync();

        var outputs = reader.Outputs;
        Assert.Equal(58, outputs.Count);
        for (var f = 0; f < 10; f++) Assert.Equal(info[f], outputs[f]);
        for (var f = 12; f < 60; f++) Assert.Equal(info[f], outputs[f - 2]);
        var m = collector.Read();
        Assert.Equal(1, m.DroppedByReason["truncated"]);
        Assert.Equal(2, m.DroppedByReason["malformed"]);
        Assert.Equal(1, m.DroppedByReason["non_finite"]);
        Assert.Equal(m.FramesIn, m.FramesPublished + m.FramesDropped);
        Assert.True(collector.Total("receiver.ingest.stream_events", "event", "peer_disconnected") >= 1);
    }

    [Fact]
    public async Task GrCharStrayBytesAtTheEndAreCountedAndWholeFramesDecode()
    {
        var values = RawValues("gr-char");
        values["Receiver:Ingest:0:CharScale"] = "0.25";
        using var service = await Service.StartAsync(values);
        var (collector, code, reader) = (service.Collector, service.Code, service.Reader);
        var (info, llrs) = Frames(code, 20, seed: 9);
        using (var sender = Sender(service.Ingest))
        {
            // Frames split at odd places across messages, then 100 stray bytes that never make a frame.
            var stream = llrs.SelectMany(l => l.Select(v => (byte)(sbyte)(v * 4))).Concat(Enumerable.Repeat((byte)16, 100)).ToArray();
            for (var start = 0; start < stream.Length; start += 999)
                Assert.True(sender.TrySendFrame(Long, stream[start..Math.Min(start + 999, stream.Length)]));
            Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => reader.Outputs.Count >= 20, Long));
        }
        await service.StopAsync();
        Assert.Equal(info, reader.Outputs.ToArray());
        var m = collector.Read();
        Assert.Equal(20, m.FramesPublished);
        Assert.Equal(m.FramesIn, m.FramesPublished + m.FramesDropped);
        // The sender went away with 100 items of a frame: dropped truncated (or, at shutdown, discarded as a partial frame).
        Assert.Equal(1, m.DroppedByReason["truncated"] + collector.Total("receiver.ingest.items_discarded", "reason", "partial_frame") / 100);
    }

    [Fact]
    public async Task AMessageOverMaxMessageBytesDisconnectsOnlyItsSenderAndIsCounted()
    {
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Ingest:0:MaxMessageBytes"] = "4096";
        values["Receiver:Publish:Socket"] = "push";
        using var service = await Service.StartAsync(values);
        var (collector, code, reader) = (service.Collector, service.Code, service.Reader);
        var (info, llrs) = Frames(code, 30, seed: 5);
        using var good = Sender(service.Ingest);
        using (var hostile = Sender(service.Ingest))
            Assert.True(hostile.TrySendFrame(Long, new byte[1 << 20])); // 1 MiB against a 4 KiB limit: never buffered whole
        var envelope = new ArrayBufferWriter<byte>();
        for (var f = 0; f < 30; f++)
        {
            envelope.ResetWrittenCount();
            FrameEnvelope.Write(envelope, code.Name, f, 0, llrs[f]);
            Assert.True(good.TrySendFrame(Long, envelope.WrittenSpan.ToArray()));
        }
        Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => reader.Outputs.Count >= 30
            && collector.Total("receiver.ingest.stream_events", "event", "peer_disconnected") >= 1, Long));
        await service.StopAsync();
        Assert.Equal(info, reader.Outputs.ToArray());
        var m = collector.Read();
        Assert.Equal(30, m.FramesIn);
        Assert.Equal(m.FramesIn, m.FramesPublished + m.FramesDropped);
    }

    /// <summary>
    /// receiver run with a PUSH output nobody reads and frames queued: SIGTERM or SIGINT stops it within the drain
    /// deadline (plus process start-up slack), exit 0, and the final line counts the outputs it could not send as
    /// dropped (unsent), never as published.
    /// </summary>
    [Theory]
    [InlineData(15)]
    [InlineData(2)]
    public async Task SignalWithNoConsumerStopsWithinTheDeadlineAndCountsWhatWasNeverSent(int signal)
    {
        using var folder = new TemporaryFolder();
        var ingest = LoopbackPorts.FreeEndpoint();
        var config = folder.File("no-consumer.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Receiver": {
                "Codes": [ { "Spec": "nr:224,256", "Chain": { "Decoder": "layered-nms", "Iterations": 5 } } ],
                "Ingest": [ { "Endpoints": [ "@{{ingest}}" ], "Format": "framed" } ],
                "Batching": { "Overflow": "block", "QueueCapacity": 256, "Workers": 1 },
                "Publish": { "Endpoint": "@{{LoopbackPorts.FreeEndpoint()}}", "Socket": "push", "Hwm": 10 },
                "Metrics": { "ConsoleIntervalSeconds": 0 },
                "Shutdown": { "DrainDeadlineMs": 2000 }
              }
            }
            """);
        using var receiver = ChildProcess.Start(Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet",
            [typeof(Cli.Cli).Assembly.Location, "run", "--config", config], folder.Path);
        Assert.True(await receiver.WaitForLineAsync("ready", Long), receiver.Describe("receiver"));
        var code = CodeLibrary.Load("nr:224,256");
        var (_, llrs) = Frames(code, 1, seed: 1);
        using (var sender = Sender(ingest))
        {
            var envelope = new ArrayBufferWriter<byte>();
            for (var f = 0; f < 500; f++)
            {
                envelope.ResetWrittenCount();
                FrameEnvelope.Write(envelope, code.Name, f, 0, llrs[0]);
                sender.TrySendFrame(TimeSpan.FromMilliseconds(200), envelope.WrittenSpan.ToArray());
            }
            await Task.Delay(1000);
        }
        var clock = Stopwatch.StartNew();
        receiver.Signal(signal);
        // 2 s of drain deadline, 1 s of socket linger at exit; the rest is slack for a loaded machine. It used to hang for good.
        Assert.True(await receiver.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, $"no clean exit within 30 s\n{receiver.Describe("receiver")}");
        var seconds = clock.Elapsed.TotalSeconds;
        var final = Regex.Match(receiver.Error, @"final: in (\d+) out (\d+) dropped (\d+)(?: \(([^)]*)\))?");
        Assert.True(final.Success, receiver.Describe("receiver"));
        long Number(int group) => long.Parse(final.Groups[group].Value, CultureInfo.InvariantCulture);
        var (framesIn, published, dropped) = (Number(1), Number(2), Number(3));
        Assert.True(framesIn > 0, receiver.Describe("receiver"));
        Assert.Equal(framesIn, published + dropped);
        Assert.Equal(0, published);
        Assert.Matches(@"unsent \d+", final.Groups[4].Value);
        Assert.True(seconds < 30, $"stopping took {seconds:0.0} s");
    }

    [Fact]
    public async Task AMisspeltRootSectionIsAUsageErrorNamingIt()
    {
        using var folder = new TemporaryFolder();
        var config = folder.File("typo.json");
        await File.WriteAllTextAsync(config, """{ "Recevier": { "Codes": [ { "Spec": "nr:224,256" } ] } }""");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(Cli.Cli.ExitUsage, await Cli.Cli.RunAsync(["run", "--config", config], stdout, stderr));
        Assert.Contains("unknown root section \"Recevier\"", stderr.ToString());
    }
}
