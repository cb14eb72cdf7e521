using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Flooding sum-product on float lanes of frames: check message 2 atanh(prod tanh(m/2)) over the other
/// inputs, as sign times magnitude. With d = e^-|m| in (0, 1], tanh(|m|/2) = (1 - d) / (1 + d), so the product
/// over the other inputs is A / B with A = prod (1 - d) and B = prod (1 + d) in [1, 2^weight] (prefix times
/// suffix, no division), the magnitude is ln((B + A) / (B - A)) and the sign the product of the other signs:
/// one exp, one division and one log per edge. Inputs are clamped to
/// +-<see cref="SumProduct.LlrClamp"/> and the ratio to at most <see cref="RatioClamp"/>,
/// so messages stay within +-ln(RatioClamp) = +-17.3 (what the largest float product below 1 allows).
/// </summary>
internal sealed class InterFrameBeliefPropagation<TVec, TOps> : InterFrameKernel<TVec, float, TOps>
    where TVec : struct
    where TOps : struct, IFloatLaneOps<TVec>
{
    /// <summary>(1 + p) / (1 - p) at the largest float p below 1.</summary>
    private const float RatioClamp = (2f - 1f / (1 << 24)) * (1 << 24);

    private readonly TVec[] _inputs;
    private readonly TVec[] _numerators;
    private readonly TVec[] _denominators;
    private readonly TVec[] _numeratorSuffix;
    private readonly TVec[] _denominatorSuffix;

    public InterFrameBeliefPropagation(TannerGraph graph, int iterations, bool earlyStop)
        : base(graph, iterations, earlyStop, quantizedMeanMagnitude: 0f, keepsChannel: true)
    {
        _inputs = new TVec[graph.MaxRowWeight];
        _numerators = new TVec[graph.MaxRowWeight];
        _denominators = new TVec[graph.MaxRowWeight];
        _numeratorSuffix = new TVec[graph.MaxRowWeight + 1];
        _denominatorSuffix = new TVec[graph.MaxRowWeight + 1];
    }

    protected override void Iterate()
    {
        var graph = Graph;
        ref var rowStart = ref MemoryMarshal.GetArrayDataReference(graph.RowStart);
        ref var columns = ref MemoryMarshal.GetArrayDataReference(graph.EdgeColumn);
        ref var posterior = ref MemoryMarshal.GetArrayDataReference(Posterior);
        ref var messages = ref MemoryMarshal.GetArrayDataReference(Messages);
        ref var inputs = ref MemoryMarshal.GetArrayDataReference(_inputs);
        ref var numerators = ref MemoryMarshal.GetArrayDataReference(_numerators);
        ref var denominators = ref MemoryMarshal.GetArrayDataReference(_denominators);
        ref var numeratorSuffix = ref MemoryMarshal.GetArrayDataReference(_numeratorSuffix);
        ref var denominatorSuffix = ref MemoryMarshal.GetArrayDataReference(_denominatorSuffix);
        var llrClamp = TOps.Broadcast((float)SumProduct.LlrClamp);
        var ratioMax = TOps.Broadcast(RatioClamp);
        var one = TOps.Broadcast(1f);
        var zero = TOps.Broadcast(0f);
        for (var r = 0; r < graph.Rows; r++)
        {
            int start = Unsafe.Add(ref rowStart, r), weight = Unsafe.Add(ref rowStart, r + 1) - start;
            var signs = zero;
            for (var i = 0; i < weight; i++)
            {
                var input = TOps.Clamp(TOps.Subtract(Unsafe.Add(ref posterior, Unsafe.Add(ref columns, start + i)), Unsafe.Add(ref messages, start + i)), llrClamp);
                Unsafe.Add(ref inputs, i) = input;
                signs = TOps.Xor(signs, input);
                var decay = FastMath.Exp<TVec, TOps>(TOps.Subtract(zero, TOps.Magnitude(input)));
                Unsafe.Add(ref numerators, i) = TOps.Subtract(one, decay);
                Unsafe.Add(ref denominators, i) = TOps.Add(one, decay);
            }
            // Products of the other inputs as prefix * suffix: no division, so a tanh near 0 is harmless.
            Unsafe.Add(ref numeratorSuffix, weight) = one;
            Unsafe.Add(ref denominatorSuffix, weight) = one;
            for (var i = weight - 1; i >= 0; i--)
            {
                Unsafe.Add(ref numeratorSuffix, i) = TOps.Multiply(Unsafe.Add(ref numeratorSuffix, i + 1), Unsafe.Add(ref numerators, i));
                Unsafe.Add(ref denominatorSuffix, i) = TOps.Multiply(Unsafe.Add(ref denominatorSuffix, i + 1), Unsafe.Add(ref denominators, i));
            }
            var numeratorPrefix = one;
            var denominatorPrefix = one;
            for (var i = 0; i < weight; i++)
            {
                var a = TOps.Multiply(numeratorPrefix, Unsafe.Add(ref numeratorSuffix, i + 1));
                var b = TOps.Multiply(denominatorPrefix, Unsafe.Add(ref denominatorSuffix, i + 1));
                // b >= a >= 0; b - a rounds to 0 only for strong inputs, where the ratio clamps.
                var ratio = TOps.Min(TOps.Divide(TOps.Add(b, a), TOps.Subtract(b, a)), ratioMax);
                Unsafe.Add(ref messages, start + i) = TOps.WithSignOf(FastMath.Log<TVec, TOps>(ratio), TOps.Xor(signs, Unsafe.Add(ref inputs, i)));
                numeratorPrefix = TOps.Multiply(numeratorPrefix, Unsafe.Add(ref numerators, i));
                denominatorPrefix = TOps.Multiply(denominatorPrefix, Unsafe.Add(ref denominators, i));
            }
        }
        ref var columnStart = ref MemoryMarshal.GetArrayDataReference(graph.ColumnStart);
        ref var columnEdge = ref MemoryMarshal.GetArrayDataReference(graph.ColumnEdge);
        ref var channel = ref MemoryMarshal.GetArrayDataReference(Channel);
        for (var c = 0; c < graph.Columns; c++)
        {
            var sum = Unsafe.Add(ref channel, c);
            int end = Unsafe.Add(ref columnStart, c + 1);
            for (var s = Unsafe.Add(ref columnStart, c); s < end; s++) sum = TOps.Add(sum, Unsafe.Add(ref messages, Unsafe.Add(ref columnEdge, s)));
            Unsafe.Add(ref posterior, c) = sum;
        }
    }
}
