using System.Runtime.CompilerServices;
using Receiver.Codes;
using Receiver.Codes.Bch;
using Receiver.Evaluation;
using Xunit.Abstractions;

namespace Receiver.Decoders.Tests;

public class BerlekampMasseyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("BCH_N31_K16")]
    [InlineData("BCH_N63_K45")]
    [InlineData("BCH_N63_K51")]
    public void CorrectsEveryErrorPatternUpToT(string file)
    {
        var code = BchHarness.Load(file);
        var patterns = new List<int[]>();
        var t = BchCode.Identify(code).T;
        for (var weight = 0; weight <= t; weight++) AddCombinations(code.N, weight, patterns);
        AssertAllCorrected(code, patterns, seed: 11);
    }

    [Fact]
    public void CorrectsRandomErrorPatternsUpToFiveForBch63_36()
    {
        var code = BchHarness.Load("BCH_N63_K36");
        var t = BchCode.Identify(code).T;
        Assert.Equal(5, t);
        var random = new Random(5);
        var patterns = new List<int[]>();
        for (var weight = 1; weight <= t; weight++)
            for (var p = 0; p < 20_000; p++) patterns.Add(RandomPattern(random, code.N, weight));
        AssertAllCorrected(code, patterns, seed: 12);
    }

    [Theory]
    [InlineData("BCH_N31_K16")]
    [InlineData("BCH_N63_K36")]
    [InlineData("BCH_N63_K45")]
    [InlineData("BCH_N63_K51")]
    public void BeyondTItFailsOrReturnsACodewordWithinT(string file)
    {
        var code = BchHarness.Load(file);
        var decoder = BerlekampMasseyDecoder.Create(code, new DecoderOptions { Parallelism = 2 });
        var t = decoder.Bch.T;
        var random = new Random(17);
        var patterns = new List<int[]>();
        for (var p = 0; p < 20_000; p++) patterns.Add(RandomPattern(random, code.N, t + 1));
        for (var p = 0; p < 20_000; p++) patterns.Add(RandomPattern(random, code.N, random.Next(t + 2, code.N / 2)));

        var (codewords, llrs) = Transmit(code, patterns, seed: 13);
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
                Assert.InRange(flips, 0, t); // 0 when the error pattern itself is a nonzero codeword
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
        var code = BchHarness.Load("BCH_N63_K45");
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
        var ldpc = BchHarness.Load("LDPC_N49_K24");
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
        var code = BchHarness.Load("BCH_N63_K45");
        var decoder = BerlekampMasseyDecoder.Create(code, new DecoderOptions { Parallelism = 2 });
        var rate = (double)code.K / code.N;
        var point = MonteCarlo.RunPoint(code, decoder, ebN0Db, new StopRule(MinFrameErrors: 0, MaxFrames: frames), seed: 2024);
        Assert.Equal(frames, point.Frames);
        var errors = point.FrameErrors;

        var p = Q(Math.Sqrt(2 * rate * Math.Pow(10, ebN0Db / 10)));
        var expected = 1.0;
        for (var i = 0; i <= decoder.Bch.T; i++) expected -= Binomial(code.N, i) * Math.Pow(p, i) * Math.Pow(1 - p, code.N - i);
        var measured = (double)errors / frames;
        var tolerance = 5 * Math.Sqrt(expected * (1 - expected) / frames);
        var summary = $"Eb/N0 {ebN0Db} dB: FER {measured:E4} ({errors}/{frames}), formula {expected:E4} +- {tolerance:E2} (5 sigma)";
        output.WriteLine(summary);
        Assert.True(Math.Abs(measured - expected) <= tolerance, summary);
    }

    private static void AssertAllCorrected(IBlockCode code, List<int[]> patterns, int seed)
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
    private static (byte[] Codewords, float[] Llrs) Transmit(IBlockCode code, List<int[]> patterns, int seed)
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

/// <summary>Bundled codes for the BCH decoder tests, loaded as the CLI loads them (plain linear block codes).</summary>
internal static class BchHarness
{
    public static IBlockCode Load(string name, [CallerFilePath] string here = "") =>
        CodeLibrary.Load(name, Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "codes"));
}
