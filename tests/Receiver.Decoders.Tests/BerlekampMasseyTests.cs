using System.Runtime.CompilerServices;
using Receiver.Codes;
using Receiver.Codes.Bch;
using Receiver.Codes.Channel;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public class BerlekampMasseyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("BCH_N31_K16.txt")]
    [InlineData("BCH_N63_K45.txt")]
    [InlineData("BCH_N63_K51.txt")]
    public void CorrectsEveryErrorPatternUpToT(string file)
    {
        var code = BchFileCode.Load(file);
        var patterns = new List<int[]>();
        for (var weight = 0; weight <= code.Bch.T; weight++) AddCombinations(code.N, weight, patterns);
        AssertAllCorrected(code, patterns, seed: 11);
    }

    [Fact]
    public void CorrectsRandomErrorPatternsUpToFiveForBch63_36()
    {
        var code = BchFileCode.Load("BCH_N63_K36.txt");
        Assert.Equal(5, code.Bch.T);
        var random = new Random(5);
        var patterns = new List<int[]>();
        for (var weight = 1; weight <= code.Bch.T; weight++)
            for (var p = 0; p < 20_000; p++) patterns.Add(RandomPattern(random, code.N, weight));
        AssertAllCorrected(code, patterns, seed: 12);
    }

    [Theory]
    [InlineData("BCH_N31_K16.txt")]
    [InlineData("BCH_N63_K36.txt")]
    [InlineData("BCH_N63_K45.txt")]
    [InlineData("BCH_N63_K51.txt")]
    public void BeyondTItFailsOrReturnsACodewordWithinT(string file)
    {
        var code = BchFileCode.Load(file);
        var random = new Random(17);
        var patterns = new List<int[]>();
        for (var p = 0; p < 20_000; p++) patterns.Add(RandomPattern(random, code.N, code.Bch.T + 1));
        for (var p = 0; p < 20_000; p++) patterns.Add(RandomPattern(random, code.N, random.Next(code.Bch.T + 2, code.N / 2)));

        var (codewords, llrs) = Transmit(code, patterns, seed: 13);
        var decoder = BerlekampMasseyDecoder.Create(code, new DecoderOptions { Parallelism = 2 });
        var bits = new byte[patterns.Count * code.N];
        var status = new DecodeStatus[patterns.Count];
        decoder.Decode(llrs, bits, status);

        var hardDecision = new byte[code.N];
        var failures = 0;
        for (var f = 0; f < patterns.Count; f++)
        {
            var output = bits.AsSpan(f * code.N, code.N);
            for (var i = 0; i < code.N; i++) hardDecision[i] = llrs[f * code.N + i] < 0 ? (byte)1 : (byte)0;
            if (status[f].Outcome == DecodeOutcome.Converged)
            {
                Assert.True(code.H.IsCodeword(output), $"frame {f}: Converged with a non-codeword");
                Assert.Equal(0, status[f].UnsatisfiedChecks);
                var flips = Distance(output, hardDecision);
                Assert.InRange(flips, 0, code.Bch.T); // 0 when the error pattern itself is a nonzero codeword
                Assert.Equal(flips, status[f].Iterations);
                Assert.False(output.SequenceEqual(codewords.AsSpan(f * code.N, code.N)), $"frame {f}: more than t errors cannot decode to the sent word");
            }
            else
            {
                Assert.Equal(DecodeOutcome.Failure, status[f].Outcome);
                Assert.True(output.SequenceEqual(hardDecision), $"frame {f}: a failure must return the hard decision");
                Assert.Equal(code.H.SyndromeWeight(hardDecision), status[f].UnsatisfiedChecks);
                Assert.True(status[f].UnsatisfiedChecks > 0);
                failures++;
            }
        }
        Assert.True(failures > 0);
    }

    [Fact]
    public void ZeroLlrDecidesBitZero()
    {
        var code = BchFileCode.Load("BCH_N63_K45.txt");
        var decoder = BerlekampMasseyDecoder.Create(code, new DecoderOptions());
        var llrs = new float[2 * code.N];
        llrs.AsSpan(code.N).Fill(-0f);
        var bits = new byte[2 * code.N];
        bits.AsSpan().Fill(1);
        var status = new DecodeStatus[2];
        decoder.Decode(llrs, bits, status);
        Assert.All(bits, b => Assert.Equal(0, b));
        Assert.All(status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 0, 0), s));
    }

    [Fact]
    public void RejectsCodesThatAreNotBch()
    {
        var ldpc = new BchFileCode("LDPC_N49_K24", TestCodeFiles.LoadAlist("LDPC_N49_K24.alist"), 24, bch: null);
        var error = Assert.Throws<ArgumentException>(() => BerlekampMasseyDecoder.Create(ldpc, new DecoderOptions()));
        Assert.Contains("is not a narrow-sense BCH code", error.Message);
    }

    /// <summary>
    /// A bounded-distance decoder fails exactly when the channel flips more than t bits:
    /// FER = 1 - sum_{i&lt;=t} C(n,i) p^i (1-p)^(n-i) with p = Q(sqrt(2 R Eb/N0)).
    /// </summary>
    [Theory]
    [InlineData(3.0)]
    [InlineData(4.0)]
    [InlineData(5.0)]
    public void FrameErrorRateOverAwgnMatchesTheBoundedDistanceFormula(double ebN0Db)
    {
        const int frames = 200_000;
        var code = BchFileCode.Load("BCH_N63_K45.txt");
        var rate = (double)code.K / code.N;
        var random = new Random(23 + (int)ebN0Db);
        var codewords = new byte[frames * code.N];
        var info = new byte[code.K];
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            code.Encode(info, codewords.AsSpan(f * code.N, code.N));
        }
        var llrs = new float[frames * code.N];
        new AwgnChannel(seed: 1000 + (ulong)(10 * ebN0Db)).Transmit(codewords, EbN0.NoiseSigma(ebN0Db, rate), llrs);

        var decoder = BerlekampMasseyDecoder.Create(code, new DecoderOptions { Parallelism = 2 });
        var bits = new byte[frames * code.N];
        decoder.Decode(llrs, bits, new DecodeStatus[frames]);
        var errors = 0;
        for (var f = 0; f < frames; f++)
            if (!bits.AsSpan(f * code.N, code.N).SequenceEqual(codewords.AsSpan(f * code.N, code.N))) errors++;

        var p = Q(Math.Sqrt(2 * rate * Math.Pow(10, ebN0Db / 10)));
        var expected = 1.0;
        for (var i = 0; i <= code.Bch.T; i++) expected -= Binomial(code.N, i) * Math.Pow(p, i) * Math.Pow(1 - p, code.N - i);
        var measured = (double)errors / frames;
        var tolerance = 5 * Math.Sqrt(expected * (1 - expected) / frames);
        var summary = $"Eb/N0 {ebN0Db} dB: FER {measured:E4} ({errors}/{frames}), formula {expected:E4} +- {tolerance:E2} (5 sigma)";
        output.WriteLine(summary);
        Assert.True(Math.Abs(measured - expected) <= tolerance, summary);
    }

    private static void AssertAllCorrected(BchFileCode code, List<int[]> patterns, int seed)
    {
        var (codewords, llrs) = Transmit(code, patterns, seed);
        var decoder = BerlekampMasseyDecoder.Create(code, new DecoderOptions { Parallelism = 2 });
        var bits = new byte[patterns.Count * code.N];
        var status = new DecodeStatus[patterns.Count];
        decoder.Decode(llrs, bits, status);
        for (var f = 0; f < patterns.Count; f++)
        {
            Assert.True(bits.AsSpan(f * code.N, code.N).SequenceEqual(codewords.AsSpan(f * code.N, code.N)),
                $"pattern [{string.Join(",", patterns[f])}] not corrected");
            Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, patterns[f].Length, 0), status[f]);
        }
    }

    /// <summary>Random codewords as LLRs of random magnitude whose signs are wrong exactly at the pattern's positions.</summary>
    private static (byte[] Codewords, float[] Llrs) Transmit(BchFileCode code, List<int[]> patterns, int seed)
    {
        var random = new Random(seed);
        var codewords = new byte[patterns.Count * code.N];
        var llrs = new float[patterns.Count * code.N];
        var info = new byte[code.K];
        for (var f = 0; f < patterns.Count; f++)
        {
            var codeword = codewords.AsSpan(f * code.N, code.N);
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            code.Encode(info, codeword);
            var llr = llrs.AsSpan(f * code.N, code.N);
            for (var i = 0; i < code.N; i++) llr[i] = (codeword[i] == 0 ? 1 : -1) * (0.1f + 4 * random.NextSingle());
            foreach (var position in patterns[f]) llr[position] = -llr[position];
        }
        return (codewords, llrs);
    }

    private static void AddCombinations(int n, int weight, List<int[]> into)
    {
        var positions = new int[weight];
        void Extend(int depth, int start)
        {
            if (depth == weight)
            {
                into.Add((int[])positions.Clone());
                return;
            }
            for (var i = start; i < n; i++)
            {
                positions[depth] = i;
                Extend(depth + 1, i + 1);
            }
        }
        Extend(0, 0);
    }

    private static int[] RandomPattern(Random random, int n, int weight)
    {
        var all = Enumerable.Range(0, n).ToArray();
        random.Shuffle(all);
        return all[..weight];
    }

    private static int Distance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var d = 0;
        for (var i = 0; i < a.Length; i++) d += a[i] ^ b[i];
        return d;
    }

    private static double Binomial(int n, int k)
    {
        var c = 1.0;
        for (var i = 1; i <= k; i++) c = c * (n - k + i) / i;
        return c;
    }

    /// <summary>Gaussian tail Q(x) = erfc(x / sqrt 2) / 2, erfc by Numerical Recipes' Chebyshev fit (relative error &lt; 1.2e-7).</summary>
    private static double Q(double x)
    {
        var z = x / Math.Sqrt(2);
        var t = 1 / (1 + 0.5 * z);
        var erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return erfc / 2;
    }
}

/// <summary>
/// A code loaded from a bundled file as a plain code (N = H.Columns); encoding uses the BCH
/// generator, proven equal to the code of H by <see cref="BchCode.Identify"/> (info bits on the last K positions).
/// </summary>
internal sealed class BchFileCode(string name, ParityCheckMatrix h, int k, BchCode? bch) : IBlockCode
{
    public static BchFileCode Load(string file)
    {
        var h = TestCodeFiles.LoadDense(file);
        var k = int.Parse(file.Split('_', '.')[2][1..]);
        var code = new BchFileCode(Path.GetFileNameWithoutExtension(file), h, k, bch: null);
        return new BchFileCode(code.Name, h, k, BchCode.Identify(code));
    }

    public BchCode Bch => bch ?? throw new InvalidOperationException($"{name} has no BCH algebra");
    public string Name => name;
    public int N => h.Columns;
    public int K => k;
    public ParityCheckMatrix H => h;
    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted) => Bch.Encode(info, transmitted);
    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => channelLlr.CopyTo(graphLlr);
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => graphBits.CopyTo(transmitted);
    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => graphBits[(N - K)..].CopyTo(info);
}

/// <summary>Reads the bundled code files of the repository's codes/ folder.</summary>
internal static class TestCodeFiles
{
    private static string CodesDirectory([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", "codes"));

    public static ParityCheckMatrix LoadDense(string file)
    {
        var rows = File.ReadAllLines(Path.Combine(CodesDirectory(), file))
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();
        var dense = new byte[rows.Length, rows[0].Length];
        for (var r = 0; r < rows.Length; r++)
            for (var c = 0; c < rows[r].Length; c++) dense[r, c] = byte.Parse(rows[r][c]);
        return ParityCheckMatrix.FromDense(dense);
    }

    /// <summary>Alist: line 1 "n m", then (after 3 header lines) n lines of 1-based row indices per column.</summary>
    public static ParityCheckMatrix LoadAlist(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(CodesDirectory(), file));
        var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        int n = header[0], m = header[1];
        var dense = new byte[m, n];
        for (var c = 0; c < n; c++)
            foreach (var row in lines[4 + c].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
                if (row > 0) dense[row - 1, c] = 1;
        return ParityCheckMatrix.FromDense(dense);
    }
}
