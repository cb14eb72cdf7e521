using Receiver.Codes;
using Receiver.Decoders.Polar;

namespace Receiver.Decoders.Tests;

public class SclTests
{
    private static readonly DecoderOptions Options = new() { Parallelism = 1 };

    [Theory]
    [InlineData("POLAR_N64_K32")]
    [InlineData("POLAR_N64_K48")]
    [InlineData("POLAR_N128_K64")]
    [InlineData("POLAR_N128_K86")]
    [InlineData("POLAR_N128_K96")]
    [InlineData("POLAR_N512_K384")]
    public void FrozenSetOfEveryShippedPolarCodeIsRecoveredFromH(string codeName)
    {
        var code = IterativeHarness.Load(codeName);
        var structure = PolarStructure.TryRecover(code, out var reason);
        Assert.True(structure is not null, reason);
        var information = structure.InformationIndices.ToArray();
        Assert.Equal(code.K, information.Length);
        // The last index (the all-ones row, the best channel) always carries information, the first (weight 1) never does.
        Assert.Contains(code.N - 1, information);
        Assert.True(structure.Frozen[0]);
    }

    [Fact]
    public void NonPolarCodesAreRefusedWithAReason()
    {
        var bch = IterativeHarness.Load("BCH_N63_K45");
        var ldpc = IterativeHarness.Load("CCSDS_N128_K64");
        Assert.Null(PolarStructure.TryRecover(bch, out var why));
        Assert.Contains("power of two", why);
        Assert.Null(PolarStructure.TryRecover(ldpc, out why));
        Assert.Contains("not a polar code", why);
        Assert.Throws<ArgumentException>(() => DecoderFactory.Create("scl8", bch, Options));
    }

    [Theory]
    [InlineData("sc", 1)]
    [InlineData("scl1", 1)]
    [InlineData("scl8", 8)]
    [InlineData("scl32", 32)]
    public void NoiselessCodewordsComeBack(string name, int listSize)
    {
        var decoder = (SclDecoder)DecoderFactory.Create(name, IterativeHarness.Load("POLAR_N128_K64"), Options);
        Assert.Equal(listSize, decoder.ListSize);
        var result = IterativeHarness.DecodeNoiseless(decoder, 20, seed: 4);
        Assert.Equal(result.Codewords, result.Bits);
        Assert.All(result.Status, s => Assert.True(s.IsCodeword));
    }

    [Fact]
    public void ListDecodingBeatsScAndBp()
    {
        var code = IterativeHarness.Load("POLAR_N64_K32");
        var points = new[] { "sc", "scl8", "bp" }.Select(name =>
            IterativeHarness.Measure(code, DecoderFactory.Create(name, code, Options), 3.0, frameErrors: 0, maxFrames: 1500, seed: 9)).ToArray();
        var (sc, scl, bp) = (points[0], points[1], points[2]);
        Assert.True(sc.FrameErrors >= 20, IterativeHarness.Describe(sc));
        Assert.True(scl.FrameErrors < sc.FrameErrors, $"{IterativeHarness.Describe(scl)} vs {IterativeHarness.Describe(sc)}");
        Assert.True(scl.FrameErrors < bp.FrameErrors, $"{IterativeHarness.Describe(scl)} vs {IterativeHarness.Describe(bp)}");
    }

    [Fact]
    public void ListSizesOutsideTheRangeAreUnknown()
    {
        Assert.True(DecoderFactory.IsKnown("scl16"));
        Assert.True(DecoderFactory.IsKnown("bp+scl4"));
        Assert.False(DecoderFactory.IsKnown("scl0"));
        Assert.False(DecoderFactory.IsKnown("scl33"));
        Assert.False(DecoderFactory.IsKnown("scl"));
        Assert.Equal(0, DecoderFactory.SclListSize("scl+8"));
    }

    [Fact]
    public void SteadyStateDecodingAllocatesNothingPerFrame()
    {
        var code = IterativeHarness.Load("POLAR_N64_K32");
        var decoder = DecoderFactory.Create("scl32", code, Options);
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
