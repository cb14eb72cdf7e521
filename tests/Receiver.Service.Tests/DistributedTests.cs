using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;
using NetMQ;
using NetMQ.Sockets;
using Receiver.Codes;
using Receiver.Common;

namespace Receiver.Service.Tests;

/// <summary>
/// Distributed decoding over loopback with real processes: a front end (Role frontend) and three workers (Role worker);
/// one worker is killed mid-stream and a fresh one joins. Every frame must be published once, in order, or counted
/// dropped with reason lost, and the front end's accounting must hold (in = published + dropped).
/// </summary>
[Collection(GnuRadio.Collection)]
public sealed class DistributedTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    private static string Dotnet => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static ChildProcess StartReceiver(TemporaryFolder folder, string config) =>
        ChildProcess.Start(Dotnet, [typeof(Cli.Cli).Assembly.Location, "run", "--config", config], folder.Path);

    private static (long In, long Published, long Dropped, string Reasons) Final(ChildProcess process, string name)
    {
        var final = Regex.Match(process.Error, @"final: in (\d+) out (\d+) dropped (\d+)(?: \(([^)]*)\))?");
        Assert.True(final.Success, process.Describe(name));
        long Number(int group) => long.Parse(final.Groups[group].Value, CultureInfo.InvariantCulture);
        return (Number(1), Number(2), Number(3), final.Groups[4].Value);
    }

    [Fact]
    public async Task AWorkerKilledMidStreamLosesOnlyCountedFramesAndTheRestArePublishedOnceInOrder()
    {
        const int frameCount = 3000;
        using var folder = new TemporaryFolder();
        var (ingest, publish, work, results) = (LoopbackPorts.FreeEndpoint(), LoopbackPorts.FreeEndpoint(), LoopbackPorts.FreeEndpoint(), LoopbackPorts.FreeEndpoint());
        var frontEndConfig = folder.File("frontend.json");
        await File.WriteAllTextAsync(frontEndConfig, $$"""
            {
              "Receiver": {
                "Role": "frontend",
                "Codes": [ { "Spec": "nr:224,256" } ],
                "Ingest": [ { "Endpoints": [ "@{{ingest}}" ], "Format": "framed" } ],
                "Distribute": { "WorkEndpoint": "@{{work}}", "ResultEndpoint": "@{{results}}", "Window": 256, "DeadlineMs": 3000, "Hwm": 32 },
                "Publish": { "Endpoint": "@{{publish}}", "Socket": "push", "Output": "unpacked-info", "Hwm": 100000 },
                "Metrics": { "ConsoleIntervalSeconds": 0 },
                "Shutdown": { "DrainDeadlineMs": 5000 }
              }
            }
            """);
        var workerConfig = folder.File("worker.json");
        await File.WriteAllTextAsync(workerConfig, $$"""
            {
              "Receiver": {
                "Role": "worker",
                "Codes": [ { "Spec": "nr:224,256", "Chain": { "Decoder": "layered-nms", "Iterations": 10 } } ],
                "Distribute": { "WorkEndpoint": ">{{work}}", "ResultEndpoint": ">{{results}}", "Hwm": 32 },
                "Batching": { "MaxBatch": 16, "Workers": 1 },
                "Metrics": { "ConsoleIntervalSeconds": 0 },
                "Shutdown": { "DrainDeadlineMs": 3000 }
              }
            }
            """);

        using var frontEnd = StartReceiver(folder, frontEndConfig);
        Assert.True(await frontEnd.WaitForLineAsync("ready", Long), frontEnd.Describe("front end"));
        var workers = Enumerable.Range(0, 3).Select(_ => StartReceiver(folder, workerConfig)).ToList();
        try
        {
            for (var w = 0; w < workers.Count; w++) Assert.True(await workers[w].WaitForLineAsync("ready", Long), workers[w].Describe($"worker {w}"));

            var code = CodeLibrary.Load("nr:224,256");
            var random = new Random(17);
            var index = new Dictionary<string, int>();
            var envelopes = new byte[frameCount][];
            var transmitted = new byte[code.N];
            var envelope = new ArrayBufferWriter<byte>();
            byte[][] warmUpEnvelopes = [];
            for (var f = 0; f < frameCount; f++)
            {
                var info = new byte[code.K];
                for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
                index.Add(Convert.ToHexString(info), f);
                code.Encode(info, transmitted);
                envelope.ResetWrittenCount();
                FrameEnvelope.Write(envelope, code.Name, f, 0, transmitted.Select(b => b == 0 ? 4f : -4f).ToArray());
                envelopes[f] = envelope.WrittenSpan.ToArray();
            }

            // Warm-up (not counted below): the first frames through each cold process take hundreds of milliseconds.
            const int warmUp = 60;
            for (var f = 0; f < warmUp; f++)
            {
                var info = new byte[code.K];
                info[f % code.K] = 1;
                info[(f * 7 + 3) % code.K] ^= 1;
                code.Encode(info, transmitted);
                envelope.ResetWrittenCount();
                FrameEnvelope.Write(envelope, code.Name, -1 - f, 0, transmitted.Select(b => b == 0 ? 4f : -4f).ToArray());
                index.TryAdd(Convert.ToHexString(info), -1 - f);
                Array.Resize(ref warmUpEnvelopes, f + 1);
                warmUpEnvelopes[f] = envelope.WrittenSpan.ToArray();
            }

            var outputs = new List<int>();
            using var stopReading = new CancellationTokenSource();
            var reader = Task.Run(() =>
            {
                using var pull = new PullSocket();
                pull.Connect(publish);
                while (!stopReading.IsCancellationRequested)
                    if (pull.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(20), out var bytes))
                        lock (outputs) outputs.Add(index.TryGetValue(Convert.ToHexString(bytes), out var f) ? f : int.MinValue);
            });

            ChildProcess? joined = null;
            using (var sender = new PushSocket())
            {
                sender.Options.Linger = TimeSpan.FromSeconds(10);
                sender.Connect(ingest);
                foreach (var warm in warmUpEnvelopes) Assert.True(sender.TrySendFrame(TimeSpan.FromSeconds(30), warm));
                Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => { lock (outputs) return outputs.Count == warmUp; }, Long), "warm-up frames not all published");
                lock (outputs) outputs.Clear();
                for (var f = 0; f < frameCount; f++)
                {
                    Assert.True(sender.TrySendFrame(TimeSpan.FromSeconds(30), envelopes[f]), $"frame {f} not taken by the front end");
                    Thread.Sleep(1); // about 900 frames/s: below what the workers decode on a loaded 2-core machine
                    if (f == frameCount / 3)
                    {
                        workers[1].Signal(9); // killed: whatever it held is lost
                        joined = StartReceiver(folder, workerConfig); // and a new worker joins while the stream runs
                        workers.Add(joined);
                    }
                    if (f == 2 * frameCount / 3)
                        Assert.True(joined!.WaitForLineAsync("ready", Long).GetAwaiter().GetResult(), joined.Describe("joined worker")); // the last third reaches it too
                }
                // Settle: every frame is back or past the 3 s deadline (no new output for 4 s).
                int Count() { lock (outputs) return outputs.Count; }
                var (last, stableSince) = (-1, DateTime.UtcNow);
                while (Count() < frameCount && DateTime.UtcNow - stableSince < TimeSpan.FromSeconds(4))
                {
                    if (Count() != last) (last, stableSince) = (Count(), DateTime.UtcNow);
                    await Task.Delay(50);
                }
            }

            frontEnd.Terminate();
            Assert.True(await frontEnd.WaitForExitAsync(Long) == 0, frontEnd.Describe("front end"));
            await Task.Delay(300);
            stopReading.Cancel();
            await reader;

            var (framesIn, published, dropped, reasons) = Final(frontEnd, "front end");
            Assert.Equal(warmUp + frameCount, framesIn);
            Assert.Equal(framesIn, published + dropped);
            Assert.Equal(published, warmUp + outputs.Count);
            if (dropped > 0) Assert.Equal($"lost {dropped}", reasons);
            Assert.DoesNotContain(int.MinValue, outputs); // every output is some frame's info, decoded right
            for (var i = 1; i < outputs.Count; i++)
                Assert.True(outputs[i] > outputs[i - 1], $"output {i} is frame {outputs[i]} after frame {outputs[i - 1]}: not in order, or published twice");

            foreach (var worker in workers.Where((_, w) => w != 1)) worker.Terminate();
            for (var w = 0; w < workers.Count; w++)
            {
                if (w == 1) continue;
                Assert.True(await workers[w].WaitForExitAsync(Long) == 0, workers[w].Describe($"worker {w}"));
            }
            Assert.True(Final(joined!, "joined worker").In > 0, "the worker that joined mid-stream got work");
        }
        finally
        {
            foreach (var worker in workers) worker.Dispose();
        }
    }
}
