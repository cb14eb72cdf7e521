using System.Diagnostics;
using Receiver.Codes;
using Receiver.Decoders;

namespace Receiver.Bench;

/// <summary>
/// The generic decoders on the codes AFF3CT was measured on (`ldpc`): LDPC_N121_K70, wimax_576_0.5 and
/// LDPC_N1056_K880 at 10 and 50 iterations, early stop off and on, one thread; layered-nms in float, int16
/// and int8 lanes, flooding nms and bp (float lanes). Each case decodes its seeded batch repeatedly for
/// <see cref="Measure"/> after a warm-up and prints decoder time per frame (process CPU time, so a thread
/// waiting for a core is not counted), info Mbit/s from it, mean iterations and the batch's frame errors.
/// </summary>
public static class LdpcBench
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.3);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(1.2);

    /// <summary>Code, Eb/N0 of its batch (in the waterfall: the FER of 10 iterations is a few percent or less) and batch size.</summary>
    public static readonly (string Code, double EbN0Db, int Frames)[] Codes =
    [
        ("LDPC_N121_K70", 4.0, 2048),
        ("wimax_576_0.5", 2.5, 1024),
        ("LDPC_N1056_K880", 4.0, 512),
    ];

    public static readonly (string Decoder, LaneElementType Element)[] Decoders =
    [
        ("layered-nms", LaneElementType.Float),
        ("layered-nms", LaneElementType.Int16),
        ("layered-nms", LaneElementType.Int8),
        ("nms", LaneElementType.Float),
        ("bp", LaneElementType.Float),
    ];

    public static void Run(TextWriter output, string filter = "")
    {
        output.WriteLine($"one thread, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, " +
                         $"AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}, .NET {Environment.Version}, load average {LoadAverage()}");
        output.WriteLine($"{"code",-16} {"Eb/N0",5} {"decoder",-12} {"type",5} {"it",3} {"stop",4} {"us/frame",9} {"Mbit/s",8} {"iter",6} {"FER",11}");
        foreach (var (name, ebN0, frames) in Codes)
        {
            if (!name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            var code = CodeLibrary.Load(name);
            var (transmitted, llrs) = BenchCase.NoisyFrames(code, ebN0, frames);
            foreach (var iterations in new[] { 10, 50 })
            foreach (var earlyStop in new[] { false, true })
            foreach (var (decoderName, element) in Decoders)
            {
                var options = new DecoderOptions { Iterations = iterations, EarlyStop = earlyStop, Parallelism = 1, ElementType = decoderName == "layered-nms" ? element : null };
                var decoder = DecoderFactory.Create(decoderName, code, options);
                var bits = new byte[frames * decoder.OutputLength];
                var status = new DecodeStatus[frames];
                Time(decoder, llrs, bits, status, Warmup);
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var decoded = Time(decoder, llrs, bits, status, Measure);
                var microseconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / decoded;
                var errors = FrameErrors(code, decoder, transmitted, bits, frames);
                output.WriteLine($"{name,-16} {ebN0,5:F1} {decoderName,-12} {LaneElementTypes.NameOf(element),5} {iterations,3} {(earlyStop ? "on" : "off"),4} " +
                                 $"{microseconds,9:F2} {code.K / microseconds,8:F1} {status.Average(s => s.Iterations),6:F2} {$"{errors}/{frames}",11}");
            }
        }
    }

    private static long Time(IBatchDecoder decoder, float[] llrs, byte[] bits, DecodeStatus[] status, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        long frames = 0;
        do
        {
            decoder.Decode(llrs, bits, status);
            frames += status.Length;
        } while (clock.Elapsed < duration);
        return frames;
    }

    private static int FrameErrors(IBlockCode code, IBatchDecoder decoder, byte[] transmitted, byte[] bits, int frames)
    {
        var sent = new byte[code.N];
        var errors = 0;
        for (var f = 0; f < frames; f++)
        {
            code.GraphToTransmitted(bits.AsSpan(f * decoder.OutputLength, decoder.OutputLength), sent);
            if (!sent.AsSpan().SequenceEqual(transmitted.AsSpan(f * code.N, code.N))) errors++;
        }
        return errors;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
