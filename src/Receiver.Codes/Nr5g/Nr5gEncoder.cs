using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Receiver.Codes.Nr5g;

/// <summary>
/// Systematic encoder for a (pruned) 5G NR lifted graph, working block-wise on Z-byte slices.
/// Core (row blocks 0..3): summing the four core rows cancels parity blocks 1..3 (each appears twice with
/// shift 0), leaving one shifted identity on parity block 0, which is thereby solved; parity blocks 1..3 then
/// follow by peeling rows with a single unknown. Each extension row block r has its own parity block with
/// shift 0, so it is the sum of its other blocks. The structure is checked once at construction.
/// </summary>
internal sealed class Nr5gEncoder
{
    private readonly int _z;
    private readonly int _infoColumns;          // systematic column blocks (22 or 10)
    private readonly int[] _rowStart;           // per row block, offsets into _blockColumn/_blockShift
    private readonly int[] _blockColumn;        // column block of each entry, row-major
    private readonly int[] _blockShift;         // shift of each entry
    private readonly int _firstParityShift;     // surviving shift on parity block 0 after summing the core rows
    private readonly (int Row, int Target)[] _corePeelOrder;

    public Nr5gEncoder(QuasiCyclicLayout layout, int infoColumns)
    {
        _z = layout.Z;
        _infoColumns = infoColumns;
        var rows = layout.BaseRows;
        _rowStart = new int[rows + 1];
        _blockColumn = new int[layout.Blocks.Count];
        _blockShift = new int[layout.Blocks.Count];
        for (var i = 0; i < layout.Blocks.Count; i++)
        {
            var block = layout.Blocks[i];
            if (i > 0 && block.Row < layout.Blocks[i - 1].Row) throw new InvalidDataException("blocks must be row-major");
            _rowStart[block.Row + 1] = i + 1;
            _blockColumn[i] = block.Column;
            _blockShift[i] = block.Shift;
        }
        for (var r = 0; r < rows; r++) _rowStart[r + 1] = Math.Max(_rowStart[r + 1], _rowStart[r]);

        _firstParityShift = CheckCore(out _corePeelOrder);
        for (var r = Nr5gBaseGraph.CoreRows; r < rows; r++) CheckExtensionRow(r);
    }

    /// <summary>Writes the graph codeword for <paramref name="info"/> (k bits) into <paramref name="graph"/>.</summary>
    public void Encode(ReadOnlySpan<byte> info, int k, Span<byte> graph)
    {
        var z = _z;
        info.CopyTo(graph);
        graph[k..(_infoColumns * z)].Clear(); // fillers

        const int core = Nr5gBaseGraph.CoreRows;
        Span<byte> lambda = stackalloc byte[core * z]; // systematic part of each core row
        Span<byte> sum = stackalloc byte[z];
        lambda.Clear();
        sum.Clear();
        for (var r = 0; r < core; r++)
        {
            var rowLambda = lambda.Slice(r * z, z);
            for (var e = _rowStart[r]; e < _rowStart[r + 1]; e++)
                if (_blockColumn[e] < _infoColumns) XorRotated(Block(graph, _blockColumn[e]), _blockShift[e], rowLambda);
            XorInto(rowLambda, sum);
        }

        // P x0 = sum, where (P x)[t] = x[(t + s) mod Z]: x0[u] = sum[(u - s) mod Z].
        var firstParity = Block(graph, _infoColumns);
        firstParity.Clear();
        XorRotated(sum, (z - _firstParityShift) % z, firstParity);

        foreach (var (row, target) in _corePeelOrder)
        {
            var targetBits = Block(graph, target);
            lambda.Slice(row * z, z).CopyTo(targetBits);
            for (var e = _rowStart[row]; e < _rowStart[row + 1]; e++)
            {
                var column = _blockColumn[e];
                if (column >= _infoColumns && column != target) XorRotated(Block(graph, column), _blockShift[e], targetBits);
            }
        }

        for (var row = core; row < _rowStart.Length - 1; row++)
        {
            var target = _infoColumns + row;
            var targetBits = Block(graph, target);
            targetBits.Clear();
            for (var e = _rowStart[row]; e < _rowStart[row + 1]; e++)
                if (_blockColumn[e] != target) XorRotated(Block(graph, _blockColumn[e]), _blockShift[e], targetBits);
        }
    }

    private Span<byte> Block(Span<byte> graph, int column) => graph.Slice(column * _z, _z);

    /// <summary>destination[t] ^= source[(t + shift) mod Z].</summary>
    private static void XorRotated(ReadOnlySpan<byte> source, int shift, Span<byte> destination)
    {
        var z = source.Length;
        XorInto(source[shift..], destination[..(z - shift)]);
        XorInto(source[..shift], destination[(z - shift)..]);
    }

    /// <summary>destination ^= source (equal lengths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorInto(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var length = (nuint)source.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 64 <= length; i += 64)
                (Vector512.LoadUnsafe(ref src, i) ^ Vector512.LoadUnsafe(ref dst, i)).StoreUnsafe(ref dst, i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 32 <= length; i += 32)
                (Vector256.LoadUnsafe(ref src, i) ^ Vector256.LoadUnsafe(ref dst, i)).StoreUnsafe(ref dst, i);
        for (; i + 8 <= length; i += 8)
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, i),
                Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, i)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref dst, i)));
        for (; i < length; i++) Unsafe.Add(ref dst, i) ^= Unsafe.Add(ref src, i);
    }

    /// <summary>
    /// Checks the core structure the encoder relies on and returns the surviving shift on parity block 0;
    /// <paramref name="peelOrder"/> gets the (row, parity block) order that solves parity blocks 1..3.
    /// </summary>
    private int CheckCore(out (int Row, int Target)[] peelOrder)
    {
        const int core = Nr5gBaseGraph.CoreRows;
        var firstShifts = new List<int>();
        var unknown = new List<int>[core];
        for (var r = 0; r < core; r++)
        {
            unknown[r] = new List<int>();
            for (var e = _rowStart[r]; e < _rowStart[r + 1]; e++)
            {
                var column = _blockColumn[e];
                if (column == _infoColumns) firstShifts.Add(_blockShift[e]);
                else if (column > _infoColumns)
                {
                    if (column >= _infoColumns + core || _blockShift[e] != 0)
                        throw new InvalidDataException($"core row {r}: parity block {column} must be a core block with shift 0");
                    unknown[r].Add(column);
                }
            }
        }
        for (var c = _infoColumns + 1; c < _infoColumns + core; c++)
            if (unknown.Count(list => list.Contains(c)) != 2)
                throw new InvalidDataException($"core parity block {c} must appear in exactly two core rows");

        // Equal shifts cancel in pairs; exactly one must survive for the core sum to be invertible.
        var surviving = firstShifts.GroupBy(s => s).Where(g => g.Count() % 2 == 1).Select(g => g.Key).ToList();
        if (surviving.Count != 1) throw new InvalidDataException("core rows do not sum to a single shifted identity on parity block 0");

        var order = new List<(int, int)>();
        var solved = new HashSet<int>();
        var used = new bool[core];
        while (solved.Count < core - 1)
        {
            var row = Enumerable.Range(0, core).FirstOrDefault(r => !used[r] && unknown[r].Count(c => !solved.Contains(c)) == 1, -1);
            if (row < 0) throw new InvalidDataException("core parity blocks cannot be solved by peeling");
            var target = unknown[row].First(c => !solved.Contains(c));
            order.Add((row, target));
            solved.Add(target);
            used[row] = true;
        }
        peelOrder = order.ToArray();
        return surviving[0];
    }

    private void CheckExtensionRow(int row)
    {
        var own = _infoColumns + row;
        var hasOwn = false;
        for (var e = _rowStart[row]; e < _rowStart[row + 1]; e++)
        {
            var column = _blockColumn[e];
            if (column == own) hasOwn = _blockShift[e] == 0;
            else if (column >= _infoColumns + Nr5gBaseGraph.CoreRows)
                throw new InvalidDataException($"extension row {row} touches parity block {column} of another extension row");
        }
        if (!hasOwn) throw new InvalidDataException($"extension row {row} lacks its own parity block with shift 0");
    }
}
