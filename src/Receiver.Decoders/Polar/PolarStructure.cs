using System.Numerics;
using Receiver.Codes;

namespace Receiver.Decoders.Polar;

/// <summary>
/// The frozen set of a polar code recovered from its parity-check matrix. With the polar transform
/// G_N = F^{(x)n}, F = [[1,0],[1,1]] (no bit reversal), a codeword is x = u G_N with the frozen u_i = 0, so the
/// code is spanned by the rows g_i of G_N at the information indices. Row g_i is a codeword exactly when H g_i = 0;
/// the rows of G_N are independent, so for a polar code exactly K of them pass and span the code, and every other
/// index is frozen. Anything else (N not a power of two, another count) is not a polar code in this convention.
/// </summary>
public sealed class PolarStructure
{
    private PolarStructure(bool[] frozen) => Frozen = frozen;

    /// <summary>Frozen flag per index of u (natural order, length N).</summary>
    public IReadOnlyList<bool> Frozen { get; }

    /// <summary>Information indices, ascending.</summary>
    public IEnumerable<int> InformationIndices => Enumerable.Range(0, Frozen.Count).Where(i => !Frozen[i]);

    /// <summary>Recovers and verifies the frozen set; null with <paramref name="reason"/> when the code is not polar.</summary>
    public static PolarStructure? TryRecover(IBlockCode code, out string reason)
    {
        ArgumentNullException.ThrowIfNull(code);
        var n = code.H.Columns;
        if (code.N != n || n < 2 || !BitOperations.IsPow2(n))
        {
            reason = $"{code.Name}: a polar code has N a power of two and no punctured bits (N = {code.N}, graph {n})";
            return null;
        }
        var row = new byte[n];
        var frozen = new bool[n];
        var information = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) row[j] = (byte)((i & j) == j ? 1 : 0); // G_N[i, j] = 1 iff the bits of j are a subset of those of i
            frozen[i] = !code.H.IsCodeword(row);
            if (!frozen[i]) information++;
        }
        if (information != n - Gf2.Rank(code.H))
        {
            reason = $"{code.Name}: {information} rows of the polar transform are codewords, but the code has dimension {n - Gf2.Rank(code.H)}: not a polar code (x = u F^(x)n)";
            return null;
        }
        reason = "";
        return new PolarStructure(frozen);
    }
}
