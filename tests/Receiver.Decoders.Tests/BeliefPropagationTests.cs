using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Receiver.Codes;
using Receiver.Evaluation;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public class BeliefPropagationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NoiselessCodewordConvergesWithoutIterating(bool vectorized)
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var result = IterativeHarness.DecodeNoiseless(new BeliefPropagationDecoder(code, new DecoderOptions(), vectorized), frames: 13, seed: 1);
        Assert.All(result.Status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
        Assert.Equal(result.Codewords, result.Bits);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CorrectsAFewFlippedStrongBits(bool vectorized)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        IterativeHarness.AssertCorrectsFlips(new BeliefPropagationDecoder(code, new DecoderOptions { Iterations = 20 }, vectorized), flips: 2, seed: 2);
    }

    // The float lanes use the scalar formulas in float (messages bounded near +-17.3 instead of +-30): decisions may
    // differ on a rare frame near the decision boundary, never on many.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void VectorizedKernelMatchesScalar(bool earlyStop)
    {
        var options = new DecoderOptions { Iterations = 8, EarlyStop = earlyStop };
        foreach (var name in new[] { "LDPC_N49_K24", "LDPC_N121_K70" })
        {
            var code = IterativeHarness.Load(name);
            var vectorized = new BeliefPropagationDecoder(code, options, vectorized: true);
            var scalar = new BeliefPropagationDecoder(code, options, vectorized: false);
            Assert.Equal(Vector256.IsHardwareAccelerated, vectorized.IsVectorized);
            Assert.False(scalar.IsVectorized);
            KernelEquivalence.AssertNearlySameOutput(vectorized, scalar, maxDifferingFrames: 4);
        }
    }

    [Fact]
    public void WithoutEarlyStopRunsEveryIteration()
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var result = IterativeHarness.DecodeNoiseless(new BeliefPropagationDecoder(code, new DecoderOptions { Iterations = 7, EarlyStop = false }), frames: 3, seed: 3);
        Assert.All(result.Status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 7, 0), s));
        Assert.Equal(result.Codewords, result.Bits);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void RejectsIterationCapBelowOne(int iterations)
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var error = Assert.Throws<ArgumentException>(() => new BeliefPropagationDecoder(code, new DecoderOptions { Iterations = iterations }));
        Assert.Contains("Iterations", error.Message);
    }

    // Reference: an independent standard flooding BP (all m rows, early stop, random codewords, BER over n bits).
    // Each point stops at 400 frame errors: the statistical error is about 0.1 in -ln BER.
    [Theory]
    [InlineData("LDPC_N49_K24", 50, 4.0, 6.08, 400)]
    [InlineData("LDPC_N49_K24", 50, 5.0, 8.56, 400)]
    [InlineData("LDPC_N121_K70", 5, 4.0, 5.68, 400)]
    [InlineData("LDPC_N121_K70", 5, 5.0, 8.54, 400)]
    public void ReproducesReferenceFloodingBp(string codeName, int iterations, double ebN0Db, double referenceNegLnBer, int frameErrors)
    {
        var code = IterativeHarness.Load(codeName);
        var decoder = new BeliefPropagationDecoder(code, new DecoderOptions { Iterations = iterations });
        var point = IterativeHarness.Measure(code, decoder, ebN0Db, frameErrors, maxFrames: 2_000_000, seed: 42);
        output.WriteLine($"{codeName} bp-{iterations} {IterativeHarness.Describe(point)} (reference {referenceNegLnBer})");
        Assert.InRange(point.NegLnBer, referenceNegLnBer - 0.3, referenceNegLnBer + 0.3);
    }
}

/// <summary>Codewords sent noiselessly, what the decoder returned, and its statuses.</summary>
internal sealed record NoiselessResult(byte[] Codewords, byte[] Bits, DecodeStatus[] Status);

/// <summary>Bundled codes, random codewords and Monte-Carlo points (random codewords, BPSK over AWGN) for the iterative decoder tests.</summary>
internal static class IterativeHarness
{
    public static IBlockCode Load(string name, [CallerFilePath] string here = "") =>
        CodeLibrary.Load(name, Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "codes"));

    public static byte[] RandomCodewords(IBlockCode code, int frames, Random random)
    {
        var info = new byte[code.K];
        var codewords = new byte[frames * code.N];
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            code.Encode(info, codewords.AsSpan(f * code.N, code.N));
        }
        return codewords;
    }

    public static NoiselessResult DecodeNoiseless(IBatchDecoder decoder, int frames, int seed)
    {
        var code = decoder.Code;
        var codewords = RandomCodewords(code, frames, new Random(seed));
        var llrs = codewords.Select(b => b == 0 ? 4f : -4f).ToArray();
        var bits = new byte[frames * code.N];
        var status = new DecodeStatus[frames];
        decoder.Decode(llrs, bits, status);
        return new NoiselessResult(codewords, bits, status);
    }

    /// <summary>Strong correct LLRs except for a few strongly wrong ones per frame: the decoder must return the codeword.</summary>
    public static void AssertCorrectsFlips(IBatchDecoder decoder, int flips, int seed, int frames = 20)
    {
        var code = decoder.Code;
        var random = new Random(seed);
        var codewords = RandomCodewords(code, frames, random);
        var llrs = codewords.Select(b => b == 0 ? 3f : -3f).ToArray();
        for (var f = 0; f < frames; f++)
            foreach (var i in Enumerable.Range(0, code.N).OrderBy(_ => random.Next()).Take(flips))
                llrs[f * code.N + i] = -llrs[f * code.N + i] * 0.5f;
        var bits = new byte[frames * code.N];
        var status = new DecodeStatus[frames];
        decoder.Decode(llrs, bits, status);
        Assert.Equal(codewords, bits);
        Assert.All(status, s =>
        {
            Assert.Equal(DecodeOutcome.Converged, s.Outcome);
            Assert.InRange(s.Iterations, 1, int.MaxValue);
        });
    }

    /// <summary>Random codewords until <paramref name="frameErrors"/> frame errors or <paramref name="maxFrames"/> frames.</summary>
    public static PointResult Measure(IBlockCode code, IBatchDecoder decoder, double ebN0Db, int frameErrors, long maxFrames, ulong seed) =>
        MonteCarlo.RunPoint(code, decoder, ebN0Db, new StopRule(frameErrors, maxFrames), seed);

    /// <summary>One-line summary of a point for test output.</summary>
    public static string Describe(PointResult point) =>
        $"{point.Decoder} {point.EbN0Db} dB: frames={point.Frames} frameErrors={point.FrameErrors} bitErrors={point.BitErrors} -lnBER={point.NegLnBer:F3}";
}
