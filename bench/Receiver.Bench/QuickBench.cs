using System.Diagnostics;
using Receiver.Decoders;

namespace Receiver.Bench;

/// <summary>
/// Self-timed throughput: each case decodes its batch repeatedly for a fixed wall time, first with one
/// thread, then with all cores, and prints frames/s, info Mbit/s, microseconds per codeword (wall time
/// per frame: with all threads it is the batch-level rate, not per-core latency), mean iterations and
/// the batch's frame error rate. cpu-us/cw is process CPU time per frame: unlike wall time it does not
/// count time the decoder threads spent waiting for a core, so it stays meaningful on a busy machine.
/// </summary>
public static class QuickBench
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.7);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(2);

    public static void Run(TextWriter output, string filter = "")
    {
        output.WriteLine($"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}, " +
                         $"AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, .NET {Environment.Version}");
        output.WriteLine($"{"case",-58} {"fixed",5} {"threads",7} {"frames/s",10} {"Mbit/s",9} {"us/cw",8} {"cpu-us/cw",9} {"iter",5} {"FER",12} {"Eb/N0",6}");
        var cases = new Func<BenchCase>[] { () => BenchCase.NrQcLayered(false), () => BenchCase.NrQcLayered(true), BenchCase.NrQcLayeredHalfRate, BenchCase.NrGenericLayered, BenchCase.ShortCodeLayered }
            .Concat(Enumerable.Range(0, 4).Select(order => (Func<BenchCase>)(() => BenchCase.Osd(order))))
            .Concat(new[] { 1, 2, 4, 8, 16, 32 }.Select(list => (Func<BenchCase>)(() => BenchCase.Scl(list))));
        foreach (var make in cases)
        {
            var bench = make();
            if (!bench.Label.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var threads in new[] { 1, Environment.ProcessorCount })
            {
                var decoder = bench.CreateDecoder(bench.Options with { Parallelism = threads });
                var (bits, status) = bench.NewOutputs(decoder);
                Time(decoder, bench, bits, status, Warmup);
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var (frames, elapsed) = Time(decoder, bench, bits, status, Measure);
                var cpuMicroseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / frames;
                var framesPerSecond = frames / elapsed.TotalSeconds;
                var errors = bench.FrameErrors(decoder, bits);
                var format = decoder is QcLayeredMinSumDecoder qc ? $"int{qc.FixedPointBits}" : "float";
                output.WriteLine($"{bench.Label,-58} {format,5} {threads,7} {framesPerSecond,10:F0} {framesPerSecond * bench.Code.K / 1e6,9:F1} " +
                                 $"{1e6 / framesPerSecond,8:F2} {cpuMicroseconds,9:F2} {status.Average(s => s.Iterations),5:F2} {$"{errors}/{bench.Frames}",12} {bench.EbN0Db,6:F1}");
            }
        }
    }

    private static (long Frames, TimeSpan Elapsed) Time(IBatchDecoder decoder, BenchCase bench, byte[] bits, DecodeStatus[] status, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        long frames = 0;
        do
        {
            decoder.Decode(bench.Llrs, bits, status);
            frames += bench.Frames;
        } while (clock.Elapsed < duration);
        return (frames, clock.Elapsed);
    }
}
