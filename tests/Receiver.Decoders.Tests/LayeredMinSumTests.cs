using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public class LayeredMinSumTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NoiselessCodewordConvergesWithoutIterating(bool vectorized)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        var result = IterativeHarness.DecodeNoiseless(new LayeredMinSumDecoder(code, new DecoderOptions(), vectorized), frames: 19, seed: 1);
        Assert.All(result.Status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
        Assert.Equal(result.Codewords, result.Bits);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CorrectsAFewFlippedStrongBits(bool vectorized)
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        IterativeHarness.AssertCorrectsFlips(new LayeredMinSumDecoder(code, new DecoderOptions { Iterations = 20 }, vectorized), flips: 1, seed: 2);
    }

    [Fact]
    public void RejectsInvalidOptions()
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        Assert.Contains("alpha", Assert.Throws<ArgumentException>(() => new LayeredMinSumDecoder(code, new DecoderOptions { Normalization = 0f })).Message);
        Assert.Contains("Iterations", Assert.Throws<ArgumentException>(() => new LayeredMinSumDecoder(code, new DecoderOptions { Iterations = 0 })).Message);
        Assert.Equal("layered-nms", new LayeredMinSumDecoder(code, new DecoderOptions()).Name);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void VectorizedKernelMatchesScalarBitForBit(bool earlyStop)
    {
        var options = new DecoderOptions { Iterations = 8, EarlyStop = earlyStop };
        foreach (var name in new[] { "LDPC_N49_K24", "LDPC_N121_K70" })
        {
            var code = IterativeHarness.Load(name);
            KernelEquivalence.Assert(new LayeredMinSumDecoder(code, options, vectorized: true), new LayeredMinSumDecoder(code, options, vectorized: false));
        }
    }

    [Fact]
    public void BeatsHardDecisionAndFloodingAtTheSameIterations()
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        var options = new DecoderOptions { Iterations = 5 };
        const int errors = 400;
        var hard = IterativeHarness.Measure(code, new HardDecisionDecoder(code, new DecoderOptions()), 4.0, errors, maxFrames: 400_000, seed: 9);
        var flooding = IterativeHarness.Measure(code, new MinSumDecoder(code, options, MinSumVariant.Normalized), 4.0, errors, maxFrames: 400_000, seed: 9);
        var layered = IterativeHarness.Measure(code, new LayeredMinSumDecoder(code, options), 4.0, errors, maxFrames: 400_000, seed: 9);
        output.WriteLine($"{IterativeHarness.Describe(hard)}; {IterativeHarness.Describe(flooding)}; {IterativeHarness.Describe(layered)}");
        Assert.True(layered.NegLnBer > hard.NegLnBer + 1.0, $"layered {layered.NegLnBer} vs hard decision {hard.NegLnBer}");
        // Statistical margin: with 400 frame errors each estimate is good to about 0.1 in -ln BER.
        Assert.True(layered.NegLnBer >= flooding.NegLnBer - 0.1, $"layered {layered.NegLnBer} vs flooding {flooding.NegLnBer}");
    }
}
