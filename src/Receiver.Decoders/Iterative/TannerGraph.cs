using System.Runtime.CompilerServices;
using Receiver.Codes;

[assembly: InternalsVisibleTo("Receiver.Decoders.Tests")]

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Flat edge arrays of H for message-passing kernels: edges are numbered row-major, and every
/// column lists its edges so variable-node sums walk one small index array.
/// </summary>
internal sealed class TannerGraph
{
    public int Rows { get; }
    public int Columns { get; }
    public int Edges { get; }
    public int MaxRowWeight { get; }

    /// <summary>Row r owns edges [RowStart[r], RowStart[r + 1]).</summary>
    public int[] RowStart { get; }

    /// <summary>Column of each edge, row-major.</summary>
    public int[] EdgeColumn { get; }

    /// <summary>Column c owns slots [ColumnStart[c], ColumnStart[c + 1]) of <see cref="ColumnEdge"/>.</summary>
    public int[] ColumnStart { get; }

    /// <summary>Row-major edge index of each column-major slot.</summary>
    public int[] ColumnEdge { get; }

    public TannerGraph(ParityCheckMatrix h)
    {
        Rows = h.Rows;
        Columns = h.Columns;
        Edges = h.EdgeCount;
        RowStart = h.RowStart.ToArray();
        EdgeColumn = h.EdgeColumns.ToArray();
        ColumnStart = h.ColumnStart.ToArray();
        ColumnEdge = new int[Edges];
        for (var c = 0; c < Columns; c++) h.ColumnEdges(c).CopyTo(ColumnEdge.AsSpan(ColumnStart[c]));
        for (var r = 0; r < Rows; r++) MaxRowWeight = Math.Max(MaxRowWeight, h.RowWeight(r));
    }

    /// <summary>Number of rows whose parity of hard decisions (L &lt; 0 means 1) is odd.</summary>
    public int UnsatisfiedChecks<T>(ReadOnlySpan<T> posterior) where T : struct, System.Numerics.INumber<T>
    {
        var unsatisfied = 0;
        for (var r = 0; r < Rows; r++) unsatisfied += RowParity(posterior, r);
        return unsatisfied;
    }

    /// <summary>True when every row has even parity; stops at the first odd row.</summary>
    public bool AllChecksSatisfied<T>(ReadOnlySpan<T> posterior) where T : struct, System.Numerics.INumber<T>
    {
        for (var r = 0; r < Rows; r++)
            if (RowParity(posterior, r) != 0) return false;
        return true;
    }

    private int RowParity<T>(ReadOnlySpan<T> posterior, int row) where T : struct, System.Numerics.INumber<T>
    {
        var parity = 0;
        for (var e = RowStart[row]; e < RowStart[row + 1]; e++)
            parity ^= posterior[EdgeColumn[e]] < T.Zero ? 1 : 0;
        return parity;
    }

    /// <summary>Hard decision of a posterior: L &lt; 0 gives bit 1.</summary>
    public static void HardDecision<T>(ReadOnlySpan<T> posterior, Span<byte> bits) where T : struct, System.Numerics.INumber<T>
    {
        for (var c = 0; c < posterior.Length; c++) bits[c] = posterior[c] < T.Zero ? (byte)1 : (byte)0;
    }
}
