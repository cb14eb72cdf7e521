using Receiver.Codes;
using Receiver.Codes.Nr5g;
using Receiver.Decoders;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public sealed class QcLayeredMinSumDecoderTests(ITestOutputHelper output)
{
    private static readonly DecoderOptions Options = new() { Iterations = 20, Parallelism = 1 };

    /// <summary>Code, 512-bit vectors, int16 elements (null: the decoder's own choice).</summary>
    public static TheoryData<string, bool, bool?> Codes() => new()
    {
        { "qc-test:96", true, false }, { "qc-test:96", false, false }, { "qc-test:96", true, true }, { "qc-test:96", false, true },
        { "qc-test:40", true, false }, { "qc-test:40", false, false }, { "qc-test:40", true, true }, { "qc-test:40", false, true },
        { "nr:224,256", true, null }, { "nr:224,256", false, null }, { "nr:1000,1500", true, null }, { "nr:4000,4800", true, null },
        { "nr:1000,3000", true, null }, { "nr:1000,3000", false, null },
    };

    private static IBlockCode MakeCode(string name) => name switch
    {
        "qc-test:96" => new QcLayeredTestCode(z: 96, infoBlocks: 8, parityBlocks: 4, seed: 7),
        "qc-test:40" => new QcLayeredTestCode(z: 40, infoBlocks: 6, parityBlocks: 3, seed: 11),
        _ when name.StartsWith("nr:") => Nr5gLdpcCode.Create(int.Parse(name[3..].Split(',')[0]), int.Parse(name[3..].Split(',')[1])),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void NoiselessAllZeroCodeword_ConvergesWithZeroIterations(string name, bool wideLanes, bool? int16)
    {
        var code = MakeCode(name);
        var decoder = new QcLayeredMinSumDecoder(code, Options, wideLanes, int16);
        var llrs = Enumerable.Repeat(4f, 3 * code.N).ToArray();
        var bits = new byte[3 * code.H.Columns];
        var status = new DecodeStatus[3];

        decoder.Decode(llrs, bits, status);

        Assert.All(status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
        Assert.All(bits, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void NoiselessRandomCodeword_ConvergesWithZeroIterations(bool wideLanes, bool int16)
    {
        var code = MakeCode("qc-test:96");
        var frames = new QcLayeredFrames(code, frames: 4, ebN0Db: 100, seed: 3);
        var decoder = new QcLayeredMinSumDecoder(code, Options, wideLanes, int16);
        var bits = new byte[frames.Count * code.H.Columns];
        var status = new DecodeStatus[frames.Count];

        decoder.Decode(frames.Llrs, bits, status);

        Assert.All(status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
        Assert.Equal(frames.Transmitted, bits);
    }

    [Theory]
    [InlineData("nr:224,256")]
    [InlineData("nr:1000,1500")]
    [InlineData("nr:8448,9504")]
    public void NoiselessNrCodeword_RecoversPuncturedBits(string name)
    {
        var code = (Nr5gLdpcCode)MakeCode(name);
        var info = new byte[code.K];
        var random = new Random(5);
        for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
        var graph = new byte[code.H.Columns];
        code.EncodeGraph(info, graph);
        var sent = new byte[code.N];
        code.Encode(info, sent);
        var llrs = sent.Select(b => b == 0 ? 6f : -6f).ToArray();
        var bits = new byte[code.H.Columns];
        var status = new DecodeStatus[1];

        new QcLayeredMinSumDecoder(code, Options).Decode(llrs, bits, status);

        Assert.Equal(DecodeOutcome.Converged, status[0].Outcome);
        Assert.InRange(status[0].Iterations, 1, Options.Iterations);
        Assert.Equal(graph, bits);
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void AwgnFrames_DecodeToTransmittedCodewordsSatisfyingH(string name, bool wideLanes, bool? int16)
    {
        var code = MakeCode(name);
        // Short codes need more SNR for a near-zero FER.
        var ebN0Db = code.N < 500 ? 6.5 : (double)code.K / code.N < 0.5 ? 3.0 : 4.5;
        var frames = new QcLayeredFrames(code, frames: 40, ebN0Db, seed: 21);
        var decoder = new QcLayeredMinSumDecoder(code, Options, wideLanes, int16);
        var bits = new byte[frames.Count * code.H.Columns];
        var status = new DecodeStatus[frames.Count];

        decoder.Decode(frames.Llrs, bits, status);

        var sent = new byte[code.N];
        var errors = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            var frameBits = bits.AsSpan(f * code.H.Columns, code.H.Columns);
            Assert.Equal(status[f].Outcome == DecodeOutcome.Converged, code.H.IsCodeword(frameBits));
            Assert.Equal(code.H.SyndromeWeight(frameBits), status[f].UnsatisfiedChecks);
            code.GraphToTransmitted(frameBits, sent);
            if (!sent.AsSpan().SequenceEqual(frames.Transmitted.AsSpan(f * code.N, code.N))) errors++;
        }
        output.WriteLine($"{name} wide={wideLanes} int16={int16}: {errors}/{frames.Count} frame errors at {ebN0Db} dB");
        Assert.True(errors <= 1, $"{errors} frame errors out of {frames.Count}");
    }

    /// <summary>On the same frames, the int8 kernel's FER stays near the generic float layered decoder's.</summary>
    [Theory]
    [InlineData("qc-test:96", 3.0, 300)]
    [InlineData("nr:1000,1500", 1.75, 400)]
    [InlineData("nr:4000,4800", 2.75, 200)]
    [InlineData("nr:8448,9504", 4.25, 200)]
    [InlineData("nr:1000,3000", 1.0, 400)]
    public void FrameErrorRate_TracksFloatReference(string name, double ebN0Db, int frameCount)
    {
        var code = MakeCode(name);
        var iterations = code.K == 8448 ? 5 : Options.Iterations;
        var options = Options with { Iterations = iterations };
        var frames = new QcLayeredFrames(code, frameCount, ebN0Db, seed: 99);
        var bits = new byte[frames.Count * code.H.Columns];
        new QcLayeredMinSumDecoder(code, options with { Parallelism = 0 }).Decode(frames.Llrs, bits, new DecodeStatus[frames.Count]);

        var referenceBits = new byte[bits.Length];
        new LayeredMinSumDecoder(code, options with { Parallelism = 0 }).Decode(frames.Llrs, referenceBits, new DecodeStatus[frames.Count]);

        var sent = new byte[code.N];
        int fixedPointErrors = 0, floatErrors = 0;
        for (var f = 0; f < frames.Count; f++)
        {
            var truth = frames.Transmitted.AsSpan(f * code.N, code.N);
            code.GraphToTransmitted(bits.AsSpan(f * code.H.Columns, code.H.Columns), sent);
            if (!sent.AsSpan().SequenceEqual(truth)) fixedPointErrors++;
            code.GraphToTransmitted(referenceBits.AsSpan(f * code.H.Columns, code.H.Columns), sent);
            if (!sent.AsSpan().SequenceEqual(truth)) floatErrors++;
        }
        output.WriteLine($"{name} at {ebN0Db} dB, {iterations} it: fixed point {fixedPointErrors}/{frames.Count}, float {floatErrors}/{frames.Count} frame errors");
        Assert.InRange(floatErrors, 1, frames.Count - 1);
        Assert.True(fixedPointErrors <= floatErrors * 1.3 + 5, $"fixed point {fixedPointErrors} vs float {floatErrors} frame errors");
    }

    [Fact]
    public void ParallelAndSingleThreadDecodesAgree()
    {
        var code = MakeCode("nr:1000,1500");
        var frames = new QcLayeredFrames(code, frames: 24, ebN0Db: 2.5, seed: 5);
        var single = new byte[frames.Count * code.H.Columns];
        var parallel = new byte[single.Length];
        var singleStatus = new DecodeStatus[frames.Count];
        var parallelStatus = new DecodeStatus[frames.Count];

        new QcLayeredMinSumDecoder(code, Options).Decode(frames.Llrs, single, singleStatus);
        new QcLayeredMinSumDecoder(code, Options with { Parallelism = 4 }).Decode(frames.Llrs, parallel, parallelStatus);

        Assert.Equal(single, parallel);
        Assert.Equal(singleStatus, parallelStatus);
    }

    /// <summary>Iterating on after convergence must keep the codeword (clipped int8 posteriors used to drift here).</summary>
    [Theory]
    [InlineData("nr:8448,9504", 8.0)]
    [InlineData("nr:1000,1500", 8.0)]
    [InlineData("nr:1000,3000", 6.0)]
    public void WithoutEarlyStop_ManyIterationsKeepDecodedCodewords(string name, double ebN0Db)
    {
        var code = MakeCode(name);
        var frames = new QcLayeredFrames(code, frames: 8, ebN0Db, seed: 17);
        var decoder = new QcLayeredMinSumDecoder(code, Options with { Iterations = 30, EarlyStop = false });
        var bits = new byte[frames.Count * code.H.Columns];
        var status = new DecodeStatus[frames.Count];

        decoder.Decode(frames.Llrs, bits, status);

        Assert.Equal(16, decoder.FixedPointBits);
        Assert.All(status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 30, 0), s));
        var sent = new byte[code.N];
        for (var f = 0; f < frames.Count; f++)
        {
            code.GraphToTransmitted(bits.AsSpan(f * code.H.Columns, code.H.Columns), sent);
            Assert.Equal(frames.Transmitted.AsSpan(f * code.N, code.N).ToArray(), sent);
        }
    }

    [Fact]
    public void PicksInt8OnlyWithEarlyStopOnHighRateCodes()
    {
        Assert.Equal(8, new QcLayeredMinSumDecoder(MakeCode("nr:8448,9504"), Options).FixedPointBits);
        Assert.Equal(16, new QcLayeredMinSumDecoder(MakeCode("nr:8448,9504"), Options with { EarlyStop = false }).FixedPointBits);
        Assert.Equal(16, new QcLayeredMinSumDecoder(MakeCode("nr:1000,3000"), Options).FixedPointBits);
    }

    [Fact]
    public void WithoutEarlyStop_RunsEveryIteration()
    {
        var code = MakeCode("nr:224,256");
        var frames = new QcLayeredFrames(code, frames: 4, ebN0Db: 6, seed: 8);
        var decoder = new QcLayeredMinSumDecoder(code, Options with { Iterations = 5, EarlyStop = false });
        var bits = new byte[frames.Count * code.H.Columns];
        var status = new DecodeStatus[frames.Count];

        decoder.Decode(frames.Llrs, bits, status);

        Assert.All(status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 5, 0), s));
    }

    [Theory]
    [InlineData(1e6f)]
    [InlineData(3e38f)]
    public void OneHugeFiniteLlrDoesNotSetTheQuantisationScale(float outlier)
    {
        var code = MakeCode("nr:224,256");
        var frames = new QcLayeredFrames(code, frames: 8, ebN0Db: 6, seed: 21);
        var decoder = new QcLayeredMinSumDecoder(code, Options);
        var clean = Decode(decoder, frames.Llrs, frames.Count, code);
        for (var f = 0; f < frames.Count; f++)
        {
            var i = f * code.N + 17 * f % code.N;
            frames.Llrs[i] = frames.Transmitted[i] == 0 ? outlier : -outlier;
        }
        var withOutlier = Decode(decoder, frames.Llrs, frames.Count, code);
        Assert.All(clean.Status, s => Assert.Equal(DecodeOutcome.Converged, s.Outcome));
        Assert.All(withOutlier.Status, s => Assert.Equal(DecodeOutcome.Converged, s.Outcome));
        Assert.Equal(clean.Bits, withOutlier.Bits);
    }

    private static (byte[] Bits, DecodeStatus[] Status) Decode(QcLayeredMinSumDecoder decoder, float[] llrs, int count, IBlockCode code)
    {
        var bits = new byte[count * code.H.Columns];
        var status = new DecodeStatus[count];
        decoder.Decode(llrs, bits, status);
        return (bits, status);
    }

    [Fact]
    public void RejectsCodesWithoutQuasiCyclicLayoutAndBadOptions()
    {
        var code = MakeCode("qc-test:40");
        Assert.Throws<ArgumentException>(() => new QcLayeredMinSumDecoder(new WithoutLayout(code), Options));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QcLayeredMinSumDecoder(code, Options with { Iterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new QcLayeredMinSumDecoder(code, Options with { Normalization = 1.5f }));
        Assert.Equal("layered-nms", new QcLayeredMinSumDecoder(code, Options).Name);
    }

    private sealed class WithoutLayout(IBlockCode inner) : IBlockCode
    {
        public string Name => inner.Name;
        public int N => inner.N;
        public int K => inner.K;
        public ParityCheckMatrix H => inner.H;
        public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted) => inner.Encode(info, transmitted);
        public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => inner.ToGraphLlr(channelLlr, graphLlr);
        public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => inner.GraphToTransmitted(graphBits, transmitted);
        public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => inner.GraphToInfo(graphBits, info);
    }

    private sealed class FixedCheck(int bits, bool verdict) : IHardDecisionCheck
    {
        public int Bits => bits;
        public int Calls;

        public bool Accepts(ReadOnlySpan<byte> hardDecision)
        {
            Assert.Equal(bits, hardDecision.Length);
            Interlocked.Increment(ref Calls);
            return verdict;
        }
    }

    [Fact]
    public void PassingOuterCheck_StopsBeforeTheSyndromeIsZero()
    {
        var code = MakeCode("nr:1000,1500");
        var frames = new QcLayeredFrames(code, frames: 4, ebN0Db: 1.5, seed: 5);
        var check = new FixedCheck(code.K, verdict: true);
        var decoder = new QcLayeredMinSumDecoder(code, Options) { HardDecisionCheck = check, HardDecisionCheckLimit = int.MaxValue };
        var bits = new byte[frames.Count * code.H.Columns];
        var status = new DecodeStatus[frames.Count];

        decoder.Decode(frames.Llrs, bits, status);

        // Noisy channel LLRs never satisfy every check, so the accepting check ends each frame before iteration 1.
        Assert.All(status, s => Assert.Equal(DecodeOutcome.CheckPassed, s.Outcome));
        Assert.All(status, s => Assert.Equal(0, s.Iterations));
        Assert.All(status, s => Assert.False(s.IsCodeword));
        Assert.Equal(frames.Count, check.Calls);
    }

    [Fact]
    public void FailingOuterCheck_LeavesTheDecodingAsWithout()
    {
        var code = MakeCode("nr:1000,1500");
        var frames = new QcLayeredFrames(code, frames: 8, ebN0Db: 2.0, seed: 9);
        var check = new FixedCheck(code.K, verdict: false);
        var plain = new QcLayeredMinSumDecoder(code, Options);
        var checkedDecoder = new QcLayeredMinSumDecoder(code, Options) { HardDecisionCheck = check, HardDecisionCheckLimit = int.MaxValue };
        var expectedBits = new byte[frames.Count * code.H.Columns];
        var expectedStatus = new DecodeStatus[frames.Count];
        var bits = new byte[expectedBits.Length];
        var status = new DecodeStatus[frames.Count];

        plain.Decode(frames.Llrs, expectedBits, expectedStatus);
        checkedDecoder.Decode(frames.Llrs, bits, status);

        Assert.Equal(expectedBits, bits);
        Assert.Equal(expectedStatus, status);
        Assert.True(check.Calls > 0);
    }

    [Fact]
    public void OuterCheckReadingMoreThanTheOutput_IsRefused()
    {
        var code = MakeCode("nr:224,256");
        var decoder = new QcLayeredMinSumDecoder(code, Options);
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.HardDecisionCheck = new FixedCheck(decoder.OutputLength + 1, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.HardDecisionCheckLimit = -1);
    }
}
