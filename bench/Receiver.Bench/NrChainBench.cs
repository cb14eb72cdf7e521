using System.Diagnostics;
using Receiver.Codes.Nr5g;
using Receiver.Codes.Nr5g.Chain;
using Receiver.Decoders;
using Receiver.Decoders.Nr5g;

namespace Receiver.Bench;

/// <summary>
/// Transport-block decoding throughput of the TS 38.212 chain against the bare decoder on the same code blocks.
/// TB: A = 25248 (CRC24A, B = 25272), BG1, C = 3 blocks of K' = 8448 (Z = 384, no fillers), QPSK, G = 28512 so
/// E = 9504 per block at RV0: every block is the bare decoder's nr:8448,9504, whose channel LLRs are the block's
/// de-interleaved LLRs. Es/N0 7.0 dB = Eb/N0 4.5 dB at rate 8/9 (the quick bench's point). One thread, 5 iterations,
/// early stop; the chain decodes one TB per call (a fresh HARQ process: first transmission), the bare decoder the
/// same 3 blocks per call. The chain runs with CRC early termination (the default) and without it (stop on a zero
/// syndrome only). Rounds alternate chain, chain without CRC stop, and bare; medians of the rounds are printed.
/// </summary>
public static class NrChainBench
{
    private const int TransportBlocks = 16;
    private const int Rounds = 9;
    private static readonly TimeSpan RoundTime = TimeSpan.FromSeconds(0.5);

    /// <param name="crcCheckLimit">The chain's <see cref="NrTransportBlockDecoder.CrcCheckLimit"/> (null: its default).</param>
    public static void Run(TextWriter output, int? crcCheckLimit)
    {
        var layout = new NrTransportBlockLayout(new NrTransportBlockConfig(25248, NrModulation.Qpsk, 28512, 0.89));
        var options = new DecoderOptions { Iterations = 5, EarlyStop = true, Parallelism = 1 };
        var encoder = new NrTransportBlockEncoder(layout);
        var modulator = NrModulator.For(layout.Modulation);
        var awgn = new NrAwgn(2026);
        var n0 = NrAwgn.NoiseVariance(7.0);
        var random = new Random(12345);
        var payloads = new byte[TransportBlocks][];
        var tbLlrs = new float[TransportBlocks][];
        var blockLlrs = new float[TransportBlocks][];
        var g = new byte[layout.Bits];
        var symbols = new float[2 * layout.Bits / layout.BitsPerSymbol];
        var e = layout.BlockBits(0);
        for (var t = 0; t < TransportBlocks; t++)
        {
            payloads[t] = new byte[layout.TbSize];
            for (var i = 0; i < layout.TbSize; i++) payloads[t][i] = (byte)random.Next(2);
            encoder.Encode(payloads[t]);
            encoder.RateMatch(0, g);
            modulator.Map(g, symbols);
            awgn.AddNoise(symbols, n0);
            tbLlrs[t] = new float[layout.Bits];
            modulator.Demap(symbols, n0, NrDemapping.Exact, tbLlrs[t]);
            blockLlrs[t] = new float[layout.CodeBlocks * e];
            for (var r = 0; r < layout.CodeBlocks; r++)
                NrRateMatching.Deinterleave<float>(tbLlrs[t].AsSpan(r * e, e), layout.BitsPerSymbol, blockLlrs[t].AsSpan(r * e, e));
        }

        var defaults = new NrTransportBlockDecoder(layout, options);
        var chain = crcCheckLimit is { } limit ? new NrTransportBlockDecoder(layout, options) { CrcCheckLimit = limit } : defaults;
        var chainSyndromeOnly = new NrTransportBlockDecoder(layout, options, crcEarlyTermination: false);
        var process = chain.CreateProcess();
        var decoded = new byte[layout.TbSize];
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        var bare = new QcLayeredMinSumDecoder(Nr5gLdpcCode.Create(layout.KPrime, e), options);
        var bits = new byte[layout.CodeBlocks * bare.OutputLength];
        var status = new DecodeStatus[layout.CodeBlocks];

        var (tbErrors, iterations) = Check(chain);
        var (tbErrorsSyndromeOnly, iterationsSyndromeOnly) = Check(chainSyndromeOnly);
        var blockErrors = 0;
        var bareIterations = 0;
        for (var t = 0; t < TransportBlocks; t++)
        {
            bare.Decode(blockLlrs[t], bits, status);
            blockErrors += status.Count(s => !s.IsCodeword);
            bareIterations += status.Sum(s => s.Iterations);
        }

        // The chain's stages without the decoder, for the overhead breakdown.
        var e0 = new float[e];
        var softBuffer = new float[layout.Ncb];
        var hard = new byte[layout.B];
        var stageRateMatch = new List<double>();
        var stageCrc = new List<double>();

        var chainTimes = new List<double>();
        var bareTimes = new List<double>();
        var chainCpu = new List<double>();
        var bareCpu = new List<double>();
        var syndromeOnlyTimes = new List<double>();
        var syndromeOnlyCpu = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var (wall, cpu) = Time(() => DecodeAll(chain));
            chainTimes.Add(wall);
            chainCpu.Add(cpu);
            (wall, cpu) = Time(() => DecodeAll(chainSyndromeOnly));
            syndromeOnlyTimes.Add(wall);
            syndromeOnlyCpu.Add(cpu);
            (wall, cpu) = Time(() =>
            {
                for (var t = 0; t < TransportBlocks; t++) bare.Decode(blockLlrs[t], bits, status);
            });
            bareTimes.Add(wall);
            bareCpu.Add(cpu);
            stageRateMatch.Add(Time(() =>
            {
                for (var t = 0; t < TransportBlocks; t++)
                    for (var r = 0; r < layout.CodeBlocks; r++)
                    {
                        var extent = 0;
                        NrRateMatching.Deinterleave(tbLlrs[t].AsSpan(r * e, e), layout.BitsPerSymbol, e0);
                        NrRateMatching.Accumulate(layout, e0, 0, softBuffer, ref extent);
                    }
            }).Cpu);
            stageCrc.Add(Time(() =>
            {
                for (var t = 0; t < TransportBlocks; t++)
                {
                    for (var r = 0; r < layout.CodeBlocks; r++) NrCrc.Crc24B.Remainder(hard.AsSpan(0, layout.KPrime));
                    layout.TbCrc.Remainder(hard);
                }
            }).Cpu);
        }

        var chainUs = Median(chainTimes);
        var bareUs = Median(bareTimes);
        var chainCpuUs = Median(chainCpu);
        var bareCpuUs = Median(bareCpu);
        output.WriteLine($"{Environment.ProcessorCount} cores, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, .NET {Environment.Version}, load average {LoadAverage()}");
        output.WriteLine($"TB: {layout}; E = {e} per block; Es/N0 7.0 dB; 5 it, early stop, 1 thread; {TransportBlocks} TBs per round, median of {Rounds} rounds");
        var blockCount = (double)(TransportBlocks * layout.CodeBlocks);
        output.WriteLine($"TB errors {tbErrors}/{TransportBlocks} (without CRC stop {tbErrorsSyndromeOnly}); bare block errors {blockErrors}/{TransportBlocks * layout.CodeBlocks}");
        output.WriteLine($"CRC early termination tried at <= {chain.CrcCheckLimit} unsatisfied checks");
        output.WriteLine($"mean iterations per block: chain {iterations / blockCount:F2}, chain without CRC stop {iterationsSyndromeOnly / blockCount:F2}, bare {bareIterations / blockCount:F2}");
        output.WriteLine($"{"",-34} {"us/TB",9} {"cpu-us/TB",10} {"Mbit/s (A)",11} {"Mbit/s (C K')",14}");
        Row(output, "chain (TB: de-RM, decode, CRCs)", chainUs, chainCpuUs, layout);
        Row(output, "chain without CRC stop", Median(syndromeOnlyTimes), Median(syndromeOnlyCpu), layout);
        Row(output, "bare decoder (same 3 blocks)", bareUs, bareCpuUs, layout);
        output.WriteLine($"stages per TB (cpu us): de-interleave + de-rate-match {Median(stageRateMatch):F1}, CRC24B x {layout.CodeBlocks} + {layout.TbCrc.Name} {Median(stageCrc):F1}");
        output.WriteLine($"chain / bare throughput: {bareUs / chainUs:P1} (wall), {bareCpuUs / chainCpuUs:P1} (cpu); per-TB overhead {chainUs - bareUs:F1} us wall, {chainCpuUs - bareCpuUs:F1} us cpu");
        output.WriteLine($"chain without CRC stop / bare: {bareCpuUs / Median(syndromeOnlyCpu):P1} (cpu)");

        void DecodeAll(NrTransportBlockDecoder decoder)
        {
            for (var t = 0; t < TransportBlocks; t++)
            {
                process.Reset();
                decoder.Decode(tbLlrs[t], 0, process, decoded, blocks);
            }
        }

        (int TbErrors, int Iterations) Check(NrTransportBlockDecoder decoder)
        {
            var errors = 0;
            var total = 0;
            for (var t = 0; t < TransportBlocks; t++)
            {
                process.Reset();
                var result = decoder.Decode(tbLlrs[t], 0, process, decoded, blocks);
                if (!result.CrcOk || !decoded.AsSpan().SequenceEqual(payloads[t])) errors++;
                foreach (var block in blocks) total += block.Status.Iterations;
            }
            return (errors, total);
        }
    }

    private static void Row(TextWriter output, string label, double us, double cpuUs, NrTransportBlockLayout layout) =>
        output.WriteLine($"{label,-34} {us,9:F1} {cpuUs,10:F1} {layout.TbSize / us,11:F1} {layout.CodeBlocks * layout.KPrime / us,14:F1}");

    /// <summary>Wall and process-CPU microseconds per TB over one round.</summary>
    private static (double Wall, double Cpu) Time(Action batch)
    {
        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long tbs = 0;
        do
        {
            batch();
            tbs += TransportBlocks;
        } while (clock.Elapsed < RoundTime);
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
        return (clock.Elapsed.TotalMicroseconds / tbs, cpu / tbs);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
