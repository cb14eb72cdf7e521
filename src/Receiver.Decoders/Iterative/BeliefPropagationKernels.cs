using System.Runtime.Intrinsics;
using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Sum-product arithmetic shared by the scalar and the vector kernel, in double: inputs are clamped
/// to +-<see cref="LlrClamp"/>, tanh(x/2) = (1 - e^-x) / (1 + e^-x), and the check message
/// 2 atanh(p) = ln((1 + p) / (1 - p)) with p clamped to +-tanh(15), so messages stay within +-30.
/// </summary>
internal static class SumProduct
{
    public const double LlrClamp = 30.0;
    public static readonly double ProductClamp = Math.Tanh(LlrClamp / 2);
}

/// <summary>Flooding sum-product on one frame at a time.</summary>
internal sealed class ScalarBeliefPropagationKernel(TannerGraph graph, int iterations, bool earlyStop)
{
    private readonly float[] _graphLlr = new float[graph.Columns];
    private readonly double[] _channel = new double[graph.Columns];
    private readonly double[] _posterior = new double[graph.Columns];
    private readonly double[] _checkToVariable = new double[graph.Edges];
    private readonly double[] _halfTanh = new double[graph.MaxRowWeight];
    private readonly double[] _suffix = new double[graph.MaxRowWeight + 1];

    /// <summary>Graph-length channel LLRs to fill before <see cref="Decode"/>.</summary>
    public Span<float> GraphLlr => _graphLlr;

    /// <summary>Decodes the frame in <see cref="GraphLlr"/> into graph-length hard bits.</summary>
    public DecodeStatus Decode(Span<byte> bits)
    {
        for (var c = 0; c < _channel.Length; c++) _channel[c] = _graphLlr[c];
        _channel.CopyTo(_posterior, 0);
        Array.Clear(_checkToVariable);
        var done = 0;
        var converged = earlyStop && graph.AllChecksSatisfied<double>(_posterior);
        while (!converged && done < iterations)
        {
            done++;
            Iterate();
            converged = earlyStop && graph.AllChecksSatisfied<double>(_posterior);
        }
        TannerGraph.HardDecision<double>(_posterior, bits);
        var unsatisfied = converged ? 0 : graph.UnsatisfiedChecks<double>(_posterior);
        return new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, done, unsatisfied);
    }

    private void Iterate()
    {
        var columns = graph.EdgeColumn;
        for (var r = 0; r < graph.Rows; r++)
        {
            int start = graph.RowStart[r], weight = graph.RowStart[r + 1] - start;
            for (var i = 0; i < weight; i++)
            {
                var input = Math.Clamp(_posterior[columns[start + i]] - _checkToVariable[start + i], -SumProduct.LlrClamp, SumProduct.LlrClamp);
                var decay = Math.Exp(-input);
                _halfTanh[i] = (1.0 - decay) / (1.0 + decay);
            }
            // Products of the other inputs as prefix * suffix: no division, so a tanh near 0 is harmless.
            _suffix[weight] = 1.0;
            for (var i = weight - 1; i >= 0; i--) _suffix[i] = _suffix[i + 1] * _halfTanh[i];
            var prefix = 1.0;
            for (var i = 0; i < weight; i++)
            {
                var others = Math.Clamp(prefix * _suffix[i + 1], -SumProduct.ProductClamp, SumProduct.ProductClamp);
                _checkToVariable[start + i] = Math.Log((1.0 + others) / (1.0 - others));
                prefix *= _halfTanh[i];
            }
        }
        var columnStart = graph.ColumnStart;
        var columnEdge = graph.ColumnEdge;
        for (var c = 0; c < graph.Columns; c++)
        {
            var sum = _channel[c];
            for (var s = columnStart[c]; s < columnStart[c + 1]; s++) sum += _checkToVariable[columnEdge[s]];
            _posterior[c] = sum;
        }
    }
}

/// <summary>
/// Flooding sum-product on eight frames at once, one per double lane of a <see cref="Vector512{T}"/>,
/// with the same formulas as <see cref="ScalarBeliefPropagationKernel"/> (vector exp/log may differ from
/// the scalar ones in the last bit), streamed through the lanes by <see cref="FrameLanes"/>.
/// </summary>
internal sealed class VectorBeliefPropagationKernel
{
    public const int Lanes = 8;
    private readonly TannerGraph _graph;
    private readonly int _iterations;
    private readonly bool _earlyStop;
    private readonly LaneState<double> _state;
    private readonly Vector512<double>[] _halfTanh;
    private readonly Vector512<double>[] _suffix;
    private readonly Action _iterate;

    public VectorBeliefPropagationKernel(TannerGraph graph, int iterations, bool earlyStop)
    {
        _graph = graph;
        _iterations = iterations;
        _earlyStop = earlyStop;
        _state = new LaneState<double>(graph);
        _halfTanh = new Vector512<double>[graph.MaxRowWeight];
        _suffix = new Vector512<double>[graph.MaxRowWeight + 1];
        _iterate = Iterate;
    }

    /// <summary>Decodes status.Length frames of channel LLRs into graph-length hard bits, back to back.</summary>
    public void Decode(IBlockCode code, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status) =>
        FrameLanes.Run(code, _state, _iterate, _iterations, _earlyStop, llrs, bits, status);

    private void Iterate()
    {
        var graph = _graph;
        var columns = graph.EdgeColumn;
        var posterior = _state.Posterior;
        var checkToVariable = _state.CheckToVariable;
        var channel = _state.Channel;
        var halfTanh = _halfTanh;
        var suffix = _suffix;
        var llrClamp = Vector512.Create(SumProduct.LlrClamp);
        var productClamp = Vector512.Create(SumProduct.ProductClamp);
        var one = Vector512<double>.One;
        for (var r = 0; r < graph.Rows; r++)
        {
            int start = graph.RowStart[r], weight = graph.RowStart[r + 1] - start;
            for (var i = 0; i < weight; i++)
            {
                var input = Vector512.Min(Vector512.Max(posterior[columns[start + i]] - checkToVariable[start + i], -llrClamp), llrClamp);
                var decay = Vector512.Exp(-input);
                halfTanh[i] = (one - decay) / (one + decay);
            }
            suffix[weight] = one;
            for (var i = weight - 1; i >= 0; i--) suffix[i] = suffix[i + 1] * halfTanh[i];
            var prefix = one;
            for (var i = 0; i < weight; i++)
            {
                var others = Vector512.Min(Vector512.Max(prefix * suffix[i + 1], -productClamp), productClamp);
                checkToVariable[start + i] = Vector512.Log((one + others) / (one - others));
                prefix *= halfTanh[i];
            }
        }
        var columnStart = graph.ColumnStart;
        var columnEdge = graph.ColumnEdge;
        for (var c = 0; c < graph.Columns; c++)
        {
            var sum = channel[c];
            for (var s = columnStart[c]; s < columnStart[c + 1]; s++) sum += checkToVariable[columnEdge[s]];
            posterior[c] = sum;
        }
    }
}
