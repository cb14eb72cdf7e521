using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Flooding sum-product on float lanes of frames: check message 2 atanh(prod tanh(m/2)) over the other
/// inputs, with tanh(x/2) = (1 - e^-x) / (1 + e^-x) and 2 atanh(p) = ln((1 + p) / (1 - p)) from the vector
/// exp and log. Inputs are clamped to +-<see cref="SumProduct.LlrClamp"/> and the product to
/// +-<see cref="ProductClamp"/> (the largest float below 1), so messages stay finite (about +-16.6).
/// </summary>
internal sealed class InterFrameBeliefPropagation<TVec, TOps> : InterFrameKernel<TVec, float, TOps>
    where TVec : struct
    where TOps : struct, IFloatLaneOps<TVec>
{
    /// <summary>The largest float below 1: the atanh argument's bound.</summary>
    private const float ProductClamp = 1f - 1f / (1 << 24);

    private readonly TVec[] _halfTanh;
    private readonly TVec[] _suffix;

    public InterFrameBeliefPropagation(TannerGraph graph, int iterations, bool earlyStop)
        : base(graph, iterations, earlyStop, quantizedMeanMagnitude: 0f, keepsChannel: true)
    {
        _halfTanh = new TVec[graph.MaxRowWeight];
        _suffix = new TVec[graph.MaxRowWeight + 1];
    }

    protected override void Iterate()
    {
        var graph = Graph;
        ref var rowStart = ref MemoryMarshal.GetArrayDataReference(graph.RowStart);
        ref var columns = ref MemoryMarshal.GetArrayDataReference(graph.EdgeColumn);
        ref var posterior = ref MemoryMarshal.GetArrayDataReference(Posterior);
        ref var messages = ref MemoryMarshal.GetArrayDataReference(Messages);
        ref var halfTanh = ref MemoryMarshal.GetArrayDataReference(_halfTanh);
        ref var suffix = ref MemoryMarshal.GetArrayDataReference(_suffix);
        var llrClamp = TOps.Broadcast((float)SumProduct.LlrClamp);
        var productClamp = TOps.Broadcast(ProductClamp);
        var one = TOps.Broadcast(1f);
        var zero = TOps.Broadcast(0f);
        for (var r = 0; r < graph.Rows; r++)
        {
            int start = Unsafe.Add(ref rowStart, r), weight = Unsafe.Add(ref rowStart, r + 1) - start;
            for (var i = 0; i < weight; i++)
            {
                var input = TOps.Clamp(TOps.Subtract(Unsafe.Add(ref posterior, Unsafe.Add(ref columns, start + i)), Unsafe.Add(ref messages, start + i)), llrClamp);
                var decay = TOps.Exp(TOps.Subtract(zero, input));
                Unsafe.Add(ref halfTanh, i) = TOps.Divide(TOps.Subtract(one, decay), TOps.Add(one, decay));
            }
            // Products of the other inputs as prefix * suffix: no division, so a tanh near 0 is harmless.
            Unsafe.Add(ref suffix, weight) = one;
            for (var i = weight - 1; i >= 0; i--) Unsafe.Add(ref suffix, i) = TOps.Multiply(Unsafe.Add(ref suffix, i + 1), Unsafe.Add(ref halfTanh, i));
            var prefix = one;
            for (var i = 0; i < weight; i++)
            {
                var others = TOps.Clamp(TOps.Multiply(prefix, Unsafe.Add(ref suffix, i + 1)), productClamp);
                Unsafe.Add(ref messages, start + i) = TOps.Log(TOps.Divide(TOps.Add(one, others), TOps.Subtract(one, others)));
                prefix = TOps.Multiply(prefix, Unsafe.Add(ref halfTanh, i));
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
