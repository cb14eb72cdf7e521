using Receiver.Codes;

namespace Receiver.Codes.Tests;

public class LinearBlockCodeTests
{
    private static LinearBlockCode Load(string file)
    {
        var h = TestCodes.Read(file);
        return new LinearBlockCode(h, Path.GetFileNameWithoutExtension(file));
    }

    private static byte[] RandomBits(Random random, int count)
    {
        var bits = new byte[count];
        for (var i = 0; i < count; i++) bits[i] = (byte)random.Next(2);
        return bits;
    }

    // 2x4 example: H = [1 1 0 1; 0 1 1 1], rank 2, dimension 2.
    private static ParityCheckMatrix SmallH() => ParityCheckMatrix.FromRowSupports(2, 4, [new[] { 0, 1, 3 }, new[] { 1, 2, 3 }]);

    [Theory]
    [MemberData(nameof(TestCodes.TableRows), MemberType = typeof(TestCodes))]
    public void RandomCodewordsSatisfyHAndGiveBackTheirInfo(string file, int rows, int columns, int rank)
    {
        var code = Load(file);
        Assert.Equal(columns, code.N);
        Assert.Equal(rank, code.Rank);
        Assert.Equal(columns - rank, code.Dimension);
        Assert.Equal(code.Dimension, code.K);
        Assert.Equal(rows, code.H.Rows);
        if (LinearBlockCode.TryParseName(code.Name, out _, out var namedK)) Assert.Equal(namedK, code.K);

        var random = new Random(file.Length * 7919 + columns);
        var codeword = new byte[code.N];
        var info = new byte[code.K];
        for (var trial = 0; trial < 20; trial++)
        {
            var u = RandomBits(random, code.K);
            code.Encode(u, codeword);
            Assert.True(code.H.IsCodeword(codeword), $"{file}: H c != 0 in trial {trial}");
            code.GraphToInfo(codeword, info);
            Assert.Equal(u, info);
        }
    }

    [Theory]
    [InlineData("LDPC_N49_K24.alist")]
    [InlineData("LDPC_N1056_K880.alist")]
    [InlineData("BCH_N63_K36.txt")]
    public void EncodingIsLinearAndSystematic(string file)
    {
        var code = Load(file);
        var random = new Random(42);
        var a = RandomBits(random, code.K);
        var b = RandomBits(random, code.K);
        var sum = a.Zip(b, (x, y) => (byte)(x ^ y)).ToArray();
        byte[] ca = new byte[code.N], cb = new byte[code.N], cs = new byte[code.N];
        code.Encode(a, ca);
        code.Encode(b, cb);
        code.Encode(sum, cs);
        Assert.Equal(ca.Zip(cb, (x, y) => (byte)(x ^ y)).ToArray(), cs);
        for (var i = 0; i < code.K; i++) Assert.Equal(a[i], ca[code.InformationPositions[i]]);

        code.Encode(new byte[code.K], ca);
        Assert.All(ca, bit => Assert.Equal(0, bit));
    }

    [Fact]
    public void InformationAndParityPositionsPartitionTheCodeword()
    {
        var code = Load("LDPC_N121_K60.alist");
        var all = code.InformationPositions.ToArray().Concat(code.ParityPositions.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, code.N), all);
        Assert.Equal(code.Rank, code.ParityPositions.Length);
    }

    [Fact]
    public void EncodeDoesNotAllocate()
    {
        var code = Load("LDPC_N1056_K880.alist");
        var info = RandomBits(new Random(1), code.K);
        var codeword = new byte[code.N];
        code.Encode(info, codeword);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) code.Encode(info, codeword);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void GraphIsTheTransmittedWord()
    {
        var code = new LinearBlockCode(SmallH(), "toy");
        Assert.Equal(2, code.K);
        Assert.Null(((IBlockCode)code).QuasiCyclic);
        float[] llr = [1f, -2f, 3f, -4f], graph = new float[4];
        code.ToGraphLlr(llr, graph);
        Assert.Equal(llr, graph);
        byte[] bits = [1, 0, 1, 1], transmitted = new byte[4];
        code.GraphToTransmitted(bits, transmitted);
        Assert.Equal(bits, transmitted);
    }

    [Fact]
    public void SpanLengthsAreChecked()
    {
        var code = new LinearBlockCode(SmallH(), "toy");
        var e = Assert.Throws<ArgumentException>(() => code.Encode(new byte[3], new byte[4]));
        Assert.Equal("info", e.ParamName);
        Assert.Contains("expected 2 information bits, got 3", e.Message);
        Assert.Throws<ArgumentException>(() => code.Encode(new byte[2], new byte[5]));
        Assert.Throws<ArgumentException>(() => code.ToGraphLlr(new float[4], new float[3]));
        Assert.Throws<ArgumentException>(() => code.GraphToTransmitted(new byte[3], new byte[4]));
        Assert.Throws<ArgumentException>(() => code.GraphToInfo(new byte[4], new byte[1]));
    }

    [Fact]
    public void NameWithWrongNIsRejected()
    {
        var e = Assert.Throws<CodeFormatException>(() => new LinearBlockCode(SmallH(), "LDPC_N5_K2"));
        Assert.Contains("N = 5 but H has 4 columns", e.Message);
    }

    [Fact]
    public void NameWithWrongKExplainsTheDimension()
    {
        var h = TestCodes.Read("LDPC_N49_K24.alist");
        var e = Assert.Throws<CodeFormatException>(() => new LinearBlockCode(h, "LDPC_N49_K25"));
        Assert.Contains("K = 25", e.Message);
        Assert.Contains("rank 25", e.Message);
        Assert.Contains("dimension n - rank = 24", e.Message);
    }

    [Fact]
    public void NameWithKAboveNIsRejected()
    {
        var e = Assert.Throws<CodeFormatException>(() => new LinearBlockCode(SmallH(), "LDPC_N4_K9"));
        Assert.Contains("K = 9 exceeds N = 4", e.Message);
    }

    [Fact]
    public void NominalKIsChecked()
    {
        Assert.Equal(2, new LinearBlockCode(SmallH(), "toy", nominalK: 2).K);
        Assert.Throws<CodeFormatException>(() => new LinearBlockCode(SmallH(), "toy", nominalK: 3));
        Assert.Throws<CodeFormatException>(() => new LinearBlockCode(SmallH(), "toy", nominalK: 5));
        Assert.Throws<CodeFormatException>(() => new LinearBlockCode(SmallH(), "X_N4_K2", nominalK: 1));
    }

    [Fact]
    public void FullRankHLeavesNoInformationAndIsRejected()
    {
        var h = ParityCheckMatrix.FromRowSupports(2, 2, [new[] { 0 }, new[] { 1 }]);
        Assert.Throws<CodeFormatException>(() => new LinearBlockCode(h, "toy"));
    }

    [Theory]
    [InlineData("LDPC_N49_K24", true, 49, 24)]
    [InlineData("LTE_TURBO_N132_K40", true, 132, 40)]
    [InlineData("wimax_576_0.5", false, 0, 0)]
    [InlineData("N49_K24", false, 0, 0)]
    public void NamePatternIsParsed(string name, bool matches, int n, int k)
    {
        Assert.Equal(matches, LinearBlockCode.TryParseName(name, out var parsedN, out var parsedK));
        if (matches) Assert.Equal((n, k), (parsedN, parsedK));
    }
}
