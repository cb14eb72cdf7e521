using System.Numerics;

namespace Receiver.Codes;

/// <summary>Dense GF(2) matrix with each row packed into 64-bit words; row operations are XORs of words.</summary>
public sealed class BitMatrix
{
    private readonly ulong[] _words;

    public int Rows { get; }
    public int Columns { get; }
    public int WordsPerRow { get; }

    public BitMatrix(int rows, int columns)
    {
        Rows = rows;
        Columns = columns;
        WordsPerRow = (columns + 63) >> 6;
        _words = new ulong[rows * WordsPerRow];
    }

    public bool this[int row, int column]
    {
        get => ((_words[row * WordsPerRow + (column >> 6)] >> (column & 63)) & 1) != 0;
        set
        {
            ref var w = ref _words[row * WordsPerRow + (column >> 6)];
            var bit = 1UL << (column & 63);
            w = value ? w | bit : w & ~bit;
        }
    }

    public Span<ulong> Row(int row) => _words.AsSpan(row * WordsPerRow, WordsPerRow);

    public BitMatrix Clone()
    {
        var copy = new BitMatrix(Rows, Columns);
        _words.CopyTo(copy._words, 0);
        return copy;
    }

    public void SwapRows(int a, int b)
    {
        if (a == b) return;
        Span<ulong> tmp = stackalloc ulong[WordsPerRow];
        Row(a).CopyTo(tmp);
        Row(b).CopyTo(Row(a));
        tmp.CopyTo(Row(b));
    }

    /// <summary>row[target] ^= row[source].</summary>
    public void AddRow(int source, int target)
    {
        var s = Row(source);
        var t = Row(target);
        for (var i = 0; i < s.Length; i++) t[i] ^= s[i];
    }

    public int RowWeight(int row)
    {
        var w = 0;
        foreach (var word in Row(row)) w += BitOperations.PopCount(word);
        return w;
    }
}
