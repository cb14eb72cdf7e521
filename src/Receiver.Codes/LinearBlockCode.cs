using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;

namespace Receiver.Codes;

/// <summary>
/// A plain binary linear code given by its parity-check matrix: the decoding graph is the
/// transmitted word (N = H.Columns), and encoding is systematic from the reduced row echelon form
/// of H. Redundant rows of H are kept for decoding; K is n - rank(H).
/// </summary>
/// <remarks>
/// Information bits sit at the non-pivot columns of RREF(H) (<see cref="InformationPositions"/>,
/// ascending); the parity bit at pivot column p_j is the XOR of the information bits that RREF row j
/// touches. For each information bit the set of parities it feeds is precomputed as a packed word
/// vector (its column of RREF(H) restricted to the pivot rows), so encoding XORs, branch-free, one
/// short vector per information bit into a parity accumulator.
/// </remarks>
public sealed partial class LinearBlockCode : IBlockCode
{
    private readonly int[] _informationPositions; // K ascending graph columns carrying the info bits
    private readonly int[] _parityPositions;      // rank pivot columns of RREF(H), ascending
    private readonly ulong[] _parityColumns;      // K x _parityStride words: bit j of block i set when parity j sums info bit i
    private readonly int _parityStride;           // words per block: rank bits rounded up to whole Vector256s when those are accelerated

    /// <summary>Builds the code and its systematic encoder.</summary>
    /// <param name="h">Parity-check matrix; redundant rows allowed.</param>
    /// <param name="name">Code name; when it has the form <c>{TYPE}_N{n}_K{k}</c> its n and k are checked against H.</param>
    /// <param name="nominalK">Optional expected dimension, checked like the name's k.</param>
    /// <exception cref="CodeFormatException">The name or <paramref name="nominalK"/> disagrees with H, or H leaves no information bits.</exception>
    public LinearBlockCode(ParityCheckMatrix h, string name, int? nominalK = null)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        H = h;
        Name = name;
        var n = h.Columns;

        int? namedK = null;
        if (TryParseName(name, out var nameN, out var nameK))
        {
            if (nameK > nameN) throw new CodeFormatException($"code {name}: K = {nameK} exceeds N = {nameN}");
            if (nameN != n) throw new CodeFormatException($"code {name}: the name says N = {nameN} but H has {n} columns");
            namedK = nameK;
        }
        if (nominalK is { } k0)
        {
            if (k0 <= 0 || k0 > n) throw new CodeFormatException($"code {name}: nominal K = {k0} is outside 1..N = {n}");
            if (namedK is { } k1 && k1 != k0) throw new CodeFormatException($"code {name}: nominal K = {k0} contradicts the name's K = {k1}");
            namedK = k0;
        }

        var echelon = Gf2.ReducedRowEchelon(h.ToBitMatrix());
        Rank = echelon.Rank;
        var dimension = n - Rank;
        if (namedK is { } expected && expected != dimension)
            throw new CodeFormatException(
                $"code {name}: K = {expected} but H ({h.Rows}x{n}, GF(2) rank {Rank}) defines a code of dimension n - rank = {dimension}");
        if (dimension == 0)
            throw new CodeFormatException($"code {name}: H ({h.Rows}x{n}) has rank {Rank} = n, so the code has no information bits");

        _parityPositions = echelon.PivotColumns;
        _informationPositions = Gf2.NonPivotColumns(n, _parityPositions);
        var parityWords = (Rank + 63) >> 6;
        _parityStride = Vector256.IsHardwareAccelerated ? (parityWords + 3) & ~3 : parityWords;
        _parityColumns = new ulong[dimension * _parityStride];
        var infoIndexOfColumn = new int[n];
        Array.Fill(infoIndexOfColumn, -1);
        for (var i = 0; i < dimension; i++) infoIndexOfColumn[_informationPositions[i]] = i;
        for (var j = 0; j < Rank; j++)
        {
            var row = echelon.Matrix.Row(j);
            for (var w = 0; w < row.Length; w++)
            {
                for (var bits = row[w]; bits != 0; bits &= bits - 1)
                {
                    var info = infoIndexOfColumn[(w << 6) + BitOperations.TrailingZeroCount(bits)];
                    if (info >= 0) _parityColumns[info * _parityStride + (j >> 6)] |= 1UL << (j & 63);
                }
            }
        }
    }

    public string Name { get; }

    /// <summary>Code length, equal to <c>H.Columns</c>.</summary>
    public int N => H.Columns;

    /// <summary>Information bits per codeword, equal to <see cref="Dimension"/>.</summary>
    public int K => _informationPositions.Length;

    public ParityCheckMatrix H { get; }

    /// <summary>GF(2) rank of H (below H.Rows when H has redundant rows).</summary>
    public int Rank { get; }

    /// <summary>Code dimension n - rank(H).</summary>
    public int Dimension => _informationPositions.Length;

    /// <summary>Codeword positions of the K information bits, ascending (the non-pivot columns of RREF(H)).</summary>
    public ReadOnlySpan<int> InformationPositions => _informationPositions;

    /// <summary>Codeword positions of the rank parity bits, ascending (the pivot columns of RREF(H)).</summary>
    public ReadOnlySpan<int> ParityPositions => _parityPositions;

    /// <summary>
    /// Splits a name of the form <c>{TYPE}_N{n}_K{k}</c> (TYPE may contain underscores, e.g.
    /// LTE_TURBO_N132_K40) into n and k; false for other names.
    /// </summary>
    public static bool TryParseName(string name, out int n, out int k)
    {
        n = k = 0;
        var match = NamePattern().Match(name);
        return match.Success
            && int.TryParse(match.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out n)
            && int.TryParse(match.Groups["k"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out k);
    }

    /// <summary>Systematic encoding: info bits (0/1 bytes, length K) go to <see cref="InformationPositions"/>, parities to the pivot columns. Allocation-free.</summary>
    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted)
    {
        CheckLength(info.Length, K, nameof(info), "information bits");
        CheckLength(transmitted.Length, N, nameof(transmitted), "transmitted bits");

        Span<ulong> parity = _parityStride <= 1024 ? stackalloc ulong[_parityStride] : new ulong[_parityStride];
        AccumulateParities(info, parity);
        for (var i = 0; i < _informationPositions.Length; i++) transmitted[_informationPositions[i]] = info[i];
        for (var j = 0; j < _parityPositions.Length; j++)
            transmitted[_parityPositions[j]] = (byte)((parity[j >> 6] >> (j & 63)) & 1);
    }

    /// <summary>The graph is the transmitted word: copies the N LLRs.</summary>
    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr)
    {
        CheckLength(channelLlr.Length, N, nameof(channelLlr), "channel LLRs");
        CheckLength(graphLlr.Length, N, nameof(graphLlr), "graph LLRs");
        channelLlr.CopyTo(graphLlr);
    }

    /// <summary>The graph is the transmitted word: copies the N bits.</summary>
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted)
    {
        CheckLength(graphBits.Length, N, nameof(graphBits), "graph bits");
        CheckLength(transmitted.Length, N, nameof(transmitted), "transmitted bits");
        graphBits.CopyTo(transmitted);
    }

    /// <summary>Picks the bits at <see cref="InformationPositions"/>.</summary>
    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info)
    {
        CheckLength(graphBits.Length, N, nameof(graphBits), "graph bits");
        CheckLength(info.Length, K, nameof(info), "information bits");
        for (var i = 0; i < _informationPositions.Length; i++) info[i] = graphBits[_informationPositions[i]];
    }

    public override string ToString() => $"{Name} (N = {N}, K = {K}, H {H.Rows}x{H.Columns}, rank {Rank})";

    private void CheckLength(int actual, int expected, string parameter, string what)
    {
        if (actual != expected) throw new ArgumentException($"{Name}: expected {expected} {what}, got {actual}", parameter);
    }

    /// <summary>parity = XOR of the parity blocks of the information bits that are 1 (bits are 0/1 bytes; only the low bit is read).</summary>
    private void AccumulateParities(ReadOnlySpan<byte> info, Span<ulong> parity)
    {
        ref var columns = ref MemoryMarshal.GetArrayDataReference(_parityColumns);
        var stride = _parityStride;
        if (Vector256.IsHardwareAccelerated && stride == Vector256<ulong>.Count)
        {
            // Up to 256 parities: the accumulator stays in one register.
            var acc = Vector256<ulong>.Zero;
            for (var i = 0; i < info.Length; i++)
                acc ^= Vector256.LoadUnsafe(ref columns, (nuint)(i * stride)) & Vector256.Create(0UL - (ulong)(info[i] & 1));
            acc.StoreUnsafe(ref MemoryMarshal.GetReference(parity));
            return;
        }

        parity.Clear();
        ref var target = ref MemoryMarshal.GetReference(parity);
        for (var i = 0; i < info.Length; i++)
        {
            var mask = 0UL - (ulong)(info[i] & 1);
            var block = i * stride;
            var w = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vmask = Vector256.Create(mask);
                for (; w < stride; w += Vector256<ulong>.Count)
                    (Vector256.LoadUnsafe(ref target, (nuint)w) ^ (Vector256.LoadUnsafe(ref columns, (nuint)(block + w)) & vmask))
                        .StoreUnsafe(ref target, (nuint)w);
            }
            for (; w < stride; w++) parity[w] ^= _parityColumns[block + w] & mask;
        }
    }

    [GeneratedRegex(@"^(?<type>.+)_N(?<n>\d+)_K(?<k>\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
