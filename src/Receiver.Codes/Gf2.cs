using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Receiver.Codes;

/// <summary>Reduced row echelon form of a GF(2) matrix: rows 0..Rank-1 carry a leading one in <see cref="PivotColumns"/> (ascending), the rest are zero.</summary>
/// <param name="Matrix">The reduced matrix, same shape as the input; each pivot column is zero outside its pivot row.</param>
/// <param name="PivotColumns">Column of the leading one of row i, for i &lt; Rank.</param>
public sealed record RowEchelonForm(BitMatrix Matrix, int[] PivotColumns)
{
    /// <summary>GF(2) rank: the number of pivots.</summary>
    public int Rank => PivotColumns.Length;
}

/// <summary>Gaussian elimination over GF(2) on <see cref="BitMatrix"/>: rank, reduced row echelon form, null space. Row operations XOR whole 64-bit words.</summary>
public static class Gf2
{
    /// <summary>GF(2) rank of the matrix (the input is left unchanged).</summary>
    public static int Rank(BitMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return Eliminate(matrix.Clone(), reduce: false, pivots: null);
    }

    /// <summary>GF(2) rank of a parity-check matrix, counting redundant rows once.</summary>
    public static int Rank(ParityCheckMatrix h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return Eliminate(h.ToBitMatrix(), reduce: false, pivots: null);
    }

    /// <summary>Reduced row echelon form of a copy of the matrix, with its pivot columns.</summary>
    public static RowEchelonForm ReducedRowEchelon(BitMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var reduced = matrix.Clone();
        var pivots = new List<int>(Math.Min(matrix.Rows, matrix.Columns));
        Eliminate(reduced, reduce: true, pivots);
        return new RowEchelonForm(reduced, pivots.ToArray());
    }

    /// <summary>
    /// Basis of the null space {x : M x = 0}, one vector per row (a generator matrix of the code whose
    /// parity-check matrix is M). Row i has a one at the i-th non-pivot column of the RREF and ones at
    /// the pivot columns whose RREF rows touch that column.
    /// </summary>
    public static BitMatrix NullSpace(BitMatrix matrix)
    {
        var echelon = ReducedRowEchelon(matrix);
        var free = NonPivotColumns(matrix.Columns, echelon.PivotColumns);
        var basis = new BitMatrix(free.Length, matrix.Columns);
        for (var i = 0; i < free.Length; i++)
        {
            basis[i, free[i]] = true;
            for (var j = 0; j < echelon.Rank; j++)
                if (echelon.Matrix[j, free[i]]) basis[i, echelon.PivotColumns[j]] = true;
        }
        return basis;
    }

    /// <summary>Columns 0..columns-1 that are not in the ascending pivot list, ascending.</summary>
    public static int[] NonPivotColumns(int columns, ReadOnlySpan<int> pivotColumns)
    {
        var free = new int[columns - pivotColumns.Length];
        int next = 0, p = 0;
        for (var c = 0; c < columns; c++)
        {
            if (p < pivotColumns.Length && pivotColumns[p] == c) p++;
            else free[next++] = c;
        }
        return free;
    }

    /// <summary>The rows of <paramref name="top"/> followed by the rows of <paramref name="bottom"/> (same column count).</summary>
    public static BitMatrix StackRows(BitMatrix top, BitMatrix bottom)
    {
        ArgumentNullException.ThrowIfNull(top);
        ArgumentNullException.ThrowIfNull(bottom);
        if (top.Columns != bottom.Columns)
            throw new ArgumentException($"cannot stack a {top.Rows}x{top.Columns} matrix on a {bottom.Rows}x{bottom.Columns} one: column counts differ", nameof(bottom));
        var stacked = new BitMatrix(top.Rows + bottom.Rows, top.Columns);
        for (var r = 0; r < top.Rows; r++) top.Row(r).CopyTo(stacked.Row(r));
        for (var r = 0; r < bottom.Rows; r++) bottom.Row(r).CopyTo(stacked.Row(top.Rows + r));
        return stacked;
    }

    /// <summary>target ^= source, word by word.</summary>
    public static void XorInto(ReadOnlySpan<ulong> source, Span<ulong> target)
    {
        if (source.Length != target.Length) throw new ArgumentException("spans differ in length", nameof(target));
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref var s = ref MemoryMarshal.GetReference(source);
            ref var t = ref MemoryMarshal.GetReference(target);
            for (; i + Vector512<ulong>.Count <= source.Length; i += Vector512<ulong>.Count)
                (Vector512.LoadUnsafe(ref t, (nuint)i) ^ Vector512.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
        }
        for (; i < source.Length; i++) target[i] ^= source[i];
    }

    /// <summary>
    /// In-place elimination; returns the rank. Rows at or below the current pivot row are zero left of
    /// the current column, so row XORs start at the pivot's word. With <paramref name="reduce"/> the
    /// pivot is also cleared from the rows above (RREF); without it only from the rows below.
    /// </summary>
    private static int Eliminate(BitMatrix m, bool reduce, List<int>? pivots)
    {
        var rank = 0;
        for (var c = 0; c < m.Columns && rank < m.Rows; c++)
        {
            var word = c >> 6;
            var bit = 1UL << (c & 63);
            var pivotRow = -1;
            for (var r = rank; r < m.Rows; r++)
                if ((m.Row(r)[word] & bit) != 0) { pivotRow = r; break; }
            if (pivotRow < 0) continue;

            m.SwapRows(rank, pivotRow);
            var pivot = m.Row(rank)[word..];
            for (var r = reduce ? 0 : rank + 1; r < m.Rows; r++)
            {
                if (r == rank) continue;
                var row = m.Row(r);
                if ((row[word] & bit) != 0) XorInto(pivot, row[word..]);
            }
            pivots?.Add(c);
            rank++;
        }
        return rank;
    }
}
