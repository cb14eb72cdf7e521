using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Sum-product arithmetic of the scalar kernel, in double: inputs are clamped
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
