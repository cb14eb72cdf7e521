using Receiver.Codes.Channel;
using System.Runtime.Intrinsics;
using Receiver.Decoders.Iterative;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public class MinSumTests(ITestOutputHelper output)
{
    public static TheoryData<MinSumVariant, bool> Kernels => new()
    {
        { MinSumVariant.Normalized, true }, { MinSumVariant.Normalized, false },
        { MinSumVariant.Offset, true }, { MinSumVariant.Offset, false },
    };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void NoiselessCodewordConvergesWithoutIterating(MinSumVariant variant, bool vectorized)
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var result = IterativeHarness.DecodeNoiseless(new MinSumDecoder(code, new DecoderOptions(), variant, vectorized), frames: 21, seed: 1);
        Assert.All(result.Status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
        Assert.Equal(result.Codewords, result.Bits);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CorrectsAFewFlippedStrongBits(MinSumVariant variant, bool vectorized)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        IterativeHarness.AssertCorrectsFlips(new MinSumDecoder(code, new DecoderOptions { Iterations = 20 }, variant, vectorized), flips: 2, seed: 2);
    }

    [Fact]
    public void NamesFollowTheVariant()
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        Assert.Equal("nms", new MinSumDecoder(code, new DecoderOptions(), MinSumVariant.Normalized).Name);
        Assert.Equal("oms", new MinSumDecoder(code, new DecoderOptions(), MinSumVariant.Offset).Name);
    }

    [Theory]
    [InlineData(MinSumVariant.Normalized, 0, 0.75f, 0.5f, "Iterations")]
    [InlineData(MinSumVariant.Normalized, 5, 0f, 0.5f, "alpha")]
    [InlineData(MinSumVariant.Normalized, 5, 1.5f, 0.5f, "alpha")]
    [InlineData(MinSumVariant.Normalized, 5, float.NaN, 0.5f, "alpha")]
    [InlineData(MinSumVariant.Offset, 5, 0.75f, -0.1f, "beta")]
    public void RejectsInvalidOptions(MinSumVariant variant, int iterations, float alpha, float beta, string named)
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var options = new DecoderOptions { Iterations = iterations, Normalization = alpha, Offset = beta };
        var error = Assert.Throws<ArgumentException>(() => new MinSumDecoder(code, options, variant));
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData(MinSumVariant.Normalized, true)]
    [InlineData(MinSumVariant.Normalized, false)]
    [InlineData(MinSumVariant.Offset, true)]
    [InlineData(MinSumVariant.Offset, false)]
    public void VectorizedKernelMatchesScalarBitForBit(MinSumVariant variant, bool earlyStop)
    {
        var options = new DecoderOptions { Iterations = 8, EarlyStop = earlyStop };
        foreach (var name in new[] { "LDPC_N49_K24", "LDPC_N121_K70" })
        {
            var code = IterativeHarness.Load(name);
            KernelEquivalence.Assert(
                new MinSumDecoder(code, options, variant, vectorized: true),
                new MinSumDecoder(code, options, variant, vectorized: false));
        }
    }

    [Theory]
    [InlineData(MinSumVariant.Normalized)]
    [InlineData(MinSumVariant.Offset)]
    public void DecodesBetterThanHardDecision(MinSumVariant variant)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        var hard = IterativeHarness.Measure(code, new HardDecisionDecoder(code, new DecoderOptions()), 4.0, frameErrors: 300, maxFrames: 200_000, seed: 7);
        var decoded = IterativeHarness.Measure(code, new MinSumDecoder(code, new DecoderOptions { Iterations = 5 }, variant), 4.0, frameErrors: 300, maxFrames: 200_000, seed: 7);
        output.WriteLine($"{IterativeHarness.Describe(hard)}; {IterativeHarness.Describe(decoded)}");
        Assert.True(decoded.NegLnBer > hard.NegLnBer + 1.0, $"{variant}: {decoded.NegLnBer} vs hard decision {hard.NegLnBer}");
    }
}

/// <summary>Noisy frames (a partial last chunk included) through two decoders that must agree exactly.</summary>
internal static class KernelEquivalence
{
    public static void Assert(MinSumDecoderBase vectorized, MinSumDecoderBase scalar)
    {
        Xunit.Assert.Equal(Vector512.IsHardwareAccelerated, vectorized.IsVectorized);
        Xunit.Assert.False(scalar.IsVectorized);
        AssertSameOutput(vectorized, scalar);
    }

    public static void AssertSameOutput(IBatchDecoder vectorized, IBatchDecoder scalar) => AssertNearlySameOutput(vectorized, scalar, maxDifferingFrames: 0);

    /// <summary>As <see cref="AssertSameOutput"/>, with up to maxDifferingFrames frames whose bits or status differ.</summary>
    public static void AssertNearlySameOutput(IBatchDecoder vectorized, IBatchDecoder scalar, int maxDifferingFrames)
    {
        var code = vectorized.Code;
        const int frames = 16 * 12 + 5;
        var random = new Random(11);
        var codewords = IterativeHarness.RandomCodewords(code, frames, random);
        var llrs = new float[frames * code.N];
        // Low SNR so many lanes fail and stop at different iterations.
        new AwgnChannel(12).Transmit(codewords, EbN0.NoiseSigma(2.0, (double)code.K / code.N), llrs);
        var vectorBits = new byte[frames * vectorized.OutputLength];
        var scalarBits = new byte[frames * scalar.OutputLength];
        var vectorStatus = new DecodeStatus[frames];
        var scalarStatus = new DecodeStatus[frames];
        vectorized.Decode(llrs, vectorBits, vectorStatus);
        scalar.Decode(llrs, scalarBits, scalarStatus);
        if (maxDifferingFrames == 0)
        {
            Xunit.Assert.Equal(scalarStatus, vectorStatus);
            Xunit.Assert.Equal(scalarBits, vectorBits);
        }
        else
        {
            var n = vectorized.OutputLength;
            var differing = Enumerable.Range(0, frames).Count(f => scalarStatus[f] != vectorStatus[f] ||
                !scalarBits.AsSpan(f * n, n).SequenceEqual(vectorBits.AsSpan(f * n, n)));
            Xunit.Assert.InRange(differing, 0, maxDifferingFrames);
        }
        Xunit.Assert.Contains(scalarStatus, s => s.Outcome == DecodeOutcome.NotConverged);
        if (scalarStatus[0].Iterations < 8)
            Xunit.Assert.True(scalarStatus.Select(s => s.Iterations).Distinct().Count() > 2, "lanes should stop at different iterations");
    }
}
