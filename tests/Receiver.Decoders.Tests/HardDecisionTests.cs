using Receiver.Codes;

namespace Receiver.Decoders.Tests;

public class HardDecisionTests
{
    [Fact]
    public void NoiselessCodewordConvergesAndOneFlipDoesNot()
    {
        var code = BchHarness.Load("BCH_N63_K36");
        var info = new byte[code.K];
        var random = new Random(3);
        for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
        var codeword = new byte[code.N];
        code.Encode(info, codeword);

        const int flipped = 40;
        var llrs = new float[2 * code.N];
        for (var i = 0; i < code.N; i++) llrs[i] = llrs[code.N + i] = codeword[i] == 0 ? 2.5f : -2.5f;
        llrs[code.N + flipped] = -llrs[code.N + flipped];

        var decoder = new HardDecisionDecoder(code, new DecoderOptions());
        Assert.Equal("hard", decoder.Name);
        var bits = new byte[2 * code.N];
        var status = new DecodeStatus[2];
        decoder.Decode(llrs, bits, status);

        Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), status[0]);
        Assert.Equal(codeword, bits[..code.N]);
        Assert.Equal(new DecodeStatus(DecodeOutcome.NotConverged, 0, code.H.ColumnWeight(flipped)), status[1]);
        codeword[flipped] ^= 1;
        Assert.Equal(codeword, bits[code.N..]);
    }

    [Fact]
    public void MapsChannelLlrsOntoTheGraph()
    {
        // A punctured last column: the graph gets LLR 0 there, decided as bit 0.
        var code = new PuncturedLastBitCode(BchHarness.Load("BCH_N63_K45"));
        var decoder = new HardDecisionDecoder(code, new DecoderOptions { Parallelism = 1 });
        Assert.Equal(62, decoder.InputLength);
        Assert.Equal(63, decoder.OutputLength);
        var llrs = Enumerable.Repeat(-1f, 62).ToArray();
        var bits = new byte[63];
        var status = new DecodeStatus[1];
        decoder.Decode(llrs, bits, status);
        Assert.Equal(0, bits[62]);
        Assert.All(bits[..62], b => Assert.Equal(1, b));
        Assert.Equal(code.H.SyndromeWeight(bits), status[0].UnsatisfiedChecks);
        Assert.Equal(status[0].UnsatisfiedChecks == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, status[0].Outcome);
    }

    private sealed class PuncturedLastBitCode(IBlockCode inner) : IBlockCode
    {
        public string Name => inner.Name + "-punctured";
        public int N => inner.N - 1;
        public int K => inner.K;
        public ParityCheckMatrix H => inner.H;
        public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted) => throw new NotSupportedException();
        public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr)
        {
            channelLlr.CopyTo(graphLlr);
            graphLlr[N] = 0;
        }
        public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => graphBits[..N].CopyTo(transmitted);
        public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => throw new NotSupportedException();
    }
}
