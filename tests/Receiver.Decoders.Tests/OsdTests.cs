using Receiver.Codes;
using Receiver.Decoders.Osd;

namespace Receiver.Decoders.Tests;

public class OsdTests
{
    private static readonly DecoderOptions Options = new() { Parallelism = 1 };

    private static (byte[] Bits, DecodeStatus[] Status) Decode(IBatchDecoder decoder, float[] llrs)
    {
        var frames = llrs.Length / decoder.InputLength;
        var bits = new byte[frames * decoder.OutputLength];
        var status = new DecodeStatus[frames];
        decoder.Decode(llrs, bits, status);
        return (bits, status);
    }

    /// <summary>Sum of |L| where the bits disagree with the sign of the LLRs: the OSD metric, smaller is more likely.</summary>
    private static double Discrepancy(ReadOnlySpan<float> llrs, ReadOnlySpan<byte> bits)
    {
        var cost = 0.0;
        for (var i = 0; i < bits.Length; i++)
            if ((llrs[i] < 0 ? 1 : 0) != bits[i]) cost += Math.Abs(llrs[i]);
        return cost;
    }

    [Theory]
    [InlineData("BCH_N63_K45")]
    [InlineData("LDPC_N49_K24")]
    [InlineData("POLAR_N64_K32")]
    public void OrderZeroReturnsANoiselessCodeword(string codeName)
    {
        var decoder = new OsdDecoder(IterativeHarness.Load(codeName), Options, 0);
        var result = IterativeHarness.DecodeNoiseless(decoder, 20, seed: 3);
        Assert.Equal(result.Codewords, result.Bits);
        Assert.All(result.Status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void OrderICorrectsIErrorsInTheMostReliableBasis(int errors)
    {
        // BCH(63,36) has d = 11: with the i wrong bits the most reliable of all (|L| = 4.1, so they enter the MRB)
        // and every other |L| in [3, 4], the sent word costs 4.1 i and any other codeword at least 3 (11 - i), so
        // the sent word is the ML decision and order i reaches it; order i - 1 cannot.
        var code = IterativeHarness.Load("BCH_N63_K36");
        var random = new Random(11 + errors);
        const int frames = 10;
        var codewords = IterativeHarness.RandomCodewords(code, frames, random);
        var llrs = new float[codewords.Length];
        for (var f = 0; f < frames; f++)
        {
            var wrong = Enumerable.Range(0, code.N).OrderBy(_ => random.Next()).Take(errors).ToHashSet();
            for (var i = 0; i < code.N; i++)
            {
                var sign = codewords[f * code.N + i] == 0 ? 1f : -1f;
                llrs[f * code.N + i] = wrong.Contains(i) ? -4.1f * sign : (3f + (float)random.NextDouble()) * sign;
            }
        }

        var (bits, status) = Decode(new OsdDecoder(code, Options, errors), llrs);
        Assert.Equal(codewords, bits);
        Assert.All(status, s => Assert.Equal(errors, s.Iterations));
        var (lower, _) = Decode(new OsdDecoder(code, Options, errors - 1), llrs);
        for (var f = 0; f < frames; f++)
            Assert.NotEqual(codewords.AsSpan(f * code.N, code.N).ToArray(), lower.AsSpan(f * code.N, code.N).ToArray());
    }

    [Fact]
    public void HigherOrdersNeverReturnALessLikelyCodeword()
    {
        var code = IterativeHarness.Load("BCH_N63_K45");
        var random = new Random(5);
        var codewords = IterativeHarness.RandomCodewords(code, 50, random);
        var sigma = Math.Sqrt(1 / (2 * (45.0 / 63) * Math.Pow(10, 0.2)));
        var llrs = codewords.Select(b => (float)(2 * ((b == 0 ? 1 : -1) + sigma * Gaussian(random)) / (sigma * sigma))).ToArray();
        var costs = Enumerable.Range(0, 4).Select(order =>
        {
            var (bits, status) = Decode(new OsdDecoder(code, Options, order), llrs);
            Assert.All(status, s => Assert.True(s.IsCodeword));
            for (var f = 0; f < 50; f++) Assert.True(code.H.IsCodeword(bits.AsSpan(f * code.N, code.N)));
            return Enumerable.Range(0, 50).Select(f => Discrepancy(llrs.AsSpan(f * code.N, code.N), bits.AsSpan(f * code.N, code.N))).ToArray();
        }).ToArray();
        for (var order = 1; order < 4; order++)
            for (var f = 0; f < 50; f++)
                Assert.True(costs[order][f] <= costs[order - 1][f] + 1e-3, $"order {order} frame {f}: {costs[order][f]} > {costs[order - 1][f]}");
        Assert.True(costs[2].Sum() < costs[0].Sum()); // at 2 dB order 0 is often not ML
    }

    [Fact]
    public void OrderTwoDecodesFramesBpFailsOn()
    {
        var code = IterativeHarness.Load("BCH_N63_K45");
        var bp = IterativeHarness.Measure(code, DecoderFactory.Create("bp", code, Options), 4.0, frameErrors: 0, maxFrames: 2000, seed: 7);
        var osd = IterativeHarness.Measure(code, DecoderFactory.Create("osd2", code, Options), 4.0, frameErrors: 0, maxFrames: 2000, seed: 7);
        Assert.True(bp.FrameErrors >= 10, IterativeHarness.Describe(bp));
        Assert.True(osd.FrameErrors * 2 < bp.FrameErrors, $"{IterativeHarness.Describe(osd)} vs {IterativeHarness.Describe(bp)}");
    }

    [Theory]
    [InlineData("BCH_N31_K16", 7, 7)]
    [InlineData("BCH_N63_K45", 7, 7)]
    [InlineData("BCH_N63_K36", 8, 11)]
    [InlineData("POLAR_N64_K32", 8, 8)]
    public void MinimumDistanceBoundIsAtMostTheTrueDistance(string codeName, int expectedBound, int trueDistance)
    {
        var bound = MinimumDistance.LowerBound(IterativeHarness.Load(codeName).H);
        Assert.Equal(expectedBound, bound);
        Assert.True(bound <= trueDistance);
    }

    [Fact]
    public void AsAHybridPostStageItReadsTheChannelLlrs()
    {
        var code = IterativeHarness.Load("BCH_N63_K45");
        using var hybrid = new HybridDecoder(null, DecoderFactory.Create("hard", code, Options), DecoderFactory.Create("osd2", code, Options));
        Assert.Equal("hard+osd2", hybrid.Name);
        Assert.Equal((null, "bp", "osd2"), DecoderFactory.HybridStages("bp+osd2"));
        // Four weak wrong bits: the hard decision fails its syndrome, OSD on the channel LLRs finds the codeword;
        // from the hard decision's +-1 LLRs alone it could not (four errors of equal weight are beyond its reach).
        var llrs = Enumerable.Repeat(3f, code.N).ToArray();
        foreach (var i in new[] { 2, 17, 33, 50 }) llrs[i] = -0.2f;
        var (bits, status) = Decode(hybrid, llrs);
        Assert.True(status[0].IsCodeword);
        Assert.All(bits, b => Assert.Equal(0, b));
    }

    [Fact]
    public void UnknownOrderIsRefused()
    {
        var code = IterativeHarness.Load("BCH_N31_K16");
        Assert.Throws<ArgumentOutOfRangeException>(() => new OsdDecoder(code, Options, 4));
        Assert.False(DecoderFactory.IsKnown("osd4"));
        Assert.True(DecoderFactory.IsKnown("bp+osd3"));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void SteadyStateDecodingAllocatesNothingPerFrame()
    {
        var code = IterativeHarness.Load("BCH_N63_K45");
        var decoder = DecoderFactory.Create("osd3", code, Options);
        var random = new Random(2);
        var codewords = IterativeHarness.RandomCodewords(code, 1000, random);
        var llrs = codewords.Select(b => (b == 0 ? 2f : -2f) + (float)(2.5 * (random.NextDouble() - 0.5))).ToArray();
        var bits = new byte[codewords.Length];
        var status = new DecodeStatus[1000];
        decoder.Decode(llrs, bits, status); // sizes the per-thread workspace
        var before = GC.GetAllocatedBytesForCurrentThread();
        decoder.Decode(llrs, bits, status);
        // A warm call may allocate a little once (tiering, the workspace bag), never per frame: 1000 frames stay under 16 KiB.
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024);
    }
}
