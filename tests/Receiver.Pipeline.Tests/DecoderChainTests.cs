using Receiver.Codes;
using Receiver.Decoders;

namespace Receiver.Pipeline.Tests;

public class DecoderChainTests
{
    private static readonly IBlockCode Code = TestCodes.Hamming74;

    /// <summary>Frames alternate: even ones are clean codewords, odd ones have one bit weakly flipped (not a codeword).</summary>
    private static (float[] Llrs, byte[][] Words) Batch(int frames, int seed)
    {
        var random = new Random(seed);
        var llrs = new float[frames * Code.N];
        var words = new byte[frames][];
        for (var f = 0; f < frames; f++)
        {
            words[f] = TestCodes.Encode(Code, TestCodes.RandomInfo(Code, random));
            var frameLlrs = TestCodes.Llrs(words[f]);
            if (f % 2 == 1)
            {
                var flipped = random.Next(Code.N);
                frameLlrs[flipped] = -0.5f * frameLlrs[flipped] / 4f;
            }
            frameLlrs.CopyTo(llrs, f * Code.N);
        }
        return (llrs, words);
    }

    private static IBatchDecoder Create(string name) => DecoderFactory.Create(name, Code, new DecoderOptions { Parallelism = 1 });

    [Fact]
    public void SyndromeCheckSkipsDecodingOfFramesThatAreAlreadyCodewords()
    {
        const int frames = 10;
        var (llrs, words) = Batch(frames, seed: 1);
        var main = new CountingDecoder(Create("bp"));
        var chain = new DecoderChain(Code, main, fallback: null, syndromeCheck: true, maxBatch: frames);
        var bits = new byte[frames * Code.N];
        var status = new DecodeStatus[frames];
        var stage = new DecodeStage[frames];

        chain.Process(llrs, bits, status, stage);

        Assert.Equal(frames / 2, main.Frames);
        for (var f = 0; f < frames; f++)
        {
            Assert.Equal(f % 2 == 0 ? DecodeStage.SyndromeCheck : DecodeStage.Main, stage[f]);
            Assert.True(status[f].IsCodeword);
            Assert.Equal(words[f], bits.AsSpan(f * Code.N, Code.N).ToArray());
        }
    }

    [Fact]
    public void SyndromeCheckFillsPuncturedNrBitsAndRecognisesCleanCodewords()
    {
        var code = Receiver.Codes.Nr5g.Nr5gLdpcCode.Create(224, 256);
        const int frames = 6;
        var random = new Random(9);
        var llrs = new float[frames * code.N];
        var graphWords = new byte[frames][];
        for (var f = 0; f < frames; f++)
        {
            var info = TestCodes.RandomInfo(code, random);
            graphWords[f] = new byte[code.H.Columns];
            code.EncodeGraph(info, graphWords[f]);
            var frameLlrs = TestCodes.Llrs(TestCodes.Encode(code, info));
            if (f == 4) frameLlrs[17] = -frameLlrs[17] / 8; // one weak error: not a codeword
            frameLlrs.CopyTo(llrs, f * code.N);
        }
        var main = new CountingDecoder(DecoderFactory.Create("layered-nms", code, new DecoderOptions { Parallelism = 1 }));
        var chain = new DecoderChain(code, main, null, syndromeCheck: true, maxBatch: frames);
        Assert.True(chain.SyndromeCheckApplies);
        var bits = new byte[frames * code.H.Columns];
        var status = new DecodeStatus[frames];
        var stage = new DecodeStage[frames];

        chain.Process(llrs, bits, status, stage);

        Assert.Equal(1, main.Frames);
        for (var f = 0; f < frames; f++)
        {
            Assert.Equal(f == 4 ? DecodeStage.Main : DecodeStage.SyndromeCheck, stage[f]);
            Assert.True(status[f].IsCodeword);
            Assert.Equal(graphWords[f], bits.AsSpan(f * code.H.Columns, code.H.Columns).ToArray());
        }
    }

    [Fact]
    public void WithoutSyndromeCheckTheMainDecoderSeesEveryFrame()
    {
        var (llrs, _) = Batch(6, seed: 2);
        var main = new CountingDecoder(Create("hard"));
        var chain = new DecoderChain(Code, main, null, syndromeCheck: false, maxBatch: 8);
        chain.Process(llrs, new byte[6 * Code.N], new DecodeStatus[6], new DecodeStage[6]);
        Assert.Equal(6, main.Frames);
        Assert.Equal(1, main.Calls);
    }

    [Fact]
    public void FallbackRunsOnlyOnFramesTheMainDecoderLeftInvalid()
    {
        const int frames = 12;
        var (llrs, words) = Batch(frames, seed: 3);
        var main = new CountingDecoder(Create("hard"));      // cannot fix the flipped bit
        var fallback = new CountingDecoder(Create("bp"));    // can
        var chain = new DecoderChain(Code, main, fallback, syndromeCheck: false, maxBatch: frames);
        var bits = new byte[frames * Code.N];
        var status = new DecodeStatus[frames];
        var stage = new DecodeStage[frames];

        chain.Process(llrs, bits, status, stage);

        Assert.Equal(frames, main.Frames);
        Assert.Equal(frames / 2, fallback.Frames);
        for (var f = 0; f < frames; f++)
        {
            Assert.Equal(f % 2 == 0 ? DecodeStage.Main : DecodeStage.Fallback, stage[f]);
            Assert.True(status[f].IsCodeword);
            Assert.Equal(words[f], bits.AsSpan(f * Code.N, Code.N).ToArray());
        }
    }

    [Fact]
    public void OsdFallbackDecodesTheFramesTheMainDecoderLeftInvalid()
    {
        const int frames = 12;
        var (llrs, words) = Batch(frames, seed: 4);
        var chain = new DecoderChain(Code, new DecoderChainOptions { Decoder = "hard", Fallback = "osd1", SyndromeCheck = false }, frames);
        Assert.Equal("osd1", chain.Fallback!.Name);
        var bits = new byte[frames * Code.N];
        var status = new DecodeStatus[frames];
        var stage = new DecodeStage[frames];

        chain.Process(llrs, bits, status, stage);

        for (var f = 0; f < frames; f++)
        {
            Assert.Equal(f % 2 == 0 ? DecodeStage.Main : DecodeStage.Fallback, stage[f]);
            Assert.Equal(words[f], bits.AsSpan(f * Code.N, Code.N).ToArray());
        }
    }

    [Fact]
    public void ChainBuiltFromOptionsUsesTheNamedDecoders()
    {
        var chain = new DecoderChain(Code, new DecoderChainOptions { Decoder = "nms", Fallback = "bp", FallbackOptions = new DecoderOptions { Iterations = 100 } }, 4);
        Assert.Equal("nms", chain.Main.Name);
        Assert.Equal("bp", chain.Fallback!.Name);
        Assert.True(chain.SyndromeCheck);
        Assert.Null(new DecoderChain(Code, new DecoderChainOptions { Fallback = " " }, 4).Fallback);
    }

    [Fact]
    public void InvalidOptionsGiveClearErrors()
    {
        var errors = new DecoderChainOptions
        {
            Decoder = "turbo",
            Fallback = "magic",
            DecoderOptions = new DecoderOptions { Iterations = 0, Normalization = 2f },
        }.Validate();
        Assert.Contains(errors, e => e.Contains("Decoder 'turbo' is unknown") && e.Contains("layered-nms"));
        Assert.Contains(errors, e => e.Contains("Fallback 'magic' is unknown"));
        Assert.Contains(errors, e => e.Contains("Iterations"));
        Assert.Contains(errors, e => e.Contains("Normalization"));
        Assert.Empty(new DecoderChainOptions().Validate());

        var thrown = Assert.Throws<ArgumentException>(() => new DecoderChain(Code, new DecoderChainOptions { Decoder = "turbo" }, 4));
        Assert.Contains("HAMMING_N7_K4", thrown.Message);
        var notBch = Assert.Throws<ArgumentException>(() => new DecoderChain(CodeLibrary.Load("nr:224,256", null), new DecoderChainOptions { Decoder = "bm" }, 4));
        Assert.Contains("main decoder 'bm'", notBch.Message);
    }

    [Fact]
    public void HybridDecoderNamesBuildAChain()
    {
        var bch = CodeLibrary.Load("BCH_N31_K16", TestCodes.Directory);
        var options = new DecoderChainOptions { Decoder = "bm+bp+bm" };
        Assert.Empty(options.Validate());
        var chain = new DecoderChain(bch, options, 2);
        Assert.Equal("bm+bp+bm", chain.Main.Name);
        var llrs = Enumerable.Repeat(3f, 2 * bch.N).ToArray();
        llrs[4] = llrs[9] = llrs[bch.N + 1] = -3f; // two errors in frame 0, one in frame 1: within t = 3
        var bits = new byte[2 * bch.N];
        var status = new DecodeStatus[2];
        chain.Process(llrs, bits, status, new DecodeStage[2]);
        Assert.All(bits, b => Assert.Equal(0, b));
        Assert.All(status, s => Assert.True(s.IsCodeword));
    }

    [Fact]
    public void ProcessRejectsBatchesLargerThanItsBuffers()
    {
        var chain = new DecoderChain(Code, Create("hard"), null, true, maxBatch: 2);
        Assert.Throws<ArgumentException>(() => chain.Process(new float[3 * 7], new byte[3 * 7], new DecodeStatus[3], new DecodeStage[3]));
    }

    [Fact]
    public void ConcurrentProcessCallsGiveTheSameResultsAsOne()
    {
        const int frames = 16;
        var (llrs, words) = Batch(frames, seed: 4);
        var chain = new DecoderChain(Code, Create("hard"), Create("bp"), syndromeCheck: true, maxBatch: frames);
        Parallel.For(0, 8, _ =>
        {
            var bits = new byte[frames * Code.N];
            for (var round = 0; round < 50; round++)
            {
                chain.Process(llrs, bits, new DecodeStatus[frames], new DecodeStage[frames]);
                for (var f = 0; f < frames; f++) Assert.Equal(words[f], bits.AsSpan(f * Code.N, Code.N).ToArray());
            }
        });
    }

    [Fact]
    public void SteadyStateProcessAllocatesNothing()
    {
        const int frames = 16;
        var (llrs, _) = Batch(frames, seed: 10);
        var chain = new DecoderChain(Code, new ZeroDecoder(Code), new ZeroDecoder(Code), syndromeCheck: true, maxBatch: frames);
        var bits = new byte[frames * Code.N];
        var status = new DecodeStatus[frames];
        var stage = new DecodeStage[frames];
        chain.Process(llrs, bits, status, stage);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 100; round++) chain.Process(llrs, bits, status, stage);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Contains(DecodeStage.Fallback, stage); // every stage ran
        Assert.Contains(DecodeStage.SyndromeCheck, stage);
    }

    /// <summary>Outputs the all-zero word, flagged as not converged: allocation-free, and makes the fallback run.</summary>
    private sealed class ZeroDecoder(IBlockCode code) : IBatchDecoder
    {
        public string Name => "zero";
        public IBlockCode Code => code;
        public int InputLength => code.N;
        public int OutputLength => code.H.Columns;

        public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
        {
            bits.Clear();
            status.Fill(new DecodeStatus(DecodeOutcome.NotConverged, 1, 1));
        }
    }
}
