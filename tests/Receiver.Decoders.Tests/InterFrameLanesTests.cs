using System.Runtime.Intrinsics;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

/// <summary>The inter-frame lane kernels of layered-nms in int16/int8 against the float reference, and their lane streaming.</summary>
public class InterFrameLanesTests(ITestOutputHelper output)
{
    public static TheoryData<LaneElementType> FixedPointTypes => new() { LaneElementType.Int16, LaneElementType.Int8 };

    public static TheoryData<LaneElementType> AllTypes => new() { LaneElementType.Float, LaneElementType.Int16, LaneElementType.Int8 };

    private static (byte[] Codewords, float[] Llrs) NoisyFrames(IBlockCode code, int frames, double ebN0Db, int seed)
    {
        var codewords = IterativeHarness.RandomCodewords(code, frames, new Random(seed));
        var llrs = new float[codewords.Length];
        new AwgnChannel((ulong)seed).Transmit(codewords, EbN0.NoiseSigma(ebN0Db, (double)code.K / code.N), llrs);
        return (codewords, llrs);
    }

    private static int FrameErrors(IBatchDecoder decoder, byte[] codewords, float[] llrs, out DecodeStatus[] status)
    {
        var n = decoder.Code.N;
        var frames = codewords.Length / n;
        var bits = new byte[frames * decoder.OutputLength];
        status = new DecodeStatus[frames];
        decoder.Decode(llrs, bits, status);
        var errors = 0;
        for (var f = 0; f < frames; f++)
            if (!bits.AsSpan(f * n, n).SequenceEqual(codewords.AsSpan(f * n, n))) errors++;
        return errors;
    }

    // Seeded batch at a FER near 0.1, so a few hundred errors: fixed point may not lose more than 10% plus noise.
    [Theory]
    [InlineData(LaneElementType.Int16, true)]
    [InlineData(LaneElementType.Int16, false)]
    [InlineData(LaneElementType.Int8, true)]
    [InlineData(LaneElementType.Int8, false)]
    public void FixedPointFerIsCloseToFloat(LaneElementType element, bool earlyStop)
    {
        foreach (var (name, ebN0) in new[] { ("LDPC_N121_K70", 3.0), ("wimax_576_0.5", 1.75) })
        {
            var code = IterativeHarness.Load(name);
            var (codewords, llrs) = NoisyFrames(code, frames: 3000, ebN0, seed: 31);
            var options = new DecoderOptions { Iterations = 20, EarlyStop = earlyStop, Parallelism = 1 };
            var reference = FrameErrors(new LayeredMinSumDecoder(code, options with { ElementType = LaneElementType.Float }), codewords, llrs, out _);
            var fixedPoint = FrameErrors(new LayeredMinSumDecoder(code, options with { ElementType = element }), codewords, llrs, out _);
            output.WriteLine($"{name} {ebN0} dB, early stop {earlyStop}: frame errors float {reference}, {element} {fixedPoint} of 3000");
            Assert.InRange(reference, 100, 1500);
            Assert.True(fixedPoint <= reference * 1.1 + 2 * Math.Sqrt(reference), $"{name}: {element} {fixedPoint} vs float {reference} frame errors");
        }
    }

    // One huge LLR per frame (right sign, as a saturated front end may give): a max-based scale would round every
    // other LLR to 0; the robust scale saturates that one LLR instead.
    [Theory]
    [MemberData(nameof(FixedPointTypes))]
    public void OneOutlierLlrDoesNotRuinTheFrame(LaneElementType element)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        var (codewords, llrs) = NoisyFrames(code, frames: 200, ebN0Db: 4.0, seed: 5);
        for (var f = 0; f < 200; f++)
        {
            var position = f * code.N + f % code.N;
            llrs[position] = codewords[position] == 0 ? 1e6f : -1e6f;
        }
        var options = new DecoderOptions { Iterations = 20, Parallelism = 1 };
        var reference = FrameErrors(new LayeredMinSumDecoder(code, options with { ElementType = LaneElementType.Float }), codewords, llrs, out _);
        var fixedPoint = FrameErrors(new LayeredMinSumDecoder(code, options with { ElementType = element }), codewords, llrs, out _);
        output.WriteLine($"frame errors with one outlier per frame: float {reference}, {element} {fixedPoint} of 200");
        Assert.InRange(reference, 0, 20);
        Assert.InRange(fixedPoint, 0, reference + 3);
    }

    // A lane freed by early stop takes the next frame; no frame may notice its neighbours.
    [Theory]
    [MemberData(nameof(AllTypes))]
    public void LanesWithEarlyStopGiveTheSameBitsAsOneFrameAtATime(LaneElementType element)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        var frames = 3 * 64 + 7;
        var (codewords, llrs) = NoisyFrames(code, frames, ebN0Db: 2.5, seed: 8);
        var decoder = new LayeredMinSumDecoder(code, new DecoderOptions { Iterations = 15, Parallelism = 1, ElementType = element });
        Assert.True(decoder.IsVectorized);
        var batchBits = new byte[frames * code.N];
        var batchStatus = new DecodeStatus[frames];
        decoder.Decode(llrs, batchBits, batchStatus);
        Assert.True(batchStatus.Select(s => s.Iterations).Distinct().Count() > 3, "lanes should stop at different iterations");
        Assert.Contains(batchStatus, s => s.Outcome == DecodeOutcome.NotConverged);
        var bits = new byte[code.N];
        var status = new DecodeStatus[1];
        for (var f = 0; f < frames; f++)
        {
            decoder.Decode(llrs.AsSpan(f * code.N, code.N), bits, status);
            Assert.Equal(status[0], batchStatus[f]);
            Assert.Equal(bits, batchBits.AsSpan(f * code.N, code.N).ToArray());
        }
        _ = codewords;
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void LaneCountFollowsTheElementType(LaneElementType element)
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var decoder = new LayeredMinSumDecoder(code, new DecoderOptions { ElementType = element });
        var bytes = Vector512.IsHardwareAccelerated ? 64 : 32;
        Assert.Equal(bytes / (element == LaneElementType.Float ? 4 : element == LaneElementType.Int16 ? 2 : 1), decoder.Lanes);
        Assert.Equal(element, decoder.ElementType);
    }

    [Fact]
    public void FactoryHonoursTheElementType()
    {
        var ldpc = IterativeHarness.Load("LDPC_N121_K70");
        var layered = Assert.IsType<LayeredMinSumDecoder>(DecoderFactory.Create("layered-nms", ldpc, new DecoderOptions { ElementType = LaneElementType.Int8 }));
        Assert.Equal(LaneElementType.Int8, layered.ElementType);
        Assert.Equal(LaneElementType.Float, Assert.IsType<LayeredMinSumDecoder>(DecoderFactory.Create("layered-nms", ldpc, new DecoderOptions())).ElementType);
        var nr = IterativeHarness.Load("nr:100,200");
        Assert.Equal(16, Assert.IsType<QcLayeredMinSumDecoder>(DecoderFactory.Create("layered-nms", nr, new DecoderOptions { ElementType = LaneElementType.Int16 })).FixedPointBits);
        Assert.IsType<LayeredMinSumDecoder>(DecoderFactory.Create("layered-nms", nr, new DecoderOptions { ElementType = LaneElementType.Float }));
        foreach (var name in new[] { "bp", "nms", "oms" })
            Assert.Contains("float only", Assert.Throws<ArgumentException>(() => DecoderFactory.Create(name, ldpc, new DecoderOptions { ElementType = LaneElementType.Int16 })).Message);
        Assert.Equal(LaneElementType.Int8, LaneElementTypes.Parse("INT8"));
        Assert.Contains("float, int16, int8", Assert.Throws<ArgumentException>(() => LaneElementTypes.Parse("int4")).Message);
    }

    [Theory]
    [MemberData(nameof(FixedPointTypes))]
    public void SteadyStateFixedPointDecodingAllocatesNothingPerFrame(LaneElementType element)
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        var decoder = new LayeredMinSumDecoder(code, new DecoderOptions { Parallelism = 1, ElementType = element });
        var (_, llrs) = NoisyFrames(code, frames: 1000, ebN0Db: 3.0, seed: 5);
        var bits = new byte[1000 * code.N];
        var status = new DecodeStatus[1000];
        for (var warmUp = 0; warmUp < 3; warmUp++) decoder.Decode(llrs, bits, status);
        var before = GC.GetAllocatedBytesForCurrentThread();
        decoder.Decode(llrs, bits, status);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16 * 1024);
    }
}
