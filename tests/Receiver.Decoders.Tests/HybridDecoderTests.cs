using Receiver.Codes;

namespace Receiver.Decoders.Tests;

public class HybridDecoderTests
{
    private static readonly IBlockCode Code = BchHarness.Load("BCH_N31_K16"); // t = 3
    private static readonly DecoderOptions Options = new();

    /// <summary>All-zero codeword LLRs (+4) with the listed positions flipped (-4).</summary>
    private static float[] Frame(params int[] errors)
    {
        var llrs = Enumerable.Repeat(4f, Code.N).ToArray();
        foreach (var position in errors) llrs[position] = -4f;
        return llrs;
    }

    private static (byte[] Bits, DecodeStatus[] Status) Decode(IBatchDecoder decoder, params float[][] frames)
    {
        var bits = new byte[frames.Length * decoder.OutputLength];
        var status = new DecodeStatus[frames.Length];
        decoder.Decode(frames.SelectMany(f => f).ToArray(), bits, status);
        return (bits, status);
    }

    [Fact]
    public void PreDecodedFramesSkipTheMainDecoder()
    {
        var main = new ScriptedDecoder(Code, keepErrors: 0);
        var hybrid = new HybridDecoder(DecoderFactory.Create("bm", Code, Options), main, null);
        var (bits, status) = Decode(hybrid, Frame(1, 2), Frame(0, 5, 9, 13, 20), Frame());
        Assert.Equal(1, main.FramesSeen); // only the 5-error frame is beyond t = 3
        Assert.All(status, s => Assert.True(s.IsCodeword));
        Assert.All(bits, b => Assert.Equal(0, b));
    }

    [Fact]
    public void PostDecoderCorrectsWhatTheMainDecoderLeavesWithinItsRadius()
    {
        var main = new ScriptedDecoder(Code, keepErrors: 2);
        var hybrid = new HybridDecoder(null, main, DecoderFactory.Create("bm", Code, Options));
        var (bits, status) = Decode(hybrid, Frame(0, 5, 9, 13, 20, 27));
        Assert.True(status[0].IsCodeword);
        Assert.All(bits, b => Assert.Equal(0, b));
    }

    [Fact]
    public void FailedPostDecodingKeepsTheMainOutputAndDeclaresFailure()
    {
        var main = new ScriptedDecoder(Code, keepErrors: 2);
        var hybrid = new HybridDecoder(null, main, new ScriptedDecoder(Code, keepErrors: 0, fail: true));
        var (bits, status) = Decode(hybrid, Frame(0, 5, 9, 13, 20, 27));
        Assert.False(status[0].IsCodeword);
        Assert.Equal(2, bits.Count(b => b == 1)); // main's output: the first two errors left
        Assert.Equal(1, bits[0]);
        Assert.Equal(1, bits[5]);
    }

    [Theory]
    [InlineData("bm+ecct+bm", "bm", "ecct", "bm")]
    [InlineData("bm+ecct", "bm", "ecct", null)]
    [InlineData("ecct+bm", null, "ecct", "bm")]
    [InlineData("bp+bm", null, "bp", "bm")]
    public void HybridNamesGiveTheirStages(string name, string? pre, string main, string? post)
    {
        Assert.Equal((pre, main, post), DecoderFactory.HybridStages(name));
        Assert.True(DecoderFactory.IsKnown(name));
        Assert.Equal(name.Contains("ecct"), DecoderFactory.NeedsModel(name));
    }

    [Fact]
    public void ClassicalHybridRunsFromItsNameAndUnknownStagesAreRefused()
    {
        using var hybrid = (HybridDecoder)DecoderFactory.Create("bm+bp+bm", Code, Options);
        Assert.Equal("bm+bp+bm", hybrid.Name);
        var (_, status) = Decode(hybrid, Frame(3), Frame(0, 5, 9, 13));
        Assert.True(status[0].IsCodeword);
        Assert.False(DecoderFactory.IsKnown("bm+nope"));
        Assert.False(DecoderFactory.IsKnown("bm+bp+bm+bp"));
        Assert.Throws<ArgumentException>(() => DecoderFactory.Create("bm+nope", Code, Options));
    }

    /// <summary>A stand-in main/post stage for an all-zero codeword: leaves the first <c>keepErrors</c> errors of its input.</summary>
    private sealed class ScriptedDecoder(IBlockCode code, int keepErrors, bool fail = false) : IBatchDecoder
    {
        public int FramesSeen { get; private set; }
        public string Name => "scripted";
        public IBlockCode Code { get; } = code;
        public int InputLength => Code.N;
        public int OutputLength => Code.N;

        public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
        {
            for (var f = 0; f < status.Length; f++)
            {
                FramesSeen++;
                var kept = 0;
                for (var i = 0; i < Code.N; i++)
                {
                    var error = llrs[f * Code.N + i] < 0 && kept < keepErrors;
                    if (error) kept++;
                    bits[f * Code.N + i] = error ? (byte)1 : (byte)0;
                }
                var unsatisfied = Code.H.SyndromeWeight(bits.Slice(f * Code.N, Code.N));
                status[f] = new DecodeStatus(fail ? DecodeOutcome.Failure : unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, 1, unsatisfied);
            }
        }
    }
}
