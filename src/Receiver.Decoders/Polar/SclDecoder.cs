using System.Numerics;
using Receiver.Codes;

namespace Receiver.Decoders.Polar;

/// <summary>
/// Successive-cancellation list decoding of polar codes in the LLR domain (Tal and Vardy; LLR path metrics as in
/// Balatsoukas-Stathis, Giard and Burg, 2015), named "sc" (list 1, plain SC) and "scl&lt;L&gt;" for L = 1..32.
/// The frozen set comes from H (<see cref="PolarStructure"/>). The tree of G_N = F^{(x)n} is walked once for all
/// paths: f(a, b) = sign(a) sign(b) min(|a|, |b|) (min-sum), g(a, b, u) = b + (1 - 2u) a; at each information bit every
/// path forks and the L with the smallest path metrics survive (a decision against the sign of its LLR costs |LLR|;
/// a frozen bit decided 0 against a negative LLR costs the same). At the end every surviving path is a codeword;
/// the one with the largest correlation with the channel LLRs is output (no CRC: the shipped polar codes carry none).
/// The status is always Converged with 0 iterations.
/// </summary>
public sealed class SclDecoder : BatchDecoder<SclDecoder.Workspace>, ISoftInputDecoder
{
    public const int MaxListSize = 32;

    private readonly bool[] _frozen;
    private readonly int _length;
    private readonly int _stages;
    private readonly int[] _offset; // start of depth d's node (N >> d values) in a path's alpha and beta blocks
    private readonly int _block;    // 2N - 1 values per path and array

    /// <exception cref="ArgumentException">The code is not a polar code whose frozen set H reveals.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="listSize"/> is outside 1..<see cref="MaxListSize"/>.</exception>
    public SclDecoder(IBlockCode code, DecoderOptions options, int listSize)
        : base(code, (options ?? throw new ArgumentNullException(nameof(options))).Parallelism)
    {
        if (listSize is < 1 or > MaxListSize) throw new ArgumentOutOfRangeException(nameof(listSize), listSize, $"SCL list size must be 1..{MaxListSize}");
        var structure = PolarStructure.TryRecover(code, out var reason) ?? throw new ArgumentException($"SC/SCL decodes polar codes only: {reason}", nameof(code));
        ListSize = listSize;
        _frozen = structure.Frozen.ToArray();
        _length = code.H.Columns;
        _stages = BitOperations.Log2((uint)_length);
        _offset = new int[_stages + 1];
        for (var d = 1; d <= _stages; d++) _offset[d] = _offset[d - 1] + (_length >> (d - 1));
        _block = 2 * _length - 1;
    }

    public override string Name => ListSize == 1 ? "sc" : $"scl{ListSize}";

    public int ListSize { get; }

    /// <summary>Per-thread scratch: per path slot, the LLRs (alpha), partial sums (beta) and left-child partial sums of every tree node on the current walk.</summary>
    public sealed class Workspace
    {
        internal Workspace(int listSize, int block, int length)
        {
            Alpha = new float[listSize * block];
            Beta = new byte[listSize * block];
            BetaLeft = new byte[listSize * block];
            Metric = new float[listSize];
            Active = new bool[listSize];
            Keys = new float[2 * listSize];
            Forks = new int[2 * listSize];
            Keep = new byte[listSize];
            Llr = new float[length];
        }

        internal readonly float[] Alpha;
        internal readonly byte[] Beta;
        internal readonly byte[] BetaLeft;
        internal readonly float[] Metric;
        internal readonly bool[] Active;
        internal readonly float[] Keys;  // candidate path metrics at a fork
        internal readonly int[] Forks;   // candidate = 2 * path + bit
        internal readonly byte[] Keep;   // bit 0: keep the path's 0 branch, bit 1: its 1 branch
        internal readonly float[] Llr;
        internal int Leaf;
    }

    protected override Workspace CreateWorkspace() => new(ListSize, _block, _length);

    protected override void DecodeChunk(Workspace ws, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        for (var f = 0; f < status.Length; f++)
        {
            Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), ws.Llr);
            Array.Clear(ws.Active);
            ws.Active[0] = true;
            ws.Metric[0] = 0f;
            ws.Leaf = 0;
            ws.Llr.CopyTo(ws.Alpha.AsSpan(0, _length));
            Node(ws, 0);

            var best = -1;
            var bestCost = float.PositiveInfinity;
            for (var p = 0; p < ListSize; p++)
            {
                if (!ws.Active[p]) continue;
                var word = ws.Beta.AsSpan(p * _block, _length);
                var cost = 0f;
                for (var i = 0; i < _length; i++)
                    if ((ws.Llr[i] < 0f ? 1 : 0) != word[i]) cost += MathF.Abs(ws.Llr[i]);
                if (cost < bestCost) (best, bestCost) = (p, cost);
            }
            ws.Beta.AsSpan(best * _block, _length).CopyTo(bits.Slice(f * OutputLength, OutputLength));
            status[f] = new DecodeStatus(DecodeOutcome.Converged, 0, 0);
        }
    }

    /// <summary>Decodes the subtree at <paramref name="depth"/> on the current leaf position for every active path.</summary>
    private void Node(Workspace ws, int depth)
    {
        if (depth == _stages)
        {
            Leaf(ws);
            return;
        }
        var half = _length >> (depth + 1);
        var here = _offset[depth];
        var child = _offset[depth + 1];
        for (var p = 0; p < ListSize; p++)
        {
            if (!ws.Active[p]) continue;
            var alpha = ws.Alpha.AsSpan(p * _block);
            for (var j = 0; j < half; j++)
            {
                float a = alpha[here + j], b = alpha[here + half + j];
                var magnitude = MathF.Min(MathF.Abs(a), MathF.Abs(b));
                alpha[child + j] = (a < 0f) ^ (b < 0f) ? -magnitude : magnitude;
            }
        }
        Node(ws, depth + 1);
        for (var p = 0; p < ListSize; p++)
        {
            if (!ws.Active[p]) continue;
            var alpha = ws.Alpha.AsSpan(p * _block);
            var left = ws.BetaLeft.AsSpan(p * _block + here, half);
            ws.Beta.AsSpan(p * _block + child, half).CopyTo(left);
            for (var j = 0; j < half; j++)
                alpha[child + j] = alpha[here + half + j] + (left[j] == 0 ? alpha[here + j] : -alpha[here + j]);
        }
        Node(ws, depth + 1);
        for (var p = 0; p < ListSize; p++)
        {
            if (!ws.Active[p]) continue;
            var beta = ws.Beta.AsSpan(p * _block);
            var left = ws.BetaLeft.AsSpan(p * _block + here, half);
            for (var j = 0; j < half; j++)
            {
                var right = beta[child + j];
                beta[here + j] = (byte)(left[j] ^ right);
                beta[here + half + j] = right;
            }
        }
    }

    private void Leaf(Workspace ws)
    {
        var at = _offset[_stages];
        var index = ws.Leaf++;
        if (_frozen[index])
        {
            for (var p = 0; p < ListSize; p++)
            {
                if (!ws.Active[p]) continue;
                var llr = ws.Alpha[p * _block + at];
                if (llr < 0f) ws.Metric[p] -= llr;
                ws.Beta[p * _block + at] = 0;
            }
            return;
        }

        var candidates = 0;
        for (var p = 0; p < ListSize; p++)
        {
            if (!ws.Active[p]) continue;
            var llr = ws.Alpha[p * _block + at];
            ws.Keys[candidates] = ws.Metric[p] + (llr < 0f ? -llr : 0f);
            ws.Forks[candidates++] = 2 * p;
            ws.Keys[candidates] = ws.Metric[p] + (llr > 0f ? llr : 0f);
            ws.Forks[candidates++] = 2 * p + 1;
        }
        if (candidates > ListSize) ws.Keys.AsSpan(0, candidates).Sort(ws.Forks.AsSpan(0, candidates));
        var kept = Math.Min(candidates, ListSize);
        Array.Clear(ws.Keep);
        for (var c = 0; c < kept; c++) ws.Keep[ws.Forks[c] >> 1] |= (byte)(1 << (ws.Forks[c] & 1));
        for (var p = 0; p < ListSize; p++)
            if (ws.Active[p] && ws.Keep[p] == 0) ws.Active[p] = false;

        var free = 0;
        for (var p = 0; p < ListSize; p++)
        {
            if (!ws.Active[p] || ws.Keep[p] == 0) continue; // only paths alive before this leaf carry a Keep mark
            var llr = ws.Alpha[p * _block + at];
            var metric = ws.Metric[p];
            if (ws.Keep[p] == 3)
            {
                while (ws.Active[free] || ws.Keep[free] != 0) free++;
                ws.Alpha.AsSpan(p * _block, _block).CopyTo(ws.Alpha.AsSpan(free * _block, _block));
                ws.Beta.AsSpan(p * _block, _block).CopyTo(ws.Beta.AsSpan(free * _block, _block));
                ws.BetaLeft.AsSpan(p * _block, _block).CopyTo(ws.BetaLeft.AsSpan(free * _block, _block));
                ws.Active[free] = true;
                ws.Metric[free] = metric + (llr > 0f ? llr : 0f);
                ws.Beta[free * _block + at] = 1;
                ws.Metric[p] = metric + (llr < 0f ? -llr : 0f);
                ws.Beta[p * _block + at] = 0;
                free++;
            }
            else
            {
                var bit = ws.Keep[p] == 2 ? 1 : 0;
                ws.Metric[p] = metric + (bit == 1 ? (llr > 0f ? llr : 0f) : (llr < 0f ? -llr : 0f));
                ws.Beta[p * _block + at] = (byte)bit;
            }
        }
    }
}
