using Receiver.Codes;

namespace Receiver.Codes.Tests;

public class Gf2Tests
{
    private static BitMatrix Random(int rows, int columns, Random random, double density = 0.5)
    {
        var m = new BitMatrix(rows, columns);
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                m[r, c] = random.NextDouble() < density;
        return m;
    }

    /// <summary>Textbook elimination on a bool array, as an independent reference.</summary>
    private static int ReferenceRank(BitMatrix m)
    {
        var a = new bool[m.Rows, m.Columns];
        for (var r = 0; r < m.Rows; r++)
            for (var c = 0; c < m.Columns; c++)
                a[r, c] = m[r, c];
        var rank = 0;
        for (var c = 0; c < m.Columns && rank < m.Rows; c++)
        {
            var p = rank;
            while (p < m.Rows && !a[p, c]) p++;
            if (p == m.Rows) continue;
            for (var k = 0; k < m.Columns; k++) (a[rank, k], a[p, k]) = (a[p, k], a[rank, k]);
            for (var r = 0; r < m.Rows; r++)
                if (r != rank && a[r, c])
                    for (var k = 0; k < m.Columns; k++) a[r, k] ^= a[rank, k];
            rank++;
        }
        return rank;
    }

    [Theory]
    [InlineData(5, 9, 0.5)]
    [InlineData(40, 70, 0.5)]
    [InlineData(70, 40, 0.5)]
    [InlineData(64, 64, 0.5)]
    [InlineData(100, 700, 0.02)] // wider than one Vector512 of words
    [InlineData(30, 600, 0.001)] // mostly zero columns
    public void RankMatchesReference(int rows, int columns, double density)
    {
        var random = new Random(rows * 1000 + columns);
        for (var trial = 0; trial < 5; trial++)
        {
            var m = Random(rows, columns, random, density);
            // Plant dependent rows so the rank falls below min(rows, columns).
            if (rows > 3) { m.Row(1).CopyTo(m.Row(rows - 1)); m.AddRow(2, rows - 1); }
            Assert.Equal(ReferenceRank(m), Gf2.Rank(m));
        }
    }

    [Fact]
    public void RankOfIdentityAndZero()
    {
        var identity = new BitMatrix(130, 130);
        for (var i = 0; i < 130; i++) identity[i, i] = true;
        Assert.Equal(130, Gf2.Rank(identity));
        Assert.Equal(0, Gf2.Rank(new BitMatrix(7, 200)));
    }

    [Fact]
    public void RankLeavesInputUnchanged()
    {
        var m = Random(20, 90, new Random(3));
        var before = m.Clone();
        Gf2.Rank(m);
        Gf2.ReducedRowEchelon(m);
        for (var r = 0; r < m.Rows; r++) Assert.Equal(before.Row(r).ToArray(), m.Row(r).ToArray());
    }

    [Theory]
    [InlineData(12, 20)]
    [InlineData(50, 130)]
    [InlineData(140, 100)]
    public void ReducedRowEchelonHasItsDefiningProperties(int rows, int columns)
    {
        var m = Random(rows, columns, new Random(rows + columns));
        m.Row(0).CopyTo(m.Row(rows - 1));
        var rref = Gf2.ReducedRowEchelon(m);
        var e = rref.Matrix;

        Assert.Equal(Gf2.Rank(m), rref.Rank);
        for (var i = 0; i < rref.Rank; i++)
        {
            var pivot = rref.PivotColumns[i];
            if (i > 0) Assert.True(pivot > rref.PivotColumns[i - 1]);
            for (var c = 0; c < pivot; c++) Assert.False(e[i, c]);
            for (var r = 0; r < rows; r++) Assert.Equal(r == i, e[r, pivot]);
        }
        for (var r = rref.Rank; r < rows; r++) Assert.Equal(0, e.RowWeight(r));
        // Same row space: stacking adds nothing.
        Assert.Equal(rref.Rank, Gf2.Rank(Gf2.StackRows(m, e)));
    }

    [Fact]
    public void NullSpaceSpansTheKernel()
    {
        var m = Random(30, 75, new Random(11));
        m.Row(0).CopyTo(m.Row(29));
        var basis = Gf2.NullSpace(m);
        var rank = Gf2.Rank(m);
        Assert.Equal(75 - rank, basis.Rows);
        Assert.Equal(basis.Rows, Gf2.Rank(basis));
        for (var b = 0; b < basis.Rows; b++)
            for (var r = 0; r < m.Rows; r++)
            {
                var parity = 0;
                for (var c = 0; c < m.Columns; c++) parity ^= m[r, c] && basis[b, c] ? 1 : 0;
                Assert.Equal(0, parity);
            }
    }

    [Fact]
    public void NonPivotColumnsComplementThePivots()
    {
        Assert.Equal(new[] { 1, 3, 4, 6 }, Gf2.NonPivotColumns(7, [0, 2, 5]));
    }

    [Fact]
    public void StackRowsRejectsDifferentWidths()
    {
        Assert.Throws<ArgumentException>(() => Gf2.StackRows(new BitMatrix(2, 5), new BitMatrix(2, 6)));
    }

    [Fact]
    public void XorIntoMatchesScalarXor()
    {
        var random = new Random(5);
        var a = Enumerable.Range(0, 37).Select(_ => (ulong)random.NextInt64()).ToArray();
        var b = Enumerable.Range(0, 37).Select(_ => (ulong)random.NextInt64()).ToArray();
        var expected = a.Zip(b, (x, y) => x ^ y).ToArray();
        Gf2.XorInto(a, b);
        Assert.Equal(expected, b);
    }

    [Fact]
    public void CrossMptPolarVariantSpansTheSameRowSpaceAsEcct()
    {
        var ecct = TestCodes.Read("POLAR_N128_K64.txt").ToBitMatrix();
        var crossMpt = TestCodes.Read("crossmpt_variant/POLAR_N128_K64.txt").ToBitMatrix();
        Assert.Equal(64, Gf2.Rank(ecct));
        Assert.Equal(64, Gf2.Rank(crossMpt));
        Assert.Equal(64, Gf2.Rank(Gf2.StackRows(ecct, crossMpt)));
    }
}
