using System.Diagnostics;
using System.Numerics;
using System.Runtime.Intrinsics;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Decoders;

namespace Receiver.Evaluation;

/// <summary>
/// Monte-Carlo BER/FER of a decoder: random info bits (or the all-zero codeword) -> encoder ->
/// channel at the point's Eb/N0 -> decoder in batches -> error counts. Each frame draws its bits
/// and noise from a seed derived from (seed, Eb/N0, frame index), so the frames are the same
/// for a given seed whatever the batch size or thread count. The next batch is generated on
/// another thread while the decoder runs. Buffers are sized once per point. A wrong frame whose output is a
/// codeword more likely than the sent one counts towards the ML lower bound (<see cref="PointResult.MlLowerBoundFer"/>).
/// </summary>
public static class MonteCarlo
{
    /// <summary>Frames in the first automatic batch: small, so a high-FER point does not overshoot its stop.</summary>
    private const int FirstAutoBatch = 64;
    /// <summary>Automatic batches hold about this many LLRs at most.</summary>
    private const int AutoBatchLlrs = 1 << 18;
    private const int MaxAutoBatch = 4096;

    /// <summary>Measures one Eb/N0 point until the stop rule or cancellation, whichever comes first.</summary>
    /// <param name="code">Code to simulate; sigma follows <see cref="EbN0.NoiseSigma"/> with R = K/N.</param>
    /// <param name="decoder">Decoder of <paramref name="code"/> (input N channel LLRs, output the graph codeword).</param>
    /// <param name="seed">Run seed: frame f of this point uses a seed derived from (seed, <paramref name="ebN0Db"/>, f).</param>
    /// <param name="allZeroCodeword">Send the all-zero codeword (no encoder needed) instead of random info bits.</param>
    /// <param name="batchFrames">Frames per decoder call; 0 adapts the size to reach the error target without overshooting it by much.</param>
    /// <param name="progress">Receives the counts after every batch but the last, then the final result.</param>
    /// <param name="cancellationToken">Checked between batches; cancelling returns the counts so far with <see cref="StopReason.Cancelled"/>.</param>
    /// <param name="modulation">Channel mapping (QPSK gives BPSK's LLR statistics on AWGN).</param>
    /// <param name="fading">Channel gain per symbol.</param>
    /// <param name="firstFrame">Index of the point's first frame: the point runs frames firstFrame, firstFrame + 1, ...
    /// (at most <see cref="StopRule.MaxFrames"/> of them), so disjoint ranges of one seed are disjoint frames (sharding).</param>
    public static PointResult RunPoint(
        IBlockCode code,
        IBatchDecoder decoder,
        double ebN0Db,
        StopRule stop,
        ulong seed,
        bool allZeroCodeword = false,
        int batchFrames = 0,
        IProgress<PointResult>? progress = null,
        CancellationToken cancellationToken = default,
        Modulation modulation = Modulation.Bpsk,
        Fading fading = Fading.None,
        long firstFrame = 0)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(stop);
        stop.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(firstFrame);
        if (batchFrames < 0) throw new ArgumentOutOfRangeException(nameof(batchFrames), batchFrames, "batch size must be 0 (automatic) or positive");
        if (decoder.InputLength != code.N || decoder.OutputLength != code.H.Columns)
            throw new ArgumentException($"decoder {decoder.Name} takes {decoder.InputLength} LLRs and gives {decoder.OutputLength} bits; code {code.Name} needs {code.N} and {code.H.Columns}");

        var sigma = EbN0.NoiseSigma(ebN0Db, code.K / (double)code.N);
        var maxBatch = batchFrames > 0 ? batchFrames : Math.Clamp(AutoBatchLlrs / code.N, FirstAutoBatch, MaxAutoBatch);
        var generator = new FrameGenerator(code, sigma, PointSeed(seed, ebN0Db), allZeroCodeword, modulation, fading);
        var batches = new[] { new FrameBatch(code, maxBatch), new FrameBatch(code, maxBatch) };
        var decoded = new byte[maxBatch * code.H.Columns];
        var statuses = new DecodeStatus[maxBatch];
        var transmittedScratch = new byte[code.N];
        var infoScratch = new byte[code.K];

        var clock = Stopwatch.StartNew();
        long frames = 0, bitErrors = 0, frameErrors = 0, infoBitErrors = 0, iterations = 0, mlFrameErrors = 0;
        PointResult Snapshot(StopReason reason) => new(code.Name, code.N, code.K, decoder.Name, ebN0Db,
            frames, bitErrors, frameErrors, infoBitErrors, iterations, clock.Elapsed.TotalSeconds, seed, reason, mlFrameErrors);

        if (cancellationToken.IsCancellationRequested) return Snapshot(StopReason.Cancelled);

        var current = batches[0];
        generator.Fill(current, firstFrame, (int)Math.Min(batchFrames > 0 ? maxBatch : Math.Min(maxBatch, FirstAutoBatch), stop.MaxFrames));
        while (true)
        {
            // Generate the most the next batch can be while this one decodes; frames are seeded
            // one by one, so a shorter next batch just uses a prefix.
            var next = batches[current == batches[0] ? 1 : 0];
            var nextFirst = current.FirstFrame + current.Count;
            var nextBound = (int)Math.Min(batchFrames > 0 ? maxBatch : Math.Min(maxBatch, 2L * current.Count), stop.MaxFrames - (nextFirst - firstFrame));
            // PreferFairness queues globally: a pool thread's local queue always holding the next
            // generator task would otherwise starve timer and Ctrl-C callbacks on a 2-core machine.
            var generating = nextBound > 0
                ? Task.Factory.StartNew(() => generator.Fill(next, nextFirst, nextBound), CancellationToken.None, TaskCreationOptions.PreferFairness, TaskScheduler.Default)
                : Task.CompletedTask;
            try
            {
                var count = current.Count;
                decoder.Decode(current.Llrs(code.N), decoded.AsSpan(0, count * code.H.Columns), statuses.AsSpan(0, count));
                for (var f = 0; f < count; f++)
                {
                    code.GraphToTransmitted(decoded.AsSpan(f * code.H.Columns, code.H.Columns), transmittedScratch);
                    code.GraphToInfo(decoded.AsSpan(f * code.H.Columns, code.H.Columns), infoScratch);
                    var wrongBits = CountDifferences(transmittedScratch, current.Transmitted.AsSpan(f * code.N, code.N));
                    var wrongInfo = CountDifferences(infoScratch, current.Info.AsSpan(f * code.K, code.K));
                    bitErrors += wrongBits;
                    infoBitErrors += wrongInfo;
                    if (wrongBits + wrongInfo > 0)
                    {
                        frameErrors++;
                        if (code.H.IsCodeword(decoded.AsSpan(f * code.H.Columns, code.H.Columns))
                            && Correlation(current.FrameLlrs(f, code.N), transmittedScratch) > Correlation(current.FrameLlrs(f, code.N), current.Transmitted.AsSpan(f * code.N, code.N)))
                            mlFrameErrors++;
                    }
                    iterations += statuses[f].Iterations;
                }
                frames += count;
            }
            catch
            {
                // Let the generator finish with the buffers before the decoder's exception leaves.
                try { generating.Wait(CancellationToken.None); } catch (AggregateException) { }
                throw;
            }
            generating.GetAwaiter().GetResult();

            StopReason reason;
            if (stop.MinFrameErrors > 0 && frameErrors >= stop.MinFrameErrors) reason = StopReason.FrameErrors;
            else if (frames >= stop.MaxFrames) reason = StopReason.MaxFrames;
            else if (cancellationToken.IsCancellationRequested) reason = StopReason.Cancelled;
            else
            {
                progress?.Report(Snapshot(StopReason.Running));
                next.Count = batchFrames > 0 ? nextBound : Math.Min(nextBound, AdaptiveBatch(stop, frames, frameErrors, maxBatch));
                current = next;
                continue;
            }
            var result = Snapshot(reason);
            progress?.Report(result);
            return result;
        }
    }

    /// <summary>Frames expected to reach the error target at the FER seen so far (doubling while none seen).</summary>
    private static int AdaptiveBatch(StopRule stop, long frames, long frameErrors, int maxBatch)
    {
        if (stop.MinFrameErrors == 0 || frameErrors == 0) return maxBatch;
        var needed = Math.Ceiling((stop.MinFrameErrors - frameErrors) * (double)frames / frameErrors);
        return (int)Math.Clamp(needed, 1, maxBatch);
    }

    /// <summary>Seed of one Eb/N0 point: the run seed mixed with the exact Eb/N0 value.</summary>
    private static ulong PointSeed(ulong seed, double ebN0Db)
    {
        var state = seed ^ (ulong)BitConverter.DoubleToInt64Bits(ebN0Db);
        Xoshiro256StarStarX8.SplitMix64(ref state);
        return Xoshiro256StarStarX8.SplitMix64(ref state);
    }

    /// <summary>
    /// Sum of L_i (1 - 2 c_i) over the transmitted bits: the log-likelihood of word c up to a constant, since the
    /// channel LLRs of the bits are independent. Double, so that two words' sums compare exactly enough.
    /// </summary>
    private static double Correlation(ReadOnlySpan<float> llrs, ReadOnlySpan<byte> bits)
    {
        var sum = 0.0;
        for (var i = 0; i < bits.Length; i++) sum += bits[i] == 0 ? llrs[i] : -llrs[i];
        return sum;
    }

    /// <summary>Number of positions where two 0/1 byte spans differ.</summary>
    private static int CountDifferences(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var differences = 0;
        var i = 0;
        for (; i + Vector512<byte>.Count <= a.Length; i += Vector512<byte>.Count)
        {
            var equal = Vector512.Equals(Vector512.Create(a.Slice(i, Vector512<byte>.Count)), Vector512.Create(b.Slice(i, Vector512<byte>.Count)));
            differences += Vector512<byte>.Count - BitOperations.PopCount(equal.ExtractMostSignificantBits());
        }
        for (; i < a.Length; i++)
            if (a[i] != b[i]) differences++;
        return differences;
    }

    /// <summary>Frames of one batch: info bits, transmitted codewords and channel LLRs, back to back.</summary>
    private sealed class FrameBatch(IBlockCode code, int capacity)
    {
        public readonly byte[] Info = new byte[capacity * code.K];
        public readonly byte[] Transmitted = new byte[capacity * code.N];
        private readonly float[] _llrs = new float[capacity * code.N];
        public long FirstFrame;
        public int Count;

        public ReadOnlySpan<float> Llrs(int n) => _llrs.AsSpan(0, Count * n);
        public Span<float> FrameLlrs(int frame, int n) => _llrs.AsSpan(frame * n, n);
    }

    /// <summary>Makes frames from per-frame seeds; used by one thread at a time.</summary>
    private sealed class FrameGenerator(IBlockCode code, double sigma, ulong pointSeed, bool allZero, Modulation modulation, Fading fading)
    {
        private const ulong NoiseStream = 0xD1B54A32D192ED03UL;
        private readonly Xoshiro256StarStarX8 _bits = new(0);
        private readonly AwgnChannel _channel = new(0, modulation, fading);

        public void Fill(FrameBatch batch, long firstFrame, int count)
        {
            batch.FirstFrame = firstFrame;
            batch.Count = count;
            for (var f = 0; f < count; f++)
            {
                var state = pointSeed ^ (ulong)(firstFrame + f) * 0x9E3779B97F4A7C15UL;
                var frameSeed = Xoshiro256StarStarX8.SplitMix64(ref state);
                var info = batch.Info.AsSpan(f * code.K, code.K);
                var transmitted = batch.Transmitted.AsSpan(f * code.N, code.N);
                if (allZero)
                {
                    info.Clear();
                    transmitted.Clear();
                }
                else
                {
                    _bits.Reseed(frameSeed);
                    _bits.FillBits(info);
                    code.Encode(info, transmitted);
                }
                _channel.Reseed(frameSeed ^ NoiseStream);
                _channel.Transmit(transmitted, sigma, batch.FrameLlrs(f, code.N));
            }
        }
    }
}
