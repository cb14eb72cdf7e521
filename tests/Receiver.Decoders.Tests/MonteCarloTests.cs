using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Evaluation;

namespace Receiver.Decoders.Tests;

public class MonteCarloTests
{
    /// <summary>[K+1, K] single parity check code, systematic: info bits then their parity.</summary>
    private sealed class SingleParityCheckCode(int k, bool encoderAllowed = true) : IBlockCode
    {
        public string Name => $"SPC_N{k + 1}_K{k}";
        public int N => k + 1;
        public int K => k;
        public ParityCheckMatrix H { get; } = ParityCheckMatrix.FromRowSupports(1, k + 1, [Enumerable.Range(0, k + 1)]);

        public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted)
        {
            if (!encoderAllowed) throw new InvalidOperationException("the all-zero run must not encode");
            var parity = 0;
            for (var i = 0; i < k; i++) parity ^= transmitted[i] = info[i];
            transmitted[k] = (byte)parity;
        }

        public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => channelLlr.CopyTo(graphLlr);
        public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => graphBits[..N].CopyTo(transmitted);
        public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => graphBits[..K].CopyTo(info);
    }

    /// <summary>Sign of each LLR: the raw channel decision, so BER is the uncoded Q(sqrt(2 R Eb/N0)).</summary>
    private sealed class SignDecoder(IBlockCode code) : IBatchDecoder
    {
        public string Name => "sign";
        public IBlockCode Code => code;
        public int InputLength => code.N;
        public int OutputLength => code.H.Columns;

        public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
        {
            for (var i = 0; i < llrs.Length; i++) bits[i] = llrs[i] < 0 ? (byte)1 : (byte)0;
            for (var f = 0; f < status.Length; f++)
            {
                var unsatisfied = code.H.SyndromeWeight(bits.Slice(f * code.N, code.N));
                status[f] = new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, 0, unsatisfied);
            }
        }
    }

    private static double Q(double x) => 0.5 * Erfc(x / Math.Sqrt(2));

    /// <summary>Complementary error function, Numerical Recipes' Chebyshev fit (relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    private static void AssertWithinStatistics(double expected, double measured, long trials, string what)
    {
        var standardError = Math.Sqrt(expected * (1 - expected) / trials);
        Assert.True(Math.Abs(measured - expected) < 5 * standardError,
            $"{what}: measured {measured:G5}, expected {expected:G5} +- {5 * standardError:G3} (5 standard errors)");
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(2.0, false)]
    [InlineData(4.0, false)]
    [InlineData(2.0, true)]
    public void HardDecisionBerMatchesTheUncodedQFunction(double ebN0Db, bool allZero)
    {
        var code = new SingleParityCheckCode(7, encoderAllowed: !allZero);
        var result = MonteCarlo.RunPoint(code, new SignDecoder(code), ebN0Db, new StopRule(MinFrameErrors: 0, MaxFrames: 20_000), seed: 1, allZeroCodeword: allZero);

        var p = Q(Math.Sqrt(2 * (7.0 / 8) * Math.Pow(10, ebN0Db / 10)));
        Assert.Equal(20_000, result.Frames);
        Assert.Equal(StopReason.MaxFrames, result.StopReason);
        AssertWithinStatistics(p, result.Ber, result.Frames * 8, "BER");
        AssertWithinStatistics(p, result.InfoBer, result.Frames * 7, "info BER");
        AssertWithinStatistics(1 - Math.Pow(1 - p, 8), result.Fer, result.Frames, "FER");
        Assert.Equal(-Math.Log(result.Ber), result.NegLnBer);
    }

    [Theory]
    [InlineData(Receiver.Codes.Channel.Modulation.Bpsk)]
    [InlineData(Receiver.Codes.Channel.Modulation.Qpsk)]
    public void HardDecisionBerUnderRayleighFadingMatchesTheClosedForm(Receiver.Codes.Channel.Modulation modulation)
    {
        var code = new SingleParityCheckCode(7);
        var result = MonteCarlo.RunPoint(code, new SignDecoder(code), 4.0, new StopRule(0, 20_000), seed: 8,
            modulation: modulation, fading: Receiver.Codes.Channel.Fading.Rayleigh);
        var snr = 7.0 / 8 * Math.Pow(10, 0.4); // per-bit SNR E[h^2] R Eb/N0
        AssertWithinStatistics(0.5 * (1 - Math.Sqrt(snr / (1 + snr))), result.Ber, result.Frames * 8, "BER");
    }

    [Fact]
    public void SameSeedGivesIdenticalCountsWhateverTheBatchSize()
    {
        var code = new SingleParityCheckCode(15);
        var stop = new StopRule(MinFrameErrors: 0, MaxFrames: 3000);
        PointResult Run(ulong seed, int batch) => MonteCarlo.RunPoint(code, new SignDecoder(code), 3.0, stop, seed, batchFrames: batch);

        var reference = Run(5, 0);
        foreach (var batch in new[] { 0, 1, 37, 1000, 5000 })
        {
            var again = Run(5, batch);
            Assert.Equal((reference.Frames, reference.BitErrors, reference.FrameErrors, reference.InfoBitErrors),
                (again.Frames, again.BitErrors, again.FrameErrors, again.InfoBitErrors));
        }
        Assert.NotEqual(reference.BitErrors, Run(6, 0).BitErrors);
    }

    [Fact]
    public void DifferentEbN0PointsDrawDifferentNoise()
    {
        var code = new SingleParityCheckCode(15);
        var stop = new StopRule(0, 2000);
        var a = MonteCarlo.RunPoint(code, new SignDecoder(code), 1.0, stop, seed: 9);
        var b = MonteCarlo.RunPoint(code, new SignDecoder(code), 1.0 + 1e-12, stop, seed: 9);
        Assert.NotEqual(a.BitErrors, b.BitErrors);
    }

    [Fact]
    public void StopsSoonAfterTheFrameErrorTarget()
    {
        var code = new SingleParityCheckCode(7);
        var progressReports = 0;
        var result = MonteCarlo.RunPoint(code, new SignDecoder(code), 2.0, new StopRule(MinFrameErrors: 50, MaxFrames: 1_000_000), seed: 2,
            progress: new SynchronousProgress(_ => progressReports++));
        Assert.Equal(StopReason.FrameErrors, result.StopReason);
        Assert.InRange(result.FrameErrors, 50, 74);
        Assert.True(progressReports >= 1);
    }

    [Fact]
    public void FrameCapStopsExactly()
    {
        var code = new SingleParityCheckCode(7);
        var result = MonteCarlo.RunPoint(code, new SignDecoder(code), 0.0, new StopRule(MinFrameErrors: 1_000_000, MaxFrames: 777), seed: 3);
        Assert.Equal(777, result.Frames);
        Assert.Equal(StopReason.MaxFrames, result.StopReason);
    }

    [Fact]
    public void NoErrorsGiveInfiniteNegLnBer()
    {
        var code = new SingleParityCheckCode(7);
        var result = MonteCarlo.RunPoint(code, new SignDecoder(code), 14.0, new StopRule(100, 2000), seed: 4);
        Assert.Equal(0, result.BitErrors);
        Assert.Equal(0, result.Ber);
        Assert.True(double.IsPositiveInfinity(result.NegLnBer));
    }

    [Fact]
    public void CancellationReturnsWhatWasMeasured()
    {
        var code = new SingleParityCheckCode(7);
        var stop = new StopRule(MinFrameErrors: 0, MaxFrames: 10_000_000);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var none = MonteCarlo.RunPoint(code, new SignDecoder(code), 2.0, stop, 1, cancellationToken: cancelled.Token);
        Assert.Equal((0L, StopReason.Cancelled), (none.Frames, none.StopReason));

        using var later = new CancellationTokenSource();
        var partial = MonteCarlo.RunPoint(code, new SignDecoder(code), 2.0, stop, 1,
            progress: new SynchronousProgress(p => { if (p.Frames > 0) later.Cancel(); }), cancellationToken: later.Token);
        Assert.Equal(StopReason.Cancelled, partial.StopReason);
        Assert.InRange(partial.Frames, 1, 1_000_000);
    }

    [Fact]
    public void RejectsMismatchedDecoderAndBadStopRules()
    {
        var code = new SingleParityCheckCode(7);
        var other = new SingleParityCheckCode(8);
        Assert.Throws<ArgumentException>(() => MonteCarlo.RunPoint(code, new SignDecoder(other), 2.0, new StopRule(), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarlo.RunPoint(code, new SignDecoder(code), 2.0, new StopRule(-1, 10), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarlo.RunPoint(code, new SignDecoder(code), 2.0, new StopRule(10, 0), 1));
    }

    /// <summary>The [15, 11] Hamming code: columns of H are the 15 nonzero 4-bit vectors.</summary>
    private static LinearBlockCode Hamming15()
    {
        var dense = new byte[4, 15];
        for (var c = 0; c < 15; c++)
            for (var r = 0; r < 4; r++)
                dense[r, c] = (byte)(((c + 1) >> r) & 1);
        return new LinearBlockCode(ParityCheckMatrix.FromDense(dense), "HAMMING_N15_K11");
    }

    [Fact]
    public void HardDecisionDecoderOnARealCodeGivesTheUncodedBer()
    {
        var code = Hamming15();
        var result = MonteCarlo.RunPoint(code, new HardDecisionDecoder(code, new DecoderOptions()), 3.0, new StopRule(0, 10_000), seed: 12);
        var p = Q(Math.Sqrt(2 * (11.0 / 15) * Math.Pow(10, 0.3)));
        AssertWithinStatistics(p, result.Ber, result.Frames * 15, "BER");
        AssertWithinStatistics(p, result.InfoBer, result.Frames * 11, "info BER");
    }

    [Theory]
    [InlineData("hard")]
    [InlineData("nms")]
    [InlineData("bp")]
    public void CountsDoNotDependOnTheDecoderThreadCount(string decoderName)
    {
        var code = Hamming15();
        var stop = new StopRule(MinFrameErrors: 40, MaxFrames: 20_000);
        PointResult Run(int threads) => MonteCarlo.RunPoint(code,
            DecoderFactory.Create(decoderName, code, new DecoderOptions { Iterations = 10, Parallelism = threads }), 3.0, stop, seed: 21);
        var single = Run(1);
        var parallel = Run(2);
        Assert.Equal((single.Frames, single.BitErrors, single.FrameErrors, single.InfoBitErrors, single.DecoderIterations),
            (parallel.Frames, parallel.BitErrors, parallel.FrameErrors, parallel.InfoBitErrors, parallel.DecoderIterations));
    }

    /// <summary>Progress that runs its callback on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<PointResult> report) : IProgress<PointResult>
    {
        public void Report(PointResult value) => report(value);
    }

    [Fact]
    public void MlLowerBoundCountsWrongCodewordsMoreLikelyThanTheSentOne()
    {
        var code = IterativeHarness.Load("BCH_N31_K16");
        var stop = new StopRule(0, 400);
        // OSD-3 on this short code is near ML: at 2 dB most of its errors are more likely codewords.
        var osd = MonteCarlo.RunPoint(code, DecoderFactory.Create("osd3", code, new DecoderOptions { Parallelism = 1 }), 2.0, stop, seed: 5);
        Assert.InRange(osd.MlFrameErrors, 1, osd.FrameErrors);
        Assert.True(osd.MlFrameErrors * 2 > osd.FrameErrors, $"{osd.MlFrameErrors} of {osd.FrameErrors}");
        // The hard decision is the most likely word of all: whenever it is a wrong codeword, ML fails too.
        var hard = MonteCarlo.RunPoint(code, DecoderFactory.Create("hard", code, new DecoderOptions()), 2.0, stop, seed: 5);
        Assert.Equal(osd.Frames, hard.Frames);
        Assert.InRange(hard.MlFrameErrors, 0, osd.MlFrameErrors);
        // The bound never exceeds the frame errors, whatever the decoder.
        var sign = MonteCarlo.RunPoint(code, new SignDecoder(code), 0.0, stop, seed: 5);
        Assert.True(sign.FrameErrors > 0);
        Assert.True(sign.MlFrameErrors <= sign.FrameErrors);
        Assert.Equal(osd.MlFrameErrors / (double)osd.Frames, osd.MlLowerBoundFer);
    }
}
