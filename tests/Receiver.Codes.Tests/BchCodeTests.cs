using System.Runtime.CompilerServices;
using Receiver.Codes.Bch;

namespace Receiver.Codes.Tests;

public class BchCodeTests
{
    [Theory]
    [InlineData(4, 2, 7)]
    [InlineData(4, 3, 5)]
    [InlineData(5, 3, 16)]
    [InlineData(5, 5, 11)]
    [InlineData(6, 2, 51)]
    [InlineData(6, 3, 45)]
    [InlineData(6, 4, 39)]
    [InlineData(6, 5, 36)]
    [InlineData(6, 7, 24)]
    [InlineData(6, 10, 18)]
    [InlineData(7, 3, 106)]
    [InlineData(7, 10, 64)]
    [InlineData(8, 2, 239)]
    [InlineData(10, 1, 1013)]
    public void DimensionMatchesTheBchTables(int m, int t, int k)
    {
        var code = BchCode.Create(m, t);
        Assert.Equal((1 << m) - 1, code.N);
        Assert.Equal(k, code.K);
        Assert.Equal(code.N - code.K + 1, code.Generator.Length);
    }

    [Fact]
    public void GeneratorsOfLength15MatchTheTextbook()
    {
        // x^4 + x + 1: g = x^8 + x^7 + x^6 + x^4 + 1 (t = 2), x^10 + x^8 + x^5 + x^4 + x^2 + x + 1 (t = 3).
        Assert.Equal(new byte[] { 1, 0, 0, 0, 1, 0, 1, 1, 1 }, BchCode.Create(4, 2).Generator.ToArray());
        Assert.Equal(new byte[] { 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1 }, BchCode.Create(4, 3).Generator.ToArray());
    }

    [Theory]
    [InlineData(4, 2, 5)]
    [InlineData(5, 3, 7)]
    public void MinimumDistanceIsTheDesignedDistance(int m, int t, int distance)
    {
        var code = BchCode.Create(m, t);
        var info = new byte[code.K];
        var codeword = new byte[code.N];
        var minimum = int.MaxValue;
        for (var u = 1; u < 1 << code.K; u++)
        {
            for (var i = 0; i < code.K; i++) info[i] = (byte)((u >> i) & 1);
            code.Encode(info, codeword);
            minimum = Math.Min(minimum, codeword.Count(b => b != 0));
        }
        Assert.Equal(distance, minimum);
    }

    [Fact]
    public void EncodingIsSystematicAndSatisfiesTheBuiltParityChecks()
    {
        var code = BchCode.Create(6, 5);
        var h = code.CreateParityCheckMatrix();
        Assert.Equal(code.N - code.K, Gf2.Rank(h));
        var random = new Random(7);
        var info = new byte[code.K];
        var codeword = new byte[code.N];
        for (var trial = 0; trial < 200; trial++)
        {
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            code.Encode(info, codeword);
            Assert.True(h.IsCodeword(codeword));
            Assert.Equal(info, codeword[(code.N - code.K)..]);
        }
    }

    [Theory]
    [InlineData("BCH_N31_K16", 5, 0b100101, 3)]
    [InlineData("BCH_N63_K36", 6, 0b1000011, 5)]
    [InlineData("BCH_N63_K45", 6, 0b1000011, 3)]
    [InlineData("BCH_N63_K51", 6, 0b1000011, 2)]
    public void IdentifiesTheBundledBchFiles(string file, int m, int polynomial, int t)
    {
        var code = LoadCode(file);
        var bch = BchCode.Identify(code);
        Assert.Equal(m, bch.Field.M);
        Assert.Equal(polynomial, bch.Field.PrimitivePolynomial);
        Assert.Equal(code.N, bch.N);
        Assert.Equal(code.K, bch.K);
        Assert.Equal(t, bch.T);
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(8, 4)]
    [InlineData(10, 3)]
    public void IdentifiesItsOwnParityCheckMatrix(int m, int t)
    {
        var code = BchCode.Create(m, t);
        Assert.True(BchCode.TryIdentify(code.CreateParityCheckMatrix(), code.K, out var found, out var reason), reason);
        Assert.Equal(t, found.T);
    }

    [Fact]
    public void RejectsAnLdpcCode()
    {
        var error = Assert.Throws<ArgumentException>(() => BchCode.Identify(LoadCode("LDPC_N49_K24")));
        Assert.Contains("is not a narrow-sense BCH code in natural order", error.Message);
    }

    [Fact]
    public void RejectsReversedColumnOrder()
    {
        // Reversed columns describe the reciprocal generator, a different (equivalent) code.
        var h = LoadCode("BCH_N63_K36").H;
        var reversed = Transform(h, h.Rows, (row, column) => (row, h.Columns - 1 - column));
        Assert.False(BchCode.TryIdentify(reversed, 36, out _, out var reason));
        Assert.Contains("violates", reason);
    }

    [Fact]
    public void RejectsAMatrixWithAMissingCheck()
    {
        var h = LoadCode("BCH_N63_K45").H;
        var truncated = Transform(h, h.Rows - 1, (row, column) => (row, column));
        Assert.False(BchCode.TryIdentify(truncated, 45, out _, out var reason));
        Assert.Contains("rank", reason);
        Assert.False(BchCode.TryIdentify(h, 44, out _, out reason));
        Assert.Contains("dimension 44", reason);
    }

    private static IBlockCode LoadCode(string name, [CallerFilePath] string here = "") =>
        CodeLibrary.Load(name, Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "codes"));

    private static ParityCheckMatrix Transform(ParityCheckMatrix h, int rows, Func<int, int, (int Row, int Column)> map)
    {
        var dense = new byte[rows, h.Columns];
        for (var r = 0; r < h.Rows; r++)
            foreach (var c in h.RowSupport(r))
            {
                var (row, column) = map(r, c);
                if (row < rows) dense[row, column] = 1;
            }
        return ParityCheckMatrix.FromDense(dense);
    }
}
