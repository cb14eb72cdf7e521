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
    [InlineData("BCH_N31_K16.txt", 5, 0b100101, 3)]
    [InlineData("BCH_N63_K36.txt", 6, 0b1000011, 5)]
    [InlineData("BCH_N63_K45.txt", 6, 0b1000011, 3)]
    [InlineData("BCH_N63_K51.txt", 6, 0b1000011, 2)]
    public void IdentifiesTheBundledBchFiles(string file, int m, int polynomial, int t)
    {
        var h = BchTestFiles.LoadDense(file);
        var k = BchTestFiles.NominalK(file);
        var bch = BchCode.Identify(new MatrixOnlyCode(file, h, k));
        Assert.Equal(m, bch.Field.M);
        Assert.Equal(polynomial, bch.Field.PrimitivePolynomial);
        Assert.Equal(h.Columns, bch.N);
        Assert.Equal(k, bch.K);
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
        var h = BchTestFiles.LoadAlist("LDPC_N49_K24.alist");
        var error = Assert.Throws<ArgumentException>(() => BchCode.Identify(new MatrixOnlyCode("LDPC_N49_K24", h, 24)));
        Assert.Contains("is not a narrow-sense BCH code in natural order", error.Message);
    }

    [Fact]
    public void RejectsReversedColumnOrder()
    {
        // Reversed columns describe the reciprocal generator, a different (equivalent) code.
        var h = BchTestFiles.LoadDense("BCH_N63_K36.txt");
        var reversed = Transform(h, h.Rows, (row, column) => (row, h.Columns - 1 - column));
        Assert.False(BchCode.TryIdentify(reversed, 36, out _, out var reason));
        Assert.Contains("violates", reason);
    }

    [Fact]
    public void RejectsAMatrixWithAMissingCheck()
    {
        var h = BchTestFiles.LoadDense("BCH_N63_K45.txt");
        var truncated = Transform(h, h.Rows - 1, (row, column) => (row, column));
        Assert.False(BchCode.TryIdentify(truncated, 45, out _, out var reason));
        Assert.Contains("rank", reason);
        Assert.False(BchCode.TryIdentify(h, 44, out _, out reason));
        Assert.Contains("dimension 44", reason);
    }

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

/// <summary>An IBlockCode that only carries H (Identify reads nothing else).</summary>
internal sealed class MatrixOnlyCode(string name, ParityCheckMatrix h, int k) : IBlockCode
{
    public string Name => name;
    public int N => h.Columns;
    public int K => k;
    public ParityCheckMatrix H => h;
    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted) => throw new NotSupportedException();
    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => channelLlr.CopyTo(graphLlr);
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => graphBits.CopyTo(transmitted);
    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => throw new NotSupportedException();
}

/// <summary>Reads the bundled code files of the repository's codes/ folder.</summary>
internal static class BchTestFiles
{
    public static string CodesDirectory([CallerFilePath] string sourceFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "..", "codes"));

    public static int NominalK(string file) => int.Parse(file.Split('_', '.')[2][1..]);

    public static ParityCheckMatrix LoadDense(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(CodesDirectory(), file)).Where(l => l.Trim().Length > 0).ToArray();
        var rows = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
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
