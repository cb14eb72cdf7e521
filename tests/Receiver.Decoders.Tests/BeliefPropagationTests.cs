using System.Runtime.CompilerServices;
using Receiver.Codes;
using Receiver.Codes.Channel;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public class BeliefPropagationTests(ITestOutputHelper output)
{
    [Fact]
    public void NoiselessCodewordConvergesWithoutIterating()
    {
        var code = IterativeHarness.Load("LDPC_N49_K24");
        var result = IterativeHarness.DecodeNoiseless(new BeliefPropagationDecoder(code, new DecoderOptions()), frames: 5, seed: 1);
        Assert.All(result.Status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
        Assert.Equal(result.Codewords, result.Bits);
    }

    [Fact]
    public void CorrectsAFewFlippedStrongBits()
    {
        var code = IterativeHarness.Load("LDPC_N121_K70");
        IterativeHarness.AssertCorrectsFlips(new BeliefPropagationDecoder(code, new DecoderOptions { Iterations = 20 }), flips: 2, seed: 2);
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
        output.WriteLine($"{codeName} bp-{iterations} {ebN0Db} dB: {point} (reference {referenceNegLnBer})");
        Assert.InRange(point.NegLnBer, referenceNegLnBer - 0.3, referenceNegLnBer + 0.3);
    }
}

/// <summary>Monte-Carlo BER point: frames sent, bit and frame errors over all n codeword bits.</summary>
internal readonly record struct BerPoint(long Frames, long BitErrors, long FrameErrors, int N)
{
    public double Ber => (double)BitErrors / (Frames * N);
    public double NegLnBer => -Math.Log(Ber);
    public override string ToString() => $"frames={Frames} frameErrors={FrameErrors} bitErrors={BitErrors} -lnBER={NegLnBer:F3}";
}

internal sealed record NoiselessResult(byte[] Codewords, byte[] Bits, DecodeStatus[] Status);

/// <summary>
/// Test-local code and Monte-Carlo loop: the bundled alist matrices as plain codes (graph = n
/// transmitted bits, encoder from the reduced row echelon form of H), random codewords, BPSK over AWGN.
/// </summary>
internal static class IterativeHarness
{
    public static AlistTestCode Load(string name) => AlistTestCode.Load(name);

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

    /// <summary>Random codewords over BPSK/AWGN until <paramref name="frameErrors"/> frame errors or <paramref name="maxFrames"/> frames.</summary>
    public static BerPoint Measure(IBlockCode code, IBatchDecoder? decoder, double ebN0Db, int frameErrors, long maxFrames, ulong seed, int batch = 4096)
    {
        var n = code.N;
        var sigma = EbN0.NoiseSigma(ebN0Db, (double)code.K / n);
        var channel = new AwgnChannel(seed);
        var random = new Random((int)seed);
        var llrs = new float[batch * n];
        var bits = new byte[batch * n];
        var status = new DecodeStatus[batch];
        long frames = 0, bitErrors = 0, frameErrorCount = 0;
        while (frameErrorCount < frameErrors && frames < maxFrames)
        {
            var codewords = RandomCodewords(code, batch, random);
            channel.Transmit(codewords, sigma, llrs);
            if (decoder is null)
                for (var i = 0; i < llrs.Length; i++) bits[i] = llrs[i] < 0 ? (byte)1 : (byte)0;
            else
                decoder.Decode(llrs, bits, status);
            for (var f = 0; f < batch; f++)
            {
                var errors = 0;
                for (var i = 0; i < n; i++) errors += bits[f * n + i] ^ codewords[f * n + i];
                bitErrors += errors;
                frameErrorCount += errors > 0 ? 1 : 0;
            }
            frames += batch;
        }
        return new BerPoint(frames, bitErrors, frameErrorCount, n);
    }
}

/// <summary>A bundled alist code as a plain IBlockCode: graph columns are the n transmitted bits, info bits sit at the non-pivot columns.</summary>
internal sealed class AlistTestCode : IBlockCode
{
    private readonly RowEchelonForm _echelon;
    private readonly int[] _infoColumns;

    private AlistTestCode(string name, ParityCheckMatrix h)
    {
        Name = name;
        H = h;
        N = h.Columns;
        _echelon = Gf2.ReducedRowEchelon(h.ToBitMatrix());
        _infoColumns = Gf2.NonPivotColumns(N, _echelon.PivotColumns);
        K = _infoColumns.Length;
    }

    public string Name { get; }
    public int N { get; }
    public int K { get; }
    public ParityCheckMatrix H { get; }

    public static AlistTestCode Load(string name, [CallerFilePath] string here = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "codes", name + ".alist");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        var header = Parse(lines[0]);
        int n = header[0], m = header[1];
        var rows = Enumerable.Range(0, m)
            .Select(r => (IEnumerable<int>)Parse(lines[4 + n + r]).Where(c => c > 0).Select(c => c - 1).ToArray())
            .ToList();
        var code = new AlistTestCode(name, ParityCheckMatrix.FromRowSupports(m, n, rows));
        var nominalK = int.Parse(name[(name.LastIndexOf('K') + 1)..]);
        if (code.K != nominalK) throw new InvalidDataException($"{name}: dimension {code.K}, expected {nominalK}");
        return code;
    }

    private static int[] Parse(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted)
    {
        transmitted.Clear();
        for (var i = 0; i < _infoColumns.Length; i++) transmitted[_infoColumns[i]] = info[i];
        // Row i of the RREF: pivot bit = sum of the row's other (information) bits.
        var pivots = _echelon.PivotColumns;
        for (var row = 0; row < pivots.Length; row++)
        {
            var parity = 0;
            foreach (var c in _infoColumns)
                if (_echelon.Matrix[row, c]) parity ^= transmitted[c];
            transmitted[pivots[row]] = (byte)parity;
        }
    }

    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => channelLlr.CopyTo(graphLlr);
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => graphBits[..N].CopyTo(transmitted);

    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info)
    {
        for (var i = 0; i < _infoColumns.Length; i++) info[i] = graphBits[_infoColumns[i]];
    }
}
