using Receiver.Codes;
using Receiver.Codes.Nr5g;

namespace Receiver.Codes.Tests;

public class Nr5gTests
{
    public static TheoryData<int, int> Cases => new()
    {
        { 224, 256 }, { 100, 300 }, { 500, 1000 }, { 1000, 1500 }, { 3840, 4608 }, { 8448, 9504 },
        { 20, 60 }, { 292, 584 }, { 12, 60 }, { 300, 330 }, { 1500, 4500 }, { 4000, 12000 }, { 3000, 3100 },
    };

    private static byte[] RandomBits(int length, int seed)
    {
        var random = new Random(seed);
        var bits = new byte[length];
        for (var i = 0; i < length; i++) bits[i] = (byte)random.Next(2);
        return bits;
    }

    // Expected values worked out by hand from Sionna's rules (encoding.py _sel_basegraph / _sel_lifting).
    [Theory]
    [InlineData(8448, 9504, 1, 384, 1, 0)]  // k > 3824, r = 0.889: BG1, 22 x 384 = 8448
    [InlineData(224, 256, 2, 28, 3, 56)]    // k <= 292: BG2, k_b = 8, 8 x 28 = 224 (set a = 7), k_ldpc = 280
    [InlineData(100, 300, 2, 18, 4, 80)]    // k_b = 6: 6 x 18 = 108 >= 100 (set a = 9); 6 x 16 = 96 too small
    [InlineData(500, 1000, 2, 64, 0, 140)]  // k <= 3824, r = 0.5: BG2, k_b = 8, 8 x 64 = 512 (8 x 60 = 480 too small)
    [InlineData(1000, 1500, 2, 104, 6, 40)] // k <= 3824, r = 0.667 <= 0.67: BG2, k_b = 10, 10 x 104 = 1040 (set a = 13)
    [InlineData(3840, 4608, 1, 176, 5, 32)] // k > 3824: BG1, 22 x 176 = 3872 (22 x 160 = 3520 too small)
    [InlineData(20, 60, 2, 4, 0, 20)]       // k_b = 6, 6 x 4 = 24; k_ldpc = 40
    [InlineData(292, 584, 2, 40, 2, 108)]   // k_b = 8, 8 x 40 = 320 (8 x 36 = 288 too small)
    [InlineData(4000, 12000, 1, 192, 1, 224)] // k > 3824, r = 0.33 > 0.25: BG1, 22 x 192 = 4224
    [InlineData(3000, 3100, 1, 144, 4, 168)]  // r > 0.67: BG1, 22 x 144 = 3168 (22 x 128 = 2816 too small)
    public void SelectsBaseGraphAndLiftingAsSionna(int k, int n, int baseGraph, int z, int setIndex, int fillers)
    {
        var code = Nr5gLdpcCode.Create(k, n);
        Assert.Equal(baseGraph, code.BaseGraph);
        Assert.Equal(z, code.Z);
        Assert.Equal(setIndex, code.LiftingSetIndex);
        Assert.Equal(fillers, code.FillerCount);
        Assert.Equal((baseGraph == 1 ? 22 : 10) * z, code.KLdpc);
        Assert.Equal($"nr:{k},{n}", code.Name);
        Assert.Equal(k, code.K);
        Assert.Equal(n, code.N);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrunedGraphMatchesRateMatching(int k, int n)
    {
        var code = Nr5gLdpcCode.Create(k, n);
        var z = code.Z;
        var layout = code.QuasiCyclic;
        var infoBlocks = code.BaseGraph == 1 ? 22 : 10;
        var parityBlocks = Math.Max(4, (n - k + 2 * z + z - 1) / z);

        Assert.Equal(z, layout.Z);
        Assert.Equal(parityBlocks, layout.BaseRows);
        Assert.Equal(infoBlocks + parityBlocks, layout.BaseColumns);
        Assert.Equal(parityBlocks * z, code.H.Rows);
        Assert.Equal((infoBlocks + parityBlocks) * z, code.H.Columns);
        Assert.Equal(code.H.EdgeCount, layout.Blocks.Count * z);
        Assert.All(layout.Blocks, b => Assert.InRange(b.Shift, 0, z - 1));
        for (var i = 1; i < layout.Blocks.Count; i++)
        {
            var (previous, current) = (layout.Blocks[i - 1], layout.Blocks[i]);
            Assert.True(previous.Row < current.Row || (previous.Row == current.Row && previous.Column < current.Column));
        }

        // Beyond the 4 core blocks, the last kept parity block holds the last transmitted bit.
        var columns = code.TransmittedColumns;
        Assert.Equal(n, columns.Length);
        Assert.Equal(2 * z, columns[0]);
        Assert.InRange(columns[n - 1], parityBlocks > 4 ? code.H.Columns - z : code.KLdpc, code.H.Columns - 1);
    }

    [Fact]
    public void LiftedBlocksFollowTheShiftConvention()
    {
        var code = Nr5gLdpcCode.Create(224, 256);
        var z = code.Z;
        // BG2 row 0, column 0 has V = 9, 174, 0, 72, ... for i_LS = 0, 1, 2, 3; i_LS = 3 gives 72 mod 28 = 16.
        var block = code.QuasiCyclic.Blocks[0];
        Assert.Equal((0, 0, 16), (block.Row, block.Column, block.Shift));
        for (var t = 0; t < z; t++)
            Assert.Contains((t + block.Shift) % z, code.H.RowSupport(t).ToArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodedGraphWordIsACodewordAndMapsBack(int k, int n)
    {
        var code = Nr5gLdpcCode.Create(k, n);
        for (var trial = 0; trial < 3; trial++)
        {
            var info = RandomBits(k, seed: 1000 * trial + k);
            var graph = new byte[code.H.Columns];
            code.EncodeGraph(info, graph);
            Assert.True(code.H.IsCodeword(graph));
            Assert.All(graph.AsSpan(k, code.FillerCount).ToArray(), b => Assert.Equal(0, b));

            var decodedInfo = new byte[k];
            code.GraphToInfo(graph, decodedInfo);
            Assert.Equal(info, decodedInfo);

            var transmitted = new byte[n];
            code.Encode(info, transmitted);
            var fromGraph = new byte[n];
            code.GraphToTransmitted(graph, fromGraph);
            Assert.Equal(transmitted, fromGraph);
            for (var i = 0; i < n; i++) Assert.Equal(graph[code.TransmittedColumns[i]], transmitted[i]);
        }
    }

    [Theory]
    [InlineData(224, 256)]
    [InlineData(500, 1000)]
    [InlineData(8448, 9504)]
    public void TransmittedBitsFollowSionnaRateMatching(int k, int n)
    {
        // Sionna: drop fillers [k, k_ldpc) from the mother codeword, then send buffer[2Z, 2Z + n).
        var code = Nr5gLdpcCode.Create(k, n);
        var info = RandomBits(k, seed: 7);
        var graph = new byte[code.H.Columns];
        code.EncodeGraph(info, graph);
        var buffer = graph.AsSpan(0, k).ToArray().Concat(graph.AsSpan(code.KLdpc).ToArray()).ToArray();
        var transmitted = new byte[n];
        code.Encode(info, transmitted);
        Assert.Equal(buffer.AsSpan(2 * code.Z, n).ToArray(), transmitted);
    }

    [Fact]
    public void AllZeroInfoEncodesToAllZero()
    {
        var code = Nr5gLdpcCode.Create(1000, 1500);
        var transmitted = new byte[code.N];
        transmitted.AsSpan().Fill(1);
        code.Encode(new byte[code.K], transmitted);
        Assert.All(transmitted, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData(224, 256)]
    [InlineData(20, 60)]
    [InlineData(3840, 4608)]
    public void ToGraphLlrPlacesChannelValues(int k, int n)
    {
        var code = Nr5gLdpcCode.Create(k, n);
        var channel = new float[n];
        for (var i = 0; i < n; i++) channel[i] = i + 1; // distinct and non-zero
        var graph = new float[code.H.Columns];
        graph.AsSpan().Fill(float.NaN);
        code.ToGraphLlr(channel, graph);

        for (var c = 0; c < 2 * code.Z; c++) Assert.Equal(0f, graph[c]);
        for (var c = k; c < code.KLdpc; c++) Assert.Equal(IBlockCode.KnownBitLlr, graph[c]);
        var isTransmitted = new bool[graph.Length];
        for (var i = 0; i < n; i++)
        {
            Assert.Equal(channel[i], graph[code.TransmittedColumns[i]]);
            isTransmitted[code.TransmittedColumns[i]] = true;
        }
        for (var c = code.KLdpc; c < graph.Length; c++)
            if (!isTransmitted[c]) Assert.Equal(0f, graph[c]);
    }

    [Theory]
    [InlineData(224, 256)]
    [InlineData(1000, 1500)]
    [InlineData(100, 300)]
    public void NoiselessLlrsGiveAConsistentHardDecision(int k, int n)
    {
        var code = Nr5gLdpcCode.Create(k, n);
        var info = RandomBits(k, seed: 11);
        var transmitted = new byte[n];
        code.Encode(info, transmitted);
        var channel = transmitted.Select(b => b == 0 ? 4f : -4f).ToArray();
        var graphLlr = new float[code.H.Columns];
        code.ToGraphLlr(channel, graphLlr);

        // Erased (LLR 0) columns take the values of the encoder's graph word; every other hard decision must agree with it.
        var reference = new byte[code.H.Columns];
        code.EncodeGraph(info, reference);
        var hard = new byte[graphLlr.Length];
        for (var c = 0; c < hard.Length; c++) hard[c] = graphLlr[c] == 0 ? reference[c] : (byte)(graphLlr[c] < 0 ? 1 : 0);
        Assert.Equal(reference, hard);
        Assert.Equal(0, code.H.SyndromeWeight(hard));

        // A single flipped transmitted parity bit is caught by the syndrome.
        hard[code.TransmittedColumns[n - 1]] ^= 1;
        Assert.True(code.H.SyndromeWeight(hard) > 0);
    }

    [Theory]
    [InlineData(300, 200, "n must be larger than k")]
    [InlineData(100, 100, "n must be larger than k")]
    [InlineData(0, 100, "k must be in 1..8448")]
    [InlineData(-5, 100, "k must be in 1..8448")]
    [InlineData(8449, 9504, "k must be in 1..8448")]
    [InlineData(224, 1400, "n too large")]    // BG2 Z=28: 52*28 - 56 - 56 = 1344
    [InlineData(8448, 25345, "n too large")]  // BG1 Z=384: 66*384 = 25344
    [InlineData(4000, 16001, "base graph 2")] // r <= 1/4 selects BG2, which stops at 3840
    public void RejectsBadParameters(int k, int n, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Nr5gLdpcCode.Create(k, n));
        Assert.Contains(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void LowestRatesKeepTheWholeBaseGraph()
    {
        // TS 38.212: BG1 is 46 x 68 with 316 entries, BG2 is 42 x 52 with 197.
        var bg1 = Nr5gLdpcCode.Create(8448, 25344);
        Assert.Equal((46, 68, 316), (bg1.BaseRows, bg1.BaseColumns, bg1.QuasiCyclic.Blocks.Count));
        var bg2 = Nr5gLdpcCode.Create(224, 1344);
        Assert.Equal((42, 52, 197), (bg2.BaseRows, bg2.BaseColumns, bg2.QuasiCyclic.Blocks.Count));
        var info = RandomBits(bg1.K, seed: 3);
        var graph = new byte[bg1.H.Columns];
        bg1.EncodeGraph(info, graph);
        Assert.True(bg1.H.IsCodeword(graph));
    }

    [Fact]
    public void InterfaceExposesTheQuasiCyclicLayout()
    {
        IBlockCode code = Nr5gLdpcCode.Create(500, 1000);
        Assert.Same(((Nr5gLdpcCode)code).QuasiCyclic, code.QuasiCyclic);
    }
}
