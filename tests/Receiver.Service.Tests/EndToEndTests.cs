using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Receiver.Codes;
using Receiver.Common;
using Receiver.Decoders;
using Receiver.Evaluation;
using Receiver.Pipeline;
using Receiver.Service.Metrics;
using Receiver.Service.Source;
using NetMQ;
using NetMQ.Sockets;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Tests;

/// <summary>The whole service over real ZMQ TCP sockets on 127.0.0.1, in process.</summary>
public class EndToEndTests
{
    [Fact]
    public async Task LoopbackFramesAreAllAccountedForAndErrorRatesMatchMonteCarlo()
    {
        const double ebN0 = 4.0;
        var report = await LoopbackDemo.RunAsync(new DemoSettings
        {
            Code = "nr:224,256",
            Decoder = "layered-nms",
            Model = null,
            Iterations = 20,
            EbN0Db = ebN0,
            FramesPerSecond = 0,
            MaxFrames = 3000,
            Seconds = 0,
            Workers = 1,
            Seed = 11,
        });

        var m = report.Metrics;
        Assert.Equal(3000, report.FramesSent);
        Assert.Equal(3000, m.FramesIn);
        Assert.Equal(m.FramesIn, m.FramesPublished + m.FramesDropped);
        Assert.Equal(0, m.FramesDropped);
        Assert.Equal(3000, m.CheckedFrames);
        Assert.Equal(3000, report.FramesReceivedBySubscriber);

        var code = CodeLibrary.Load("nr:224,256");
        var decoder = DecoderFactory.Create("layered-nms", code, new DecoderOptions { Iterations = 20 });
        var reference = MonteCarlo.RunPoint(code, decoder, ebN0, new StopRule(0, 12000), seed: 5);

        // FER: two binomial proportions agree within 5 standard errors.
        var pooled = (m.FrameErrors + reference.FrameErrors) / (double)(m.CheckedFrames + reference.Frames);
        var standardError = Math.Sqrt(pooled * (1 - pooled) * (1.0 / m.CheckedFrames + 1.0 / reference.Frames));
        Assert.InRange(report.Fer - reference.Fer, -5 * standardError, 5 * standardError);
        // Info BER: bit errors cluster in frames, so compare loosely (the FER test carries the statistics).
        Assert.InRange(report.Ber / reference.InfoBer, 0.7, 1.4);
    }

    [Fact]
    public async Task RawGnuRadioFloatStreamWithGnuRadioSignDecodesCleanlyAtHighSnr()
    {
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Ingest:0:Format"] = "gr-float";
        values["Receiver:Ingest:0:Code"] = "nr:224,256";
        values["Receiver:Ingest:0:LlrSign"] = "gnuradio";
        using var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost(groundTruth: true)).Build();
        await host.StartAsync();
        var endpoints = host.Services.GetRequiredService<ServiceEndpoints>();
        var truth = host.Services.GetRequiredService<GroundTruthStore>();
        var collector = host.Services.GetRequiredService<MetricsCollector>();
        var code = host.Services.GetRequiredService<CodeRegistry>()[0];

        var source = new NrLoopbackSource(code, new SourceSettings
        {
            Endpoint = ">" + endpoints.Ingest[0][0],
            Format = "gr-float",
            GnuRadioSign = true,
            EbN0Db = 7,
            MaxFrames = 400,
            Seed = 3,
        }, (sequence, info) => truth.Add(0, sequence, info));
        await source.RunAsync(CancellationToken.None);
        Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => collector.Read().FramesPublished >= 400, TimeSpan.FromSeconds(30)), collector.Read().ToString());
        await host.StopAsync();

        var m = collector.Read();
        Assert.Equal(400, m.FramesIn);
        Assert.Equal(400, m.FramesPublished);
        Assert.Equal(400, m.CheckedFrames);
        Assert.Equal(0, m.FrameErrors);
    }

    [Fact]
    public async Task EachBadInputIsCountedAndGoodFramesKeepFlowing()
    {
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Ingest:0:MaxMessageBytes"] = "4096";
        values["Receiver:Publish:Socket"] = "push";
        values["Receiver:Ingest:1:Endpoints:0"] = "@tcp://127.0.0.1:0";
        values["Receiver:Ingest:1:Format"] = "gr-tagged";
        values["Receiver:Ingest:1:Code"] = "nr:224,256";
        using var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost()).Build();
        await host.StartAsync();
        var endpoints = host.Services.GetRequiredService<ServiceEndpoints>();
        var collector = host.Services.GetRequiredService<MetricsCollector>();
        var code = host.Services.GetRequiredService<CodeRegistry>()[0];

        using var subscriberStop = new CancellationTokenSource();
        var subscriber = new OutputSubscriber(endpoints.Publish!, ZmqSocketKind.Pull);
        var subscribing = subscriber.RunAsync(subscriberStop.Token);
        await subscriber.Connected;

        var good = Enumerable.Repeat(4f, code.N).ToArray(); // the all-zero codeword, clearly received
        byte[] Envelope(string codeName, long sequence, float[] llrs)
        {
            var buffer = new ArrayBufferWriter<byte>();
            FrameEnvelope.Write(buffer, codeName, sequence, 0, llrs);
            return buffer.WrittenSpan.ToArray();
        }
        var withNaN = (float[])good.Clone();
        withNaN[17] = float.NaN;
        var withInfinity = (float[])good.Clone();
        withInfinity[200] = float.PositiveInfinity;
        var garbage = new byte[300];
        new Random(5).NextBytes(garbage);
        garbage[0] = 0xC1; // never used in MessagePack: not a map

        var framedMessages = new List<byte[]>
        {
            Envelope(code.Name, 0, good),
            Envelope(code.Name, 1, withNaN),                  // non_finite
            Envelope(code.Name, 2, withInfinity),             // non_finite
            Envelope(code.Name, 3, good),
            Envelope(code.Name, 4, good)[..^10],              // truncated: malformed
            Envelope("nr:999,1000", 5, good),                 // unknown_code
            garbage,                                          // malformed
        };
        for (var sequence = 6; sequence < 12; sequence++) framedMessages.Add(Envelope(code.Name, sequence, good));
        var wrongMagic = new byte[19 + 4 * code.N];                // a tag header whose magic is 0x0000: malformed

        using (var framed = new PushSocket())
        using (var tagged = new PushSocket())
        {
            framed.Options.Linger = TimeSpan.FromSeconds(2);
            tagged.Options.Linger = TimeSpan.FromSeconds(2);
            framed.Connect(endpoints.Ingest[0][0]);
            tagged.Connect(endpoints.Ingest[1][0]);
            foreach (var message in framedMessages) Assert.True(framed.TrySendFrame(TimeSpan.FromSeconds(5), message));
            Assert.True(tagged.TrySendFrame(TimeSpan.FromSeconds(5), wrongMagic));
            Assert.True(await ServiceTestHelpers.WaitUntilAsync(() =>
            {
                var now = collector.Read();
                return now.FramesPublished >= 8 && now.FramesDropped >= 6;
            }, TimeSpan.FromSeconds(30)));
        }
        await host.StopAsync();
        Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => subscriber.Received >= 8, TimeSpan.FromSeconds(5)));
        await subscriberStop.CancelAsync();
        await subscribing;

        var m = collector.Read();
        Assert.Equal(8, m.FramesPublished);
        Assert.Equal(8, m.FramesFramed);
        Assert.Equal(2, m.DroppedByReason["non_finite"]);
        Assert.Equal(1, m.DroppedByReason["unknown_code"]);
        Assert.Equal(3, m.DroppedByReason["malformed"]);
        Assert.Equal(6, m.FramesDropped);
        Assert.Equal(m.FramesIn, m.FramesPublished + m.FramesDropped);
        Assert.Equal(8, subscriber.Received);
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(0)]
    public async Task ShutdownDuringLoadLosesNothingAccepted(int drainDeadlineMs)
    {
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Batching:QueueCapacity"] = "512";
        values["Receiver:Shutdown:DrainDeadlineMs"] = drainDeadlineMs.ToString();
        using var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost(groundTruth: true)).Build();
        await host.StartAsync();
        var endpoints = host.Services.GetRequiredService<ServiceEndpoints>();
        var collector = host.Services.GetRequiredService<MetricsCollector>();
        var truth = host.Services.GetRequiredService<GroundTruthStore>();
        var code = host.Services.GetRequiredService<CodeRegistry>()[0];

        using var sending = new CancellationTokenSource();
        var source = new NrLoopbackSource(code, new SourceSettings { Endpoint = ">" + endpoints.Ingest[0][0], EbN0Db = 4, Seed = 9 },
            (sequence, info) => truth.Add(0, sequence, info));
        var running = source.RunAsync(sending.Token);
        Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => collector.Read().FramesPublished > 200, TimeSpan.FromSeconds(30)));

        await host.StopAsync(); // the source is still sending as fast as it can
        await sending.CancelAsync();
        await running;

        var m = collector.Read();
        Assert.True(m.FramesIn > 200);
        Assert.Equal(m.FramesIn, m.FramesPublished + m.FramesDropped);
        Assert.Equal(m.FramesDropped, m.DroppedByReason["shutdown"]);
        if (drainDeadlineMs > 0) Assert.Equal(0, m.FramesDropped);
    }
}
