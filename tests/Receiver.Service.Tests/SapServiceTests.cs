using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Common;
using Receiver.Decoders;
using Receiver.Neural;
using Receiver.Pipeline;
using Receiver.Service.Metrics;
using NetMQ;
using NetMQ.Sockets;

namespace Receiver.Service.Tests;

/// <summary>
/// The SAP-pruned FECCT (models/fecct-sap: one shared pruned backbone, a LoRA adapter per code) in the running
/// service with two codes: frames of both codes arrive interleaved on one socket, batch per code and decode
/// with their own code's TorchScript.
/// </summary>
public class SapServiceTests
{
    private const double EbN0Db = 6;
    private const int FramesPerCode = 200;
    private static readonly string[] CodeNames = ["BCH_N63_K45", "LDPC_N121_K70"];
    private static readonly string SapModel = Path.Combine(ServiceTestHelpers.RepositoryRoot(), "models", "fecct-sap");

    [Fact]
    public void EachCodesDecoderRunsItsOwnAdapterEntryOfTheSapModel()
    {
        var entries = CodeNames.Select(name =>
        {
            var code = CodeLibrary.Load(name);
            using var decoder = (NeuralDecoder)DecoderFactory.Create("fecct", code, new DecoderOptions { Model = SapModel });
            Assert.Equal(Path.GetFullPath(SapModel), decoder.Model.Folder);
            Assert.Equal(name, decoder.Entry.Code);
            Assert.False(string.IsNullOrWhiteSpace(decoder.Entry.Adapter), $"{name} has no adapter in the SAP manifest");
            Assert.True(File.Exists(decoder.Model.PathOf(decoder.Entry.TorchScript)), decoder.Entry.TorchScript);
            Assert.NotNull(decoder.Model.FindBackbone(decoder.Entry.Mask ?? ""));
            return decoder.Entry;
        }).ToArray();

        Assert.NotEqual(entries[0].TorchScript, entries[1].TorchScript);
        Assert.NotEqual(entries[0].Adapter, entries[1].Adapter);
    }

    [Fact]
    public async Task InterleavedFramesOfTwoCodesAreAllPublishedUnderTheirCodeAndDecodedWell()
    {
        var values = new Dictionary<string, string?>
        {
            ["Receiver:Ingest:0:Endpoints:0"] = "@tcp://127.0.0.1:0",
            ["Receiver:Ingest:0:Format"] = "framed",
            ["Receiver:Batching:Workers"] = "1",
            // PUSH/PULL: the outputs and their metadata wait for the reader instead of being dropped like PUB's before a subscription.
            ["Receiver:Publish:Endpoint"] = "@tcp://127.0.0.1:0",
            ["Receiver:Publish:MetadataEndpoint"] = "@tcp://127.0.0.1:0",
            ["Receiver:Publish:Socket"] = "push",
            ["Receiver:Publish:Output"] = "unpacked-info",
            ["Receiver:Metrics:ConsoleIntervalSeconds"] = "0",
            ["Receiver:Shutdown:DrainDeadlineMs"] = "5000",
        };
        for (var i = 0; i < CodeNames.Length; i++)
        {
            values[$"Receiver:Codes:{i}:Spec"] = CodeNames[i];
            values[$"Receiver:Codes:{i}:Chain:Decoder"] = "fecct";
            values[$"Receiver:Codes:{i}:Chain:Model"] = SapModel;
        }
        using var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost()).Build();
        await host.StartAsync();
        var endpoints = host.Services.GetRequiredService<ServiceEndpoints>();
        var collector = host.Services.GetRequiredService<MetricsCollector>();
        var codes = host.Services.GetRequiredService<CodeRegistry>().Codes;
        Assert.Equal(CodeNames, codes.Select(c => c.Name));

        var frames = InterleavedFrames(codes, seed: 17);
        const int total = FramesPerCode * 2;
        using var readingStop = new CancellationTokenSource();
        var outputs = new MessageReader(endpoints.Publish!);
        var metadata = new MessageReader(endpoints.Metadata!);
        var reading = Task.WhenAll(outputs.RunAsync(readingStop.Token), metadata.RunAsync(readingStop.Token));

        using (var ingest = new PushSocket())
        {
            ingest.Options.Linger = TimeSpan.FromSeconds(5);
            ingest.Connect(endpoints.Ingest[0][0]);
            var envelope = new ArrayBufferWriter<byte>();
            foreach (var frame in frames)
            {
                envelope.ResetWrittenCount();
                FrameEnvelope.Write(envelope, frame.Code.Name, frame.Sequence, 0, frame.Llrs);
                Assert.True(ingest.TrySendFrame(TimeSpan.FromSeconds(5), envelope.WrittenSpan.ToArray()));
            }
            Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => collector.Read().FramesPublished >= total, TimeSpan.FromSeconds(120)),
                collector.Read().ToString());
        }
        await host.StopAsync();
        Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => outputs.Count >= total && metadata.Count >= total, TimeSpan.FromSeconds(10)),
            $"{outputs.Count} outputs and {metadata.Count} metadata records of {total}");
        await readingStop.CancelAsync();
        await reading;

        var m = collector.Read();
        Assert.Equal(total, m.FramesIn);
        Assert.Equal(total, m.FramesPublished);
        Assert.Equal(0, m.FramesDropped);
        foreach (var code in codes)
        {
            Assert.Equal(FramesPerCode, collector.Total("receiver.frames.published", "code", code.Name));
            Assert.True(collector.Total("receiver.batch.size", "code", code.Name) > 0, $"{code.Name}: no batch recorded under its code");
        }
        // Not every frame was left to the syndrome check: the neural decoders ran.
        Assert.True(collector.Total("receiver.decode.frames", "stage", "main") > 0, "the neural decoder decoded no frame");

        // The publisher thread sends each output, then its metadata: the i-th of each socket belong together.
        var sent = frames.ToDictionary(f => (f.Code.Name, f.Sequence));
        var published = new HashSet<(string, long)>();
        var decodedErrors = new Dictionary<string, long>();
        var hardErrors = new Dictionary<string, long>();
        var outputMessages = outputs.Messages;
        var metadataMessages = metadata.Messages;
        Assert.Equal(total, outputMessages.Count);
        Assert.Equal(total, metadataMessages.Count);
        for (var i = 0; i < total; i++)
        {
            Assert.True(MetadataEnvelope.TryRead(metadataMessages[i], out var record, out var error), error);
            Assert.True(sent.TryGetValue((record.Code, record.Sequence), out var frame), $"output {i} is for {record.Code} #{record.Sequence}, never sent");
            Assert.True(published.Add((record.Code, record.Sequence)), $"{record.Code} #{record.Sequence} published twice");
            var bits = outputMessages[i];
            Assert.Equal(frame.Code.K, bits.Length);
            decodedErrors[record.Code] = decodedErrors.GetValueOrDefault(record.Code) + Differences(bits, frame.Info);
            hardErrors[record.Code] = hardErrors.GetValueOrDefault(record.Code) + Differences(frame.HardInfo, frame.Info);
        }
        Assert.Equal(total, published.Count);

        foreach (var code in codes)
        {
            var bitCount = (double)FramesPerCode * code.K;
            var decodedBer = decodedErrors[code.Name] / bitCount;
            var hardBer = hardErrors[code.Name] / bitCount;
            Console.WriteLine($"{code.Name} at {EbN0Db} dB over the service: info BER {decodedBer:E2} ({decodedErrors[code.Name]} bits), hard decision {hardBer:E2} ({hardErrors[code.Name]} bits), {FramesPerCode} frames");
            Assert.True(hardErrors[code.Name] > 0, $"{code.Name}: no hard-decision error to improve on at {EbN0Db} dB");
            // Decoding with the code's own adapter removes most of the channel's errors.
            Assert.True(decodedBer < hardBer / 3, $"{code.Name}: decoded info BER {decodedBer:E2} is not well below the hard-decision BER {hardBer:E2}");
        }
    }

    /// <summary>One sent frame: its code, sequence within the code, info bits, channel LLRs, and the info bits of its hard decisions.</summary>
    private sealed record SentFrame(IBlockCode Code, long Sequence, byte[] Info, float[] Llrs, byte[] HardInfo);

    /// <summary><see cref="FramesPerCode"/> frames of each code in a seeded random order: random info, BPSK over AWGN, canonical LLRs.</summary>
    private static List<SentFrame> InterleavedFrames(IReadOnlyList<IBlockCode> codes, int seed)
    {
        var order = new Random(seed);
        var sources = codes.Select((code, i) => (
            Bits: new Xoshiro256StarStarX8((ulong)(seed * 31 + i)),
            Channel: new AwgnChannel((ulong)(seed * 57 + i)),
            Sigma: EbN0.NoiseSigma(EbN0Db, code.K / (double)code.N))).ToArray();
        var next = new long[codes.Count];
        var frames = new List<SentFrame>();
        while (frames.Count < FramesPerCode * codes.Count)
        {
            var c = order.Next(codes.Count);
            if (next[c] == FramesPerCode) continue;
            var code = codes[c];
            var info = new byte[code.K];
            var transmitted = new byte[code.N];
            var llrs = new float[code.N];
            sources[c].Bits.FillBits(info);
            code.Encode(info, transmitted);
            sources[c].Channel.Transmit(transmitted, sources[c].Sigma, llrs);

            var graphLlrs = new float[code.H.Columns];
            code.ToGraphLlr(llrs, graphLlrs);
            var hard = graphLlrs.Select(l => l < 0 ? (byte)1 : (byte)0).ToArray();
            var hardInfo = new byte[code.K];
            code.GraphToInfo(hard, hardInfo);
            frames.Add(new SentFrame(code, next[c]++, info, llrs, hardInfo));
        }
        return frames;
    }

    private static int Differences(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var count = 0;
        for (var i = 0; i < a.Length; i++) count += a[i] != b[i] ? 1 : 0;
        return count;
    }

    /// <summary>A PULL socket on its own thread keeping every message it receives, in order.</summary>
    private sealed class MessageReader(string endpoint)
    {
        private readonly ConcurrentQueue<byte[]> _messages = new();

        public int Count => _messages.Count;

        /// <summary>A copy of the messages received so far.</summary>
        public IReadOnlyList<byte[]> Messages => [.. _messages];

        public Task RunAsync(CancellationToken cancellationToken) => Task.Factory.StartNew(() =>
        {
            using var socket = new PullSocket();
            socket.Options.ReceiveHighWatermark = 0;
            socket.Connect(endpoint);
            while (!cancellationToken.IsCancellationRequested)
                if (socket.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(20), out var message)) _messages.Enqueue(message);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }
}
