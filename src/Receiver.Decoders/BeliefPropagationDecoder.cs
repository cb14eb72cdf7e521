using Receiver.Codes;
using Receiver.Decoders.Iterative;

namespace Receiver.Decoders;

/// <summary>
/// Flooding sum-product ("bp") on any H, all rows included. Each iteration every check sends
/// 2 atanh(prod tanh(m/2)) over its other inputs, then every posterior is channel plus all
/// incoming messages; the hard decision (L &lt; 0 gives 1) is checked after every iteration.
/// Runs in double, one frame per chunk: messages are clamped to +-<see cref="LlrClamp"/> so tanh
/// products stay away from +-1 and atanh stays finite.
/// </summary>
public sealed class BeliefPropagationDecoder : BatchDecoder<BeliefPropagationDecoder.Workspace>
{
    /// <summary>Largest message magnitude; tanh(15) still differs from 1 in double.</summary>
    public const double LlrClamp = 30.0;

    private static readonly double ProductClamp = Math.Tanh(LlrClamp / 2);
    private readonly TannerGraph _graph;
    private readonly int _iterations;
    private readonly bool _earlyStop;

    public BeliefPropagationDecoder(IBlockCode code, DecoderOptions options)
        : base(code, IterativeOptions.Validate(options, "bp").Parallelism)
    {
        _graph = new TannerGraph(code.H);
        _iterations = options.Iterations;
        _earlyStop = options.EarlyStop;
    }

    public override string Name => "bp";

    protected override Workspace CreateWorkspace() => new(_graph);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var columns = _graph.Columns;
        for (var f = 0; f < status.Length; f++)
        {
            Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), workspace.GraphLlr);
            status[f] = DecodeFrame(workspace, bits.Slice(f * columns, columns));
        }
    }

    private DecodeStatus DecodeFrame(Workspace ws, Span<byte> bits)
    {
        var graph = _graph;
        for (var c = 0; c < graph.Columns; c++) ws.Channel[c] = ws.GraphLlr[c];
        ws.Channel.CopyTo(ws.Posterior, 0);
        Array.Clear(ws.CheckToVariable);
        var iterations = 0;
        var converged = _earlyStop && graph.AllChecksSatisfied<double>(ws.Posterior);
        while (!converged && iterations < _iterations)
        {
            iterations++;
            Iterate(ws);
            converged = _earlyStop && graph.AllChecksSatisfied<double>(ws.Posterior);
        }
        TannerGraph.HardDecision<double>(ws.Posterior, bits);
        var unsatisfied = converged ? 0 : graph.UnsatisfiedChecks<double>(ws.Posterior);
        return new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, iterations, unsatisfied);
    }

    private void Iterate(Workspace ws)
    {
        var graph = _graph;
        var columns = graph.EdgeColumn;
        var posterior = ws.Posterior;
        var checkToVariable = ws.CheckToVariable;
        var halfTanh = ws.RowTanh;
        var suffix = ws.RowSuffix;
        for (var r = 0; r < graph.Rows; r++)
        {
            int start = graph.RowStart[r], weight = graph.RowStart[r + 1] - start;
            for (var i = 0; i < weight; i++)
            {
                var input = Math.Clamp(posterior[columns[start + i]] - checkToVariable[start + i], -LlrClamp, LlrClamp);
                halfTanh[i] = Math.Tanh(0.5 * input);
            }
            // Products of the other inputs as prefix * suffix: no division, so a tanh near 0 is harmless.
            suffix[weight] = 1.0;
            for (var i = weight - 1; i >= 0; i--) suffix[i] = suffix[i + 1] * halfTanh[i];
            var prefix = 1.0;
            for (var i = 0; i < weight; i++)
            {
                var others = Math.Clamp(prefix * suffix[i + 1], -ProductClamp, ProductClamp);
                checkToVariable[start + i] = 2.0 * Math.Atanh(others);
                prefix *= halfTanh[i];
            }
        }
        var columnStart = graph.ColumnStart;
        var columnEdge = graph.ColumnEdge;
        for (var c = 0; c < graph.Columns; c++)
        {
            var sum = ws.Channel[c];
            for (var s = columnStart[c]; s < columnStart[c + 1]; s++) sum += checkToVariable[columnEdge[s]];
            posterior[c] = sum;
        }
    }

    /// <summary>Per-thread scratch: channel, posterior and edge messages in double.</summary>
    public sealed class Workspace
    {
        internal Workspace(TannerGraph graph)
        {
            GraphLlr = new float[graph.Columns];
            Channel = new double[graph.Columns];
            Posterior = new double[graph.Columns];
            CheckToVariable = new double[graph.Edges];
            RowTanh = new double[graph.MaxRowWeight];
            RowSuffix = new double[graph.MaxRowWeight + 1];
        }

        internal float[] GraphLlr { get; }
        internal double[] Channel { get; }
        internal double[] Posterior { get; }
        internal double[] CheckToVariable { get; }
        internal double[] RowTanh { get; }
        internal double[] RowSuffix { get; }
    }
}
