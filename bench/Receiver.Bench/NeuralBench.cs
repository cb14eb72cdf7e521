using System.Diagnostics;
using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Neural;
using Receiver.Neural.Runtime;

namespace Receiver.Bench;

/// <summary>
/// Neural decoders from C# through one runtime: for every installed model (or those whose name contains the filter)
/// and each of its codes, frames/s of <see cref="NeuralDecoder.Decode"/> (forward pass plus syndrome check) at several
/// batch sizes with 1 and 2 intra-op threads, and batch-1 latency (median and p99 of single-frame calls), next to the
/// model's FLOPs per frame, so frames/s x FLOPs/frame shows the GFLOP/s reached against the machine's peak
/// (<see cref="PeakGflops"/>). Frames per CPU-second (process CPU time over the same loop) is the load-independent
/// figure on a shared machine: wall-clock frames/s falls with other processes' load, CPU time does not. One runtime per process (so one does not warm or load the other): compare runtimes by
/// running the command once per runtime, interleaved (bench/README.md).
/// </summary>
public static class NeuralBench
{
    private static readonly int[] BatchSizes = [1, 8, 64, 256];
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(1.0);
    private const int LatencyCalls = 400;
    private const double EbN0Db = 5;

    /// <summary>FP32 peak this machine's figures are compared with (2 cores x AVX-512 FMA as measured for this project).</summary>
    public const double PeakGflops = 210;

    public static void Run(TextWriter output, string filter, string runtimeName, double peakGflops = PeakGflops)
    {
        output.WriteLine($"{Environment.ProcessorCount} cores; runtime {runtimeName}; peak taken as {peakGflops:F0} GFLOP/s; Eb/N0 {EbN0Db} dB; " +
                         $"LD_PRELOAD={Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "unset"}, OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset"}");
        output.WriteLine($"{"runtime",-11} {"model",-22} {"code",-15} {"MFLOP/fr",8} {"threads",7} {"batch",5} {"frames/s",9} {"fr/CPU-s",9} {"GFLOP/s",8} {"of peak",7} {"b1 p50 us",9} {"b1 p99 us",9} {"B/call",6}");
        foreach (var model in ModelCatalog.Default.List())
        {
            if (!model.Name.StartsWith(filter, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var entry in model.Codes)
            {
                var code = CodeLibrary.Load(entry.Code);
                var flops = entry.FlopsPerFrame ?? model.FlopsPerFrame ?? 0;
                foreach (var threads in new[] { 1, Environment.ProcessorCount })
                {
                    using var decoder = Open(runtimeName, model, entry, code, threads);
                    if (decoder is null)
                    {
                        output.WriteLine($"{runtimeName,-11} {model.Name,-22} {code.Name,-15} no artifact for this runtime ({entry.OnnxMissing ?? "none"})");
                        break;
                    }
                    var (p50, p99, allocated) = BatchOneLatency(decoder, code);
                    foreach (var batch in BatchSizes)
                    {
                        var (framesPerSecond, framesPerCpuSecond) = Throughput(decoder, code, batch);
                        var gflops = framesPerSecond * flops / 1e9;
                        output.WriteLine($"{runtimeName,-11} {model.Name,-22} {code.Name,-15} {flops / 1e6,8:F2} {threads,7} {batch,5} {framesPerSecond,9:F0} {framesPerCpuSecond,9:F0} {gflops,8:F2} {gflops / peakGflops,7:P1} " +
                                         (batch == 1 ? $"{p50,9:F0} {p99,9:F0} {allocated,6}" : $"{"",9} {"",9}"));
                    }
                }
            }
        }
    }

    /// <summary>The model's decoder on <paramref name="runtimeName"/>'s artifact (null when the model lacks it), at most 256 frames per pass.</summary>
    private static NeuralDecoder? Open(string runtimeName, ModelManifest model, ModelCodeEntry entry, IBlockCode code, int threads)
    {
        var checkedEntry = NeuralDecoder.Check(model.Architecture, code, model);
        var runtime = NeuralRuntimes.Parse(runtimeName);
        if (runtime == NeuralRuntime.OnnxRuntime && entry.Onnx is null) return null;
        var session = ModelSessions.Open(model, checkedEntry, runtime, ComputeDevice.Cpu, threads);
        return new NeuralDecoder(model.Architecture, code, model, checkedEntry, session, BatchSizes[^1]);
    }

    private static float[] Llrs(IBlockCode code, int frames) => BenchCase.NoisyFrames(code, EbN0Db, frames).Llrs;

    /// <summary>Frames per wall-clock second and per second of the process's CPU time.</summary>
    private static (double PerSecond, double PerCpuSecond) Throughput(NeuralDecoder decoder, IBlockCode code, int batch)
    {
        var llrs = Llrs(code, batch);
        var bits = new byte[batch * decoder.OutputLength];
        var status = new DecodeStatus[batch];
        decoder.Decode(llrs, bits, status); // warm-up: the first calls of a batch size set up its buffers
        decoder.Decode(llrs, bits, status);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long frames = 0;
        do
        {
            decoder.Decode(llrs, bits, status);
            frames += batch;
        } while (clock.Elapsed < Measure);
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (frames / wall, frames / (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    /// <summary>Median and p99 of single-frame Decode calls, and the managed bytes one call allocates (mean over the calls).</summary>
    private static (double P50, double P99, long BytesPerCall) BatchOneLatency(NeuralDecoder decoder, IBlockCode code)
    {
        var llrs = Llrs(code, LatencyCalls);
        var bits = new byte[decoder.OutputLength];
        var status = new DecodeStatus[1];
        for (var i = 0; i < 20; i++) decoder.Decode(llrs.AsSpan(0, code.N), bits, status);
        var micros = new double[LatencyCalls];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < LatencyCalls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            decoder.Decode(llrs.AsSpan(i * code.N, code.N), bits, status);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / LatencyCalls;
        Array.Sort(micros);
        return (micros[LatencyCalls / 2], micros[(int)(LatencyCalls * 0.99)], allocated);
    }
}
