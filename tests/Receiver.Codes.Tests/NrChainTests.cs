using System.Text;
using Receiver.Codes.Nr5g;
using Receiver.Codes.Nr5g.Chain;

namespace Receiver.Codes.Tests;

public class NrChainTests
{
    private static byte[] RandomBits(int length, int seed)
    {
        var random = new Random(seed);
        var bits = new byte[length];
        for (var i = 0; i < length; i++) bits[i] = (byte)random.Next(2);
        return bits;
    }

    private static byte[] AsciiBits(string text) =>
        Encoding.ASCII.GetBytes(text).SelectMany(b => Enumerable.Range(0, 8).Select(i => (byte)((b >> (7 - i)) & 1))).ToArray();

    // Check values of the CRC catalogue (RevEng): CRC-24/LTE-A, CRC-24/LTE-B, CRC-16/XMODEM over ASCII "123456789", MSB first.
    [Theory]
    [InlineData("CRC24A", 0xCDE703u)]
    [InlineData("CRC24B", 0x23EF52u)]
    [InlineData("CRC16", 0x31C3u)]
    public void CrcMatchesCatalogueCheckValues(string name, uint expected)
    {
        var crc = name switch { "CRC24A" => NrCrc.Crc24A, "CRC24B" => NrCrc.Crc24B, _ => NrCrc.Crc16 };
        Assert.Equal(expected, crc.Remainder(AsciiBits("123456789")));
    }

    [Fact]
    public void CrcAttachedParityChecksAndOneFlipFails()
    {
        foreach (var crc in new[] { NrCrc.Crc24A, NrCrc.Crc24B, NrCrc.Crc24C, NrCrc.Crc16, NrCrc.Crc11, NrCrc.Crc6 })
        {
            var bits = RandomBits(1003 + crc.Length, 5);
            crc.Attach(bits.AsSpan(0, 1003), bits.AsSpan(1003));
            Assert.True(crc.Check(bits), crc.Name);
            // Byte-wise table and bit-by-bit tail agree: the same remainder from every split point of the tail.
            Assert.Equal(0u, crc.Remainder(bits));
            bits[17] ^= 1;
            Assert.False(crc.Check(bits), crc.Name);
        }
    }

    [Theory]
    [InlineData(3824, 0.9, 16, 1)]   // A <= 3824: CRC16; R > 0.67: BG1
    [InlineData(3825, 0.9, 24, 1)]   // A > 3824: CRC24A
    [InlineData(292, 0.9, 16, 2)]    // A <= 292: BG2 at any rate
    [InlineData(3824, 0.67, 16, 2)]  // A <= 3824 and R <= 0.67: BG2
    [InlineData(8016, 0.25, 24, 2)]  // R <= 0.25: BG2 (B = 8040 in 3 blocks of K_cb = 3840)
    [InlineData(8016, 0.26, 24, 1)]
    public void SelectsTbCrcAndBaseGraph(int a, double rate, int crcLength, int baseGraph)
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(a, NrModulation.Qpsk, rate));
        Assert.Equal(crcLength, layout.TbCrc.Length);
        Assert.Equal(baseGraph, layout.BaseGraph);
    }

    [Fact]
    public void SegmentsLargeTransportBlockWithCodeBlockCrcAndFillers()
    {
        // TBS 25104 (a TS 38.214 size): B = 25128 > 8448, C = ceil(25128 / 8424) = 3, K' = (25128 + 72) / 3 = 8400,
        // Z = 384 (22 x 384 = 8448 >= 8400), F = 48; N = 66 x 384; k0 = floor(x N / 66Z) Z.
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(25104, NrModulation.Qam64, 0.75));
        Assert.Equal((1, 3, 24, 8400, 384, 8448, 48, 25344, 25344), (layout.BaseGraph, layout.CodeBlocks, layout.CodeBlockCrcLength,
            layout.KPrime, layout.Z, layout.K, layout.Fillers, layout.N, layout.Ncb));
        Assert.Equal(new[] { 0, 17 * 384, 33 * 384, 56 * 384 }, Enumerable.Range(0, 4).Select(layout.K0));
    }

    // Worked by hand from 38.212: B = A + L_TB (7.2.1); C = ceil(B / (K_cb - 24)) (5.2.2, K_cb 8448 BG1 / 3840 BG2);
    // K' = B' / C; K_b = 22 (BG1) or 10/9/8/6 by B (BG2); Z = least lifting size with K_b Z >= K'; K = 22 Z or 10 Z;
    // F = K - K'; N = 66 Z or 50 Z (5.3.2); without LBRM N_cb = N, and k0 of Table 5.4.2.1-2 is
    // floor(17|33|56 N_cb / 66 Z) Z (BG1) or floor(13|25|43 N_cb / 50 Z) Z (BG2).
    [Theory]
    [InlineData(500, 0.5, 516, 2, 1, 516, 72, 720, 204, 3600, 13, 25, 43)]         // K_b = 8 (192 < B <= 560)
    [InlineData(1000, 0.5, 1016, 2, 1, 1016, 104, 1040, 24, 5200, 13, 25, 43)]     // K_b = 10
    [InlineData(8016, 0.25, 8040, 2, 3, 2704, 288, 2880, 176, 14400, 13, 25, 43)]  // B' = 8040 + 3 x 24
    [InlineData(10000, 0.9, 10024, 1, 2, 5036, 240, 5280, 244, 15840, 17, 33, 56)] // B' = 10024 + 2 x 24
    public void SegmentationAndK0MatchHandWorkedClauses(int a, double rate, int b, int baseGraph, int c, int kPrime, int z, int k,
        int fillers, int n, int rv1, int rv2, int rv3)
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(a, NrModulation.Qpsk, rate));
        Assert.Equal((b, baseGraph, c, kPrime, z, k, fillers, n, n),
            (layout.B, layout.BaseGraph, layout.CodeBlocks, layout.KPrime, layout.Z, layout.K, layout.Fillers, layout.N, layout.Ncb));
        Assert.Equal(new[] { 0, rv1 * z, rv2 * z, rv3 * z }, Enumerable.Range(0, 4).Select(layout.K0));
    }

    [Fact]
    public void LimitedBufferShortensCircularBufferAndMovesK0()
    {
        // A = 1000 at R = 0.5: BG2, B = 1016, K_b = 10, Z = 104 (10 x 104 = 1040), N = 50 x 104 = 5200.
        // TBS_LBRM = 2000: N_ref = floor(2000 / (1 x 2/3)) = 3000; k0 = floor(x 3000 / (50 x 104)) x 104 for x = 13, 25, 43.
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(1000, NrModulation.Qpsk, 0.5) with { LbrmTbs = 2000 });
        Assert.Equal((2, 104, 5200, 3000, 3000), (layout.BaseGraph, layout.Z, layout.N, layout.NRef!.Value, layout.Ncb));
        Assert.Equal(new[] { 0, 7 * 104, 14 * 104, 24 * 104 }, Enumerable.Range(0, 4).Select(layout.K0));
    }

    [Fact]
    public void SplitsRateMatchedBitsAsClause5421()
    {
        // C = 3, Q_m = 4, G = 404: G / (N_L Q_m) = 101, mod 3 = 2, so block 0 gets 4 floor(101/3) = 132 and blocks 1, 2 get 136.
        var layout = new NrTransportBlockLayout(new NrTransportBlockConfig(25104, NrModulation.Qam16, 404, 0.9));
        Assert.Equal(new[] { 132, 136, 136 }, Enumerable.Range(0, 3).Select(layout.BlockBits));
        Assert.Equal(268, layout.BlockOffset(2));
    }

    [Fact]
    public void RejectsTransportBlockThatDoesNotSplitEvenly()
    {
        // B = 8425 + 24 = 8449 over C = 2 blocks is not whole.
        var error = Assert.Throws<ArgumentException>(() => new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(8425, NrModulation.Qpsk, 0.9)));
        Assert.Contains("5.2.2", error.Message);
        Assert.Contains("A=8426", error.Message); // 8426 + 24 = 8450 = 2 x 4225
        Assert.Equal(8426, NrTransportBlockLayout.NextEvenSize(8425, 0.9));
    }

    [Fact]
    public void InterleaverWritesColumnsOfTheEByQmArray()
    {
        byte[] e = [0, 1, 2, 3, 4, 5];
        var f = new byte[6];
        NrRateMatching.Interleave<byte>(e, 2, f);
        Assert.Equal(new byte[] { 0, 3, 1, 4, 2, 5 }, f);
        var back = new byte[6];
        NrRateMatching.Deinterleave<byte>(f, 2, back);
        Assert.Equal(e, back);
    }

    [Theory]
    [InlineData(1, 37)]
    [InlineData(2, 9504)]
    [InlineData(2, 38)]
    [InlineData(4, 404)]
    [InlineData(6, 33474)]
    [InlineData(8, 8 * 29)]
    public void VectorisedLlrDeinterleaverMatchesTheClause(int bitsPerSymbol, int length)
    {
        var f = Enumerable.Range(0, length).Select(i => (float)i).ToArray();
        var expected = new float[length];
        var actual = new float[length];
        NrRateMatching.Deinterleave<float>(f, bitsPerSymbol, expected);
        NrRateMatching.Deinterleave(f, bitsPerSymbol, actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AccumulateOnAFreshBufferIgnoresStaleValues()
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(1000, NrModulation.Qpsk, 0.5));
        var e = Enumerable.Repeat(1f, layout.BlockBits(0)).ToArray();
        var clean = new float[layout.Ncb];
        var stale = Enumerable.Repeat(99f, layout.Ncb).ToArray();
        var extent = 0;
        NrRateMatching.Accumulate(layout, e, 2, clean);
        NrRateMatching.Accumulate(layout, e, 2, stale, ref extent);
        NrRateMatching.Extend(stale, ref extent, layout.Ncb);
        Assert.Equal(clean, stale);
    }

    [Theory]
    [InlineData(1000, 0.5, null)]
    [InlineData(1000, 0.5, 2000)]
    [InlineData(25104, 0.9, null)]
    [InlineData(200, 0.2, null)] // E > N_cb - F: the buffer repeats
    public void SoftDeRateMatchingInvertsBitSelection(int a, double rate, int? lbrm)
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(a, NrModulation.Qpsk, rate) with { LbrmTbs = lbrm });
        var encoder = new NrTransportBlockEncoder(layout);
        encoder.Encode(RandomBits(a, 3));
        var d = encoder.Codeword(0);
        for (var rv = 0; rv < 4; rv++)
        {
            var e = new byte[layout.BlockBits(0)];
            encoder.SelectBits(0, rv, e);
            var llr = e.Select(bit => 1f - 2 * bit).ToArray();
            var buffer = new float[layout.Ncb];
            var highest = NrRateMatching.Accumulate(layout, llr, rv, buffer);
            var written = 0;
            for (var i = 0; i < layout.Ncb; i++)
            {
                if (layout.IsFiller(i)) Assert.Equal(0f, buffer[i]);
                if (buffer[i] == 0) continue;
                Assert.Equal(1f - 2 * d[i], MathF.Sign(buffer[i]));
                written += (int)MathF.Abs(buffer[i]);
                Assert.True(i <= highest);
            }
            Assert.Equal(e.Length, written); // every selected bit landed once, repetitions added up
        }
    }

    [Fact]
    public void EncoderOutputSatisfiesParityChecksAndCrcs()
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(25104, NrModulation.Qam256, 0.8));
        var encoder = new NrTransportBlockEncoder(layout);
        var payload = RandomBits(layout.TbSize, 11);
        encoder.Encode(payload);
        Assert.True(layout.TbCrc.Check(encoder.TbWithCrc));
        Assert.Equal(payload, encoder.TbWithCrc[..layout.TbSize].ToArray());
        var code = Nr5gLdpcCode.Create(layout.KPrime, layout.N - layout.Fillers, layout.BaseGraph);
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            Assert.True(NrCrc.Crc24B.Check(encoder.CodeBlock(r)[..layout.KPrime]));
            Assert.All(encoder.CodeBlock(r)[layout.KPrime..].ToArray(), bit => Assert.Equal(0, bit));
            var graph = new byte[code.H.Columns];
            encoder.CodeBlock(r).CopyTo(graph);
            encoder.Codeword(r).CopyTo(graph.AsSpan(2 * layout.Z));
            Assert.True(code.H.IsCodeword(graph));
        }
    }

    [Theory]
    [InlineData(NrModulation.Bpsk)]
    [InlineData(NrModulation.Qpsk)]
    [InlineData(NrModulation.Qam16)]
    [InlineData(NrModulation.Qam64)]
    [InlineData(NrModulation.Qam256)]
    public void ConstellationHasUnitEnergyAndGrayNeighbours(NrModulation modulation)
    {
        var qm = modulation.BitsPerSymbol();
        var points = Constellation(modulation);
        Assert.Equal(1.0, points.Average(p => p.I * p.I + p.Q * p.Q), 5);
        Assert.Equal(points.Length, points.Select(p => (Math.Round(p.I, 5), Math.Round(p.Q, 5))).Distinct().Count());
        if (qm < 2) return;
        // Gray: points one grid step apart (2 / sqrt(norm)) differ in exactly one bit.
        var step = points.Where(p => p.I > 0).Min(p => p.I) * 2;
        for (var x = 0; x < points.Length; x++)
            for (var y = 0; y < points.Length; y++)
            {
                var distance = Math.Sqrt(Math.Pow(points[x].I - points[y].I, 2) + Math.Pow(points[x].Q - points[y].Q, 2));
                if (Math.Abs(distance - step) < 1e-5) Assert.Equal(1, System.Numerics.BitOperations.PopCount((uint)(x ^ y)));
            }
    }

    [Theory]
    [InlineData(NrModulation.Qam16, new byte[] { 0, 0, 0, 0 }, 1, 1, 10)]
    [InlineData(NrModulation.Qam16, new byte[] { 1, 0, 1, 0 }, -3, 1, 10)]        // I = -(2 - (-1)), Q = 2 - 1
    [InlineData(NrModulation.Qam64, new byte[] { 0, 1, 0, 1, 0, 0 }, 3, -5, 42)]
    [InlineData(NrModulation.Qam256, new byte[] { 0, 1, 0, 1, 0, 1, 0, 1 }, 5, -15, 170)]
    [InlineData(NrModulation.Qpsk, new byte[] { 0, 1 }, 1, -1, 2)]
    [InlineData(NrModulation.Bpsk, new byte[] { 1 }, -1, -1, 2)]
    public void MapsTheClause51Points(NrModulation modulation, byte[] bits, int i, int q, int norm)
    {
        var (actualI, actualQ) = MapOne(modulation, bits);
        Assert.Equal(i / Math.Sqrt(norm), actualI, 5);
        Assert.Equal(q / Math.Sqrt(norm), actualQ, 5);
    }

    [Theory]
    [InlineData(NrModulation.Bpsk)]
    [InlineData(NrModulation.Qpsk)]
    [InlineData(NrModulation.Qam16)]
    [InlineData(NrModulation.Qam64)]
    [InlineData(NrModulation.Qam256)]
    public void DemappersMatchBruteForceOverTheWholeConstellation(NrModulation modulation)
    {
        var qm = modulation.BitsPerSymbol();
        var points = Constellation(modulation);
        var random = new Random(7);
        const double n0 = 0.05;
        var modulator = NrModulator.For(modulation);
        for (var trial = 0; trial < 200; trial++)
        {
            float[] y = [(float)(random.NextDouble() * 3 - 1.5), (float)(random.NextDouble() * 3 - 1.5)];
            var exact = new float[qm];
            var maxLog = new float[qm];
            modulator.Demap(y, n0, NrDemapping.Exact, exact);
            modulator.Demap(y, n0, NrDemapping.MaxLog, maxLog);
            for (var bit = 0; bit < qm; bit++)
            {
                var metrics = points.Select((p, index) => (Bit: (index >> (qm - 1 - bit)) & 1, Metric: -(Math.Pow(y[0] - p.I, 2) + Math.Pow(y[1] - p.Q, 2)) / n0)).ToArray();
                double LogSumExp(int b) { var m = metrics.Where(t => t.Bit == b).Max(t => t.Metric); return m + Math.Log(metrics.Where(t => t.Bit == b).Sum(t => Math.Exp(t.Metric - m))); }
                double Max(int b) => metrics.Where(t => t.Bit == b).Max(t => t.Metric);
                Assert.Equal(LogSumExp(0) - LogSumExp(1), exact[bit], Math.Max(1e-3, Math.Abs(exact[bit]) * 1e-4));
                Assert.Equal(Max(0) - Max(1), maxLog[bit], Math.Max(1e-3, Math.Abs(maxLog[bit]) * 1e-4));
            }
        }
    }

    /// <summary>Every point of the constellation, indexed by its bits b_0..b_{Qm-1} (b_0 the highest index bit).</summary>
    private static (double I, double Q)[] Constellation(NrModulation modulation)
    {
        var qm = modulation.BitsPerSymbol();
        return Enumerable.Range(0, 1 << qm)
            .Select(index => MapOne(modulation, Enumerable.Range(0, qm).Select(i => (byte)((index >> (qm - 1 - i)) & 1)).ToArray()))
            .ToArray();
    }

    private static (double I, double Q) MapOne(NrModulation modulation, byte[] bits)
    {
        var symbol = new float[2];
        NrModulator.For(modulation).Map(bits, symbol);
        return (Math.Round(symbol[0], 6), Math.Round(symbol[1], 6));
    }
}
