using System.Diagnostics;
using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Decoders.Neural;
using Receiver.Neural;

namespace Receiver.Bench;

/// <summary>
/// Neural decoders through the libtorch bridge, from C#: for every installed model (or those whose name
/// contains the filter) and each of its codes, frames/s at several batch sizes with all cores and with
/// one, and batch-1 latency (median and p99 of single-frame Decode calls), next to the model's FLOPs per
/// frame (from its manifest), so frames/s x FLOPs/frame shows the GFLOP/s reached against the machine's
/// peak (<see cref="PeakGflops"/>, given as the second argument when it differs). Decode includes the syndrome check.
/// </summary>
public static class NeuralBench
{
    private static readonly int[] BatchSizes = [1, 8, 64, 256];
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(1.5);
    private const int LatencyCalls = 400;
    private const double EbN0Db = 5;

    /// <summary>FP32 peak this machine's figures are compared with (2 cores x AVX-512 FMA as measured for this project).</summary>
    public const double PeakGflops = 210;

    public static void Run(TextWriter output, string filter = "", double peakGflops = PeakGflops)
    {
        if (!TorchBridge.IsAvailable)
        {
            output.WriteLine("the libtorch bridge is not built: run ./scripts/setup.sh");
            return;
        }
        output.WriteLine($"{Environment.ProcessorCount} cores; peak taken as {peakGflops:F0} GFLOP/s; Eb/N0 {EbN0Db} dB; OPENBLAS_NUM_THREADS={Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") ?? "unset"}, " +
                         $"LD_PRELOAD={Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "unset"}");
        output.WriteLine($"{"model",-22} {"code",-15} {"MFLOP/fr",8} {"threads",7} {"batch",5} {"frames/s",9} {"GFLOP/s",8} {"of peak",7} {"b1 p50 us",9} {"b1 p99 us",9}");
        foreach (var model in ModelCatalog.Default.List())
        {
            if (!model.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var entry in model.Codes)
            {
                var code = CodeLibrary.Load(entry.Code);
                var flops = entry.FlopsPerFrame ?? model.FlopsPerFrame ?? 0;
                foreach (var threads in new[] { Environment.ProcessorCount, 1 })
                {
                    var (p50, p99) = BatchOneLatency(model, code, threads);
                    foreach (var batch in BatchSizes)
                    {
                        var framesPerSecond = Throughput(model, code, threads, batch);
                        var gflops = framesPerSecond * flops / 1e9;
                        output.WriteLine($"{model.Name,-22} {code.Name,-15} {flops / 1e6,8:F2} {threads,7} {batch,5} {framesPerSecond,9:F0} {gflops,8:F2} {gflops / peakGflops,7:P1} " +
                                         (batch == 1 ? $"{p50,9:F0} {p99,9:F0}" : $"{"",9} {"",9}"));
                    }
                }
            }
        }
    }

    private static NeuralDecoder Create(ModelManifest model, IBlockCode code, int threads, int batch) =>
        new(model.Architecture, code, model, new DecoderOptions { Model = model.Folder, Parallelism = threads, NeuralMaxBatch = batch });

    private static float[] Llrs(IBlockCode code, int frames) => BenchCase.NoisyFrames(code, EbN0Db, frames).Llrs;

    private static double Throughput(ModelManifest model, IBlockCode code, int threads, int batch)
    {
        using var decoder = Create(model, code, threads, batch);
        var llrs = Llrs(code, batch);
        var bits = new byte[batch * decoder.OutputLength];
        var status = new DecodeStatus[batch];
        decoder.Decode(llrs, bits, status); // warm-up: first calls run TorchScript's profiling executor
        decoder.Decode(llrs, bits, status);
        var clock = Stopwatch.StartNew();
        long frames = 0;
        do
        {
            decoder.Decode(llrs, bits, status);
            frames += batch;
        } while (clock.Elapsed < Measure);
        return frames / clock.Elapsed.TotalSeconds;
    }

    private static (double P50, double P99) BatchOneLatency(ModelManifest model, IBlockCode code, int threads)
    {
        using var decoder = Create(model, code, threads, 1);
        var llrs = Llrs(code, LatencyCalls);
        var bits = new byte[decoder.OutputLength];
        var status = new DecodeStatus[1];
        for (var i = 0; i < 20; i++) decoder.Decode(llrs.AsSpan(0, code.N), bits, status);
        var micros = new double[LatencyCalls];
        for (var i = 0; i < LatencyCalls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            decoder.Decode(llrs.AsSpan(i * code.N, code.N), bits, status);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(micros);
        return (micros[LatencyCalls / 2], micros[(int)(LatencyCalls * 0.99)]);
    }
}
