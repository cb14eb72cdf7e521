using Receiver.Codes;

namespace Receiver.Decoders.Osd;

/// <summary>
/// A lower bound on the minimum distance of the code of H by meeting in the middle: a nonzero codeword of weight
/// w is a set of w columns of H summing to zero, i.e. two disjoint sets of ceil(w/2) and floor(w/2) columns with
/// equal syndromes. When no two of the column sets of size at most t share a syndrome (nor has one a zero
/// syndrome), d &gt;= 2t + 1; when, beyond that, no set of size t + 1 meets one of them, d &gt;= 2t + 2.
/// </summary>
/// <remarks>
/// Syndromes are compared through a linear map to 128 bits (exact when H has at most 128 rows, a fixed
/// pseudo-random map otherwise): equal syndromes always give equal keys, and a false match between different
/// syndromes can only make the bound smaller, never wrong. The sets enumerated are capped, so the bound is cheap
/// and for long codes weak (but still a bound).
/// </remarks>
public static class MinimumDistance
{
    private const long InsertBudget = 400_000;
    private const long LookupBudget = 2_000_000;

    public static int LowerBound(ParityCheckMatrix h)
    {
        ArgumentNullException.ThrowIfNull(h);
        var n = h.Columns;
        var keys = ColumnKeys(h);
        var t = 0;
        long inserted = 0;
        while (t < n && inserted + Binomial(n, t + 1) <= InsertBudget) inserted += Binomial(n, ++t);
        if (t == 0) return 1;

        var seen = new HashSet<UInt128>((int)inserted + 1) { UInt128.Zero }; // the empty set
        for (var size = 1; size <= t; size++)
            if (!Enumerate(keys, size, 0, UInt128.Zero, seen, insert: true)) return 2 * size - 1;
        if (t < n && Binomial(n, t + 1) <= LookupBudget && Enumerate(keys, t + 1, 0, UInt128.Zero, seen, insert: false))
            return 2 * t + 2;
        return 2 * t + 1;
    }

    /// <summary>
    /// Visits the column sets of <paramref name="size"/> more columns from <paramref name="first"/> on; false at the
    /// first whose key is already in <paramref name="seen"/> (adding each key when <paramref name="insert"/>).
    /// </summary>
    private static bool Enumerate(UInt128[] keys, int size, int first, UInt128 key, HashSet<UInt128> seen, bool insert)
    {
        for (var c = first; c <= keys.Length - size; c++)
        {
            var next = key ^ keys[c];
            if (size > 1)
            {
                if (!Enumerate(keys, size - 1, c + 1, next, seen, insert)) return false;
                continue;
            }
            if (insert ? !seen.Add(next) : seen.Contains(next)) return false;
        }
        return true;
    }

    /// <summary>Key of each column: its syndrome, mapped linearly to 128 bits.</summary>
    private static UInt128[] ColumnKeys(ParityCheckMatrix h)
    {
        var rowKeys = new UInt128[h.Rows];
        var state = 0x9E3779B97F4A7C15UL;
        for (var r = 0; r < h.Rows; r++)
            rowKeys[r] = h.Rows <= 128 ? UInt128.One << r : new UInt128(SplitMix(ref state), SplitMix(ref state));
        var keys = new UInt128[h.Columns];
        for (var c = 0; c < h.Columns; c++)
            foreach (var r in h.ColumnSupport(c)) keys[c] ^= rowKeys[r];
        return keys;
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static long Binomial(int n, int k)
    {
        if (k < 0 || k > n) return 0;
        long result = 1;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
            if (result > long.MaxValue / n) return long.MaxValue / 2;
        }
        return result;
    }
}
