using Receiver.Codes;

namespace Receiver.Neural;

/// <summary>
/// Recomputes the erased graph columns of a punctured code (5G NR: the punctured systematic bits and the
/// untransmitted parity, LLR 0 after <see cref="IBlockCode.ToGraphLlr"/>) from the other decided bits: H_E e = H_R r
/// over GF(2). A neural decoder sees LLR 0 there and has no hard decision to correct, so it cannot recover them
/// itself; when the decided transmitted bits are right, this gives the erased ones exactly. Built only when H_E
/// has full column rank (the erased bits are then determined).
/// </summary>
public sealed class ErasedBitSolver
{
    private readonly ParityCheckMatrix _h;
    private readonly int[] _erased;
    private readonly int[][] _rowsOf; // erased column i = XOR of the syndrome bits of these rows (with erased bits at 0)

    private ErasedBitSolver(ParityCheckMatrix h, int[] erased, int[][] rowsOf) => (_h, _erased, _rowsOf) = (h, erased, rowsOf);

    /// <summary>The erased graph columns, ascending.</summary>
    public IReadOnlyList<int> Erased => _erased;

    /// <summary>The solver for <paramref name="code"/>, or null when it erases no column or H_E lacks full column rank.</summary>
    public static ErasedBitSolver? Create(IBlockCode code)
    {
        var h = code.H;
        if (code.N == h.Columns) return null;
        var erased = GraphColumnRoles.Of(code).Erased;
        if (erased.Length == 0) return null;

        // [H_E | I]: row-reduce H_E and track which original rows each reduced row sums.
        var position = new Dictionary<int, int>();
        for (var i = 0; i < erased.Length; i++) position[erased[i]] = i;
        var work = new BitMatrix(h.Rows, erased.Length + h.Rows);
        for (var row = 0; row < h.Rows; row++)
        {
            foreach (var column in h.RowSupport(row))
                if (position.TryGetValue(column, out var i)) work[row, i] = true;
            work[row, erased.Length + row] = true;
        }
        var rowsOf = new int[erased.Length][];
        var pivotRow = 0;
        for (var i = 0; i < erased.Length; i++)
        {
            var pivot = -1;
            for (var row = pivotRow; row < h.Rows && pivot < 0; row++)
                if (work[row, i]) pivot = row;
            if (pivot < 0) return null; // not determined by the other bits
            work.SwapRows(pivot, pivotRow);
            for (var row = 0; row < h.Rows; row++)
                if (row != pivotRow && work[row, i]) work.AddRow(pivotRow, row);
            pivotRow++;
        }
        for (var i = 0; i < erased.Length; i++)
            rowsOf[i] = Enumerable.Range(0, h.Rows).Where(row => work[i, erased.Length + row]).ToArray();
        return new ErasedBitSolver(h, erased, rowsOf);
    }

    /// <summary>Overwrites the erased columns of one frame's graph bits; <paramref name="syndrome"/> is scratch of H.Rows bytes.</summary>
    public void Fill(Span<byte> bits, Span<byte> syndrome)
    {
        foreach (var column in _erased) bits[column] = 0;
        for (var row = 0; row < _h.Rows; row++)
        {
            var parity = 0;
            foreach (var column in _h.RowSupport(row)) parity ^= bits[column];
            syndrome[row] = (byte)parity;
        }
        for (var i = 0; i < _erased.Length; i++)
        {
            var value = 0;
            foreach (var row in _rowsOf[i]) value ^= syndrome[row];
            bits[_erased[i]] = (byte)value;
        }
    }
}
