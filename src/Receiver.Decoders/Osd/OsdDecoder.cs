using System.Numerics;
using System.Runtime.CompilerServices;
using Receiver.Codes;

namespace Receiver.Decoders.Osd;

/// <summary>
/// Ordered-statistics decoding of order 0..3 (Fossorier and Lin, 1995) for any binary linear code, named
/// "osd0".."osd3". Per frame: the graph positions are sorted by |L|; Gaussian elimination of the code's generator
/// matrix over that order picks the K most reliable independent positions (the MRB) and brings the generator to
/// systematic form on them; the hard decision of the MRB is re-encoded (order 0), then every pattern of up to
/// <see cref="Order"/> flipped MRB bits. The candidate with the smallest discrepancy (sum of |L| where it disagrees
/// with the hard decision, equivalent to the largest correlation with the LLRs) wins; the output is always a codeword,
/// and the status's Iterations is the number of MRB bits the winner flipped (0 when order 0 was best).
/// </summary>
/// <remarks>
/// Two reductions keep the search short without changing its result: flip patterns are visited from the least
/// reliable MRB positions up, and a pattern (and every pattern after it at that depth) is skipped once the |L| of its
/// flipped MRB bits alone reaches the best discrepancy; and the search stops as soon as the best candidate meets the
/// sufficient condition of optimality (Fossorier-Lin, Theorem 1): any other codeword differs from it in at least
/// d positions, so it disagrees with the hard decision in at least d - w positions outside the w where the best one
/// does, and costs at least the sum of the d - w smallest such |L|. d is a lower bound on the minimum distance
/// computed once per code (<see cref="MinimumDistanceBound"/>), so a stop is always an ML decision.
/// </remarks>
public sealed class OsdDecoder : BatchDecoder<OsdDecoder.Workspace>, ISoftInputDecoder
{
    /// <summary>Highest order offered: order 3 visits about K^3/6 patterns, already slow beyond K of a few dozen.</summary>
    public const int MaxOrder = 3;

    // The bound costs up to a second on a long code: computed once per H, shared by every order and instance.
    private static readonly ConditionalWeakTable<ParityCheckMatrix, StrongBox<int>> DistanceBounds = new();

    private readonly ulong[] _generator; // K rows of Words words: a basis of the graph code, column c at bit c
    private readonly int _dimension;
    private readonly int _length;
    private readonly int _words;

    /// <summary>Builds the decoder for the graph code of <paramref name="code"/> (the null space of H).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is outside 0..<see cref="MaxOrder"/>.</exception>
    public OsdDecoder(IBlockCode code, DecoderOptions options, int order)
        : base(code, (options ?? throw new ArgumentNullException(nameof(options))).Parallelism)
    {
        if (order is < 0 or > MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), order, $"OSD order must be 0..{MaxOrder}");
        Order = order;
        var generator = Gf2.NullSpace(code.H.ToBitMatrix());
        _dimension = generator.Rows;
        _length = generator.Columns;
        _words = generator.WordsPerRow;
        _generator = new ulong[_dimension * _words];
        for (var r = 0; r < _dimension; r++) generator.Row(r).CopyTo(_generator.AsSpan(r * _words, _words));
        MinimumDistanceBound = DistanceBounds.GetValue(code.H, h => new StrongBox<int>(MinimumDistance.LowerBound(h))).Value!;
    }

    public override string Name => $"osd{Order}";

    /// <summary>Most MRB bits one candidate flips.</summary>
    public int Order { get; }

    /// <summary>The lower bound on the code's minimum distance the optimality test uses.</summary>
    public int MinimumDistanceBound { get; }

    /// <summary>Per-thread scratch, sized once for the code.</summary>
    public sealed class Workspace
    {
        internal Workspace(int length, int dimension, int words, int order)
        {
            GraphLlr = new float[length];
            Reliability = new float[length];
            SortKeys = new float[length];
            Positions = new int[length];
            Generator = new ulong[dimension * words];
            Pivots = new int[dimension];
            Hard = new ulong[words];
            Best = new ulong[words];
            Levels = new ulong[(order + 1) * words];
        }

        internal readonly float[] GraphLlr;
        internal readonly float[] Reliability;   // |L| per graph position
        internal readonly float[] SortKeys;      // -|L|, sorted together with Positions
        internal readonly int[] Positions;       // graph positions, most reliable first
        internal readonly ulong[] Generator;     // the frame's systematic generator, row j with its one at Pivots[j]
        internal readonly int[] Pivots;          // MRB positions, most reliable first
        internal readonly ulong[] Hard;          // hard decision z of the graph LLRs
        internal readonly ulong[] Best;          // best codeword so far
        internal readonly ulong[] Levels;        // codeword of the flip pattern at each search depth
        internal float BestCost;
        internal int BestFlips;
        internal bool Optimal;
    }

    protected override Workspace CreateWorkspace() => new(_length, _dimension, _words, Order);

    protected override void DecodeChunk(Workspace ws, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        for (var f = 0; f < status.Length; f++)
        {
            Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), ws.GraphLlr);
            DecodeFrame(ws);
            var frameBits = bits.Slice(f * OutputLength, OutputLength);
            for (var i = 0; i < frameBits.Length; i++) frameBits[i] = (byte)((ws.Best[i >> 6] >> (i & 63)) & 1);
            status[f] = new DecodeStatus(DecodeOutcome.Converged, ws.BestFlips, 0);
        }
    }

    private void DecodeFrame(Workspace ws)
    {
        var words = _words;
        Array.Clear(ws.Hard);
        for (var i = 0; i < _length; i++)
        {
            var l = ws.GraphLlr[i];
            if (l < 0f) ws.Hard[i >> 6] |= 1UL << (i & 63);
            ws.Reliability[i] = MathF.Abs(l);
            ws.SortKeys[i] = -MathF.Abs(l);
            ws.Positions[i] = i;
        }
        ws.SortKeys.AsSpan().Sort(ws.Positions.AsSpan());
        EliminateOnMostReliableBasis(ws);

        // Order 0: re-encode the hard decision of the MRB.
        var level0 = ws.Levels.AsSpan(0, words);
        level0.Clear();
        for (var j = 0; j < _dimension; j++)
            if (Bit(ws.Hard, ws.Pivots[j])) Gf2.XorInto(ws.Generator.AsSpan(j * words, words), level0);
        level0.CopyTo(ws.Best);
        ws.BestCost = Discrepancy(ws, level0, float.PositiveInfinity);
        ws.BestFlips = 0;
        ws.Optimal = IsProvablyBest(ws);
        for (var depth = 1; depth <= Order && !ws.Optimal; depth++)
            Search(ws, depth, 1, _dimension, 0f);
    }

    /// <summary>
    /// Visits the patterns of <paramref name="depth"/> flips whose next flip sits below <paramref name="below"/>
    /// (MRB index, least reliable first), with <paramref name="cost"/> the |L| of the flips made so far.
    /// </summary>
    private void Search(Workspace ws, int depth, int level, int below, float cost)
    {
        var words = _words;
        var remaining = depth - level; // flips still to place after this one, at indices below it
        var parent = ws.Levels.AsSpan((level - 1) * words, words);
        var current = ws.Levels.AsSpan(level * words, words);
        for (var j = below - 1; j >= remaining && !ws.Optimal; j--)
        {
            // The cheapest completion puts the remaining flips just below j; reliabilities only grow as j falls.
            var bound = cost + ws.Reliability[ws.Pivots[j]];
            for (var r = 1; r <= remaining; r++) bound += ws.Reliability[ws.Pivots[j - r]];
            if (bound >= ws.BestCost) break;

            parent.CopyTo(current);
            Gf2.XorInto(ws.Generator.AsSpan(j * words, words), current);
            var flipCost = cost + ws.Reliability[ws.Pivots[j]];
            if (remaining > 0)
            {
                Search(ws, depth, level + 1, j, flipCost);
                continue;
            }
            var candidate = Discrepancy(ws, current, ws.BestCost);
            if (candidate >= ws.BestCost) continue;
            current.CopyTo(ws.Best);
            ws.BestCost = candidate;
            ws.BestFlips = depth;
            ws.Optimal = IsProvablyBest(ws);
        }
    }

    /// <summary>Sum of |L| where the codeword disagrees with the hard decision; stops early once it reaches <paramref name="limit"/>.</summary>
    private static float Discrepancy(Workspace ws, ReadOnlySpan<ulong> codeword, float limit)
    {
        var cost = 0f;
        for (var w = 0; w < codeword.Length; w++)
        {
            for (var diff = codeword[w] ^ ws.Hard[w]; diff != 0; diff &= diff - 1)
                cost += ws.Reliability[(w << 6) + BitOperations.TrailingZeroCount(diff)];
            if (cost >= limit) return cost;
        }
        return cost;
    }

    /// <summary>Sufficient condition of optimality of the best candidate (see the remarks).</summary>
    private bool IsProvablyBest(Workspace ws)
    {
        var disagreements = 0;
        for (var w = 0; w < _words; w++) disagreements += BitOperations.PopCount(ws.Best[w] ^ ws.Hard[w]);
        var needed = MinimumDistanceBound - disagreements;
        if (needed <= 0) return false;
        var bound = 0f;
        for (var idx = _length - 1; idx >= 0 && needed > 0; idx--)
        {
            var position = ws.Positions[idx];
            if (Bit(ws.Best, position) != Bit(ws.Hard, position)) continue;
            bound += ws.Reliability[position];
            needed--;
        }
        return needed == 0 && ws.BestCost <= bound;
    }

    /// <summary>Copies the generator and reduces it to systematic form on the first K independent positions of the reliability order.</summary>
    private void EliminateOnMostReliableBasis(Workspace ws)
    {
        var words = _words;
        var g = ws.Generator.AsSpan();
        _generator.CopyTo(g);
        var rank = 0;
        for (var idx = 0; idx < _length && rank < _dimension; idx++)
        {
            var column = ws.Positions[idx];
            var word = column >> 6;
            var bit = 1UL << (column & 63);
            var pivotRow = -1;
            for (var r = rank; r < _dimension; r++)
                if ((g[r * words + word] & bit) != 0) { pivotRow = r; break; }
            if (pivotRow < 0) continue; // depends on more reliable positions already in the basis

            if (pivotRow != rank)
            {
                var a = g.Slice(rank * words, words);
                var b = g.Slice(pivotRow * words, words);
                for (var w = 0; w < words; w++) (a[w], b[w]) = (b[w], a[w]);
            }
            var pivot = g.Slice(rank * words, words);
            for (var r = 0; r < _dimension; r++)
                if (r != rank && (g[r * words + word] & bit) != 0) Gf2.XorInto(pivot, g.Slice(r * words, words));
            ws.Pivots[rank++] = column;
        }
    }

    private static bool Bit(ReadOnlySpan<ulong> packed, int position) => ((packed[position >> 6] >> (position & 63)) & 1) != 0;
}
