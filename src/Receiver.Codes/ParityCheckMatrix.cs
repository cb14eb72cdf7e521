namespace Receiver.Codes;

/// <summary>
/// A sparse binary parity-check matrix H (m rows by n columns) kept in both row-major and
/// column-major compressed form, so check-node and variable-node passes both walk contiguous
/// index arrays. Redundant rows are kept: the syndrome uses every row, as the papers do.
/// </summary>
public sealed class ParityCheckMatrix
{
    private readonly int[] _rowStart;   // m + 1 offsets into _rowColumns
    private readonly int[] _rowColumns; // column index of each edge, row-major, ascending per row
    private readonly int[] _colStart;   // n + 1 offsets into _colRows
    private readonly int[] _colRows;    // row index of each edge, column-major, ascending per column
    private readonly int[] _colEdge;    // for each column-major edge, its row-major edge index

    public int Rows { get; }
    public int Columns { get; }
    public int EdgeCount => _rowColumns.Length;

    private ParityCheckMatrix(int rows, int columns, int[] rowStart, int[] rowColumns)
    {
        Rows = rows;
        Columns = columns;
        _rowStart = rowStart;
        _rowColumns = rowColumns;

        var colCount = new int[columns + 1];
        foreach (var c in rowColumns) colCount[c + 1]++;
        for (var c = 0; c < columns; c++) colCount[c + 1] += colCount[c];
        _colStart = colCount;
        _colRows = new int[rowColumns.Length];
        _colEdge = new int[rowColumns.Length];
        var fill = (int[])colCount.Clone();
        for (var r = 0; r < rows; r++)
        {
            for (var e = rowStart[r]; e < rowStart[r + 1]; e++)
            {
                var slot = fill[rowColumns[e]]++;
                _colRows[slot] = r;
                _colEdge[slot] = e;
            }
        }
    }

    /// <summary>Builds H from the column indices of each row (duplicates within a row cancel, as over GF(2)).</summary>
    public static ParityCheckMatrix FromRowSupports(int rows, int columns, IReadOnlyList<IEnumerable<int>> rowSupports)
    {
        if (rows <= 0 || columns <= 0) throw new ArgumentOutOfRangeException(nameof(rows), "H needs at least one row and one column.");
        if (rowSupports.Count != rows) throw new ArgumentException($"expected {rows} rows, got {rowSupports.Count}", nameof(rowSupports));
        var rowStart = new int[rows + 1];
        var columnsList = new List<int>();
        for (var r = 0; r < rows; r++)
        {
            var set = new SortedSet<int>();
            foreach (var c in rowSupports[r])
            {
                if ((uint)c >= (uint)columns) throw new ArgumentOutOfRangeException(nameof(rowSupports), $"row {r}: column {c} outside 0..{columns - 1}");
                if (!set.Add(c)) set.Remove(c);
            }
            columnsList.AddRange(set);
            rowStart[r + 1] = columnsList.Count;
        }
        return new ParityCheckMatrix(rows, columns, rowStart, columnsList.ToArray());
    }

    /// <summary>Builds H from a dense 0/1 matrix [m, n].</summary>
    public static ParityCheckMatrix FromDense(byte[,] dense)
    {
        int m = dense.GetLength(0), n = dense.GetLength(1);
        var rows = new List<IEnumerable<int>>(m);
        for (var r = 0; r < m; r++)
        {
            var support = new List<int>();
            for (var c = 0; c < n; c++)
                if (dense[r, c] != 0) support.Add(c);
            rows.Add(support);
        }
        return FromRowSupports(m, n, rows);
    }

    /// <summary>Column indices of row r, ascending.</summary>
    public ReadOnlySpan<int> RowSupport(int row) => _rowColumns.AsSpan(_rowStart[row], _rowStart[row + 1] - _rowStart[row]);

    /// <summary>Row indices of column c, ascending.</summary>
    public ReadOnlySpan<int> ColumnSupport(int column) => _colRows.AsSpan(_colStart[column], _colStart[column + 1] - _colStart[column]);

    /// <summary>Row-major edge indices (positions in <see cref="EdgeColumns"/>) of column c's edges, in the order of <see cref="ColumnSupport"/>.</summary>
    public ReadOnlySpan<int> ColumnEdges(int column) => _colEdge.AsSpan(_colStart[column], _colStart[column + 1] - _colStart[column]);

    /// <summary>CSR offsets of the rows (length m + 1): row r owns edges [RowStart[r], RowStart[r+1]).</summary>
    public ReadOnlySpan<int> RowStart => _rowStart;

    /// <summary>Column index of every edge in row-major order.</summary>
    public ReadOnlySpan<int> EdgeColumns => _rowColumns;

    /// <summary>CSR offsets of the columns (length n + 1).</summary>
    public ReadOnlySpan<int> ColumnStart => _colStart;

    public int RowWeight(int row) => _rowStart[row + 1] - _rowStart[row];
    public int ColumnWeight(int column) => _colStart[column + 1] - _colStart[column];

    /// <summary>Number of unsatisfied checks of a hard-decision word (bits are 0/1 bytes, length n).</summary>
    public int SyndromeWeight(ReadOnlySpan<byte> bits)
    {
        if (bits.Length < Columns) throw new ArgumentException($"need {Columns} bits, got {bits.Length}", nameof(bits));
        var weight = 0;
        for (var r = 0; r < Rows; r++)
        {
            var parity = 0;
            foreach (var c in RowSupport(r)) parity ^= bits[c];
            weight += parity & 1;
        }
        return weight;
    }

    /// <summary>True when H c = 0 over GF(2).</summary>
    public bool IsCodeword(ReadOnlySpan<byte> bits)
    {
        if (bits.Length < Columns) throw new ArgumentException($"need {Columns} bits, got {bits.Length}", nameof(bits));
        for (var r = 0; r < Rows; r++)
        {
            var parity = 0;
            foreach (var c in RowSupport(r)) parity ^= bits[c];
            if ((parity & 1) != 0) return false;
        }
        return true;
    }

    /// <summary>Dense copy as a GF(2) bit matrix (for rank, RREF, generator).</summary>
    public BitMatrix ToBitMatrix()
    {
        var m = new BitMatrix(Rows, Columns);
        for (var r = 0; r < Rows; r++)
            foreach (var c in RowSupport(r)) m[r, c] = true;
        return m;
    }
}
