using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>Order in which check nodes update: all at once from the previous posteriors, or one row (layer) at a time.</summary>
internal enum MinSumSchedule { Flooding, Layered }

/// <summary>Everything a min-sum kernel needs besides the frames: graph, schedule, check rule, stopping rule.</summary>
internal sealed record MinSumSettings(
    TannerGraph Graph, MinSumSchedule Schedule, MinSumVariant Variant, float Alpha, float Beta, int Iterations, bool EarlyStop)
{
    /// <summary>Start value of the two running minima: a saturation far above any real LLR, so a weight-1 row stays finite.</summary>
    public const float Saturation = 1e30f;
}

/// <summary>
/// One frame at a time. The arithmetic (operations and their order) is the one
/// <see cref="VectorMinSumKernel"/> runs per lane, so both give bit-identical outputs.
/// </summary>
internal sealed class ScalarMinSumKernel(MinSumSettings settings)
{
    private const uint SignBit = 0x8000_0000;
    private readonly float[] _channel = new float[settings.Graph.Columns];
    private readonly float[] _posterior = new float[settings.Graph.Columns];
    private readonly float[] _checkToVariable = new float[settings.Graph.Edges];
    private readonly float[] _rowInputs = new float[settings.Graph.MaxRowWeight];

    /// <summary>Graph-length channel LLRs to fill before <see cref="Decode"/>.</summary>
    public Span<float> Channel => _channel;

    /// <summary>Decodes the frame in <see cref="Channel"/> into graph-length hard bits.</summary>
    public DecodeStatus Decode(Span<byte> bits)
    {
        var graph = settings.Graph;
        _channel.CopyTo(_posterior, 0);
        Array.Clear(_checkToVariable);
        var iterations = 0;
        var converged = settings.EarlyStop && graph.AllChecksSatisfied<float>(_posterior);
        while (!converged && iterations < settings.Iterations)
        {
            iterations++;
            if (settings.Schedule == MinSumSchedule.Layered) LayeredIteration();
            else FloodingIteration();
            converged = settings.EarlyStop && graph.AllChecksSatisfied<float>(_posterior);
        }
        TannerGraph.HardDecision<float>(_posterior, bits);
        var unsatisfied = converged ? 0 : graph.UnsatisfiedChecks<float>(_posterior);
        return new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, iterations, unsatisfied);
    }

    private void FloodingIteration()
    {
        var graph = settings.Graph;
        for (var r = 0; r < graph.Rows; r++) CheckNode(graph.RowStart[r], graph.RowStart[r + 1], updatePosterior: false);
        var columnStart = graph.ColumnStart;
        var columnEdge = graph.ColumnEdge;
        for (var c = 0; c < graph.Columns; c++)
        {
            var sum = _channel[c];
            for (var s = columnStart[c]; s < columnStart[c + 1]; s++) sum += _checkToVariable[columnEdge[s]];
            _posterior[c] = sum;
        }
    }

    private void LayeredIteration()
    {
        var graph = settings.Graph;
        for (var r = 0; r < graph.Rows; r++) CheckNode(graph.RowStart[r], graph.RowStart[r + 1], updatePosterior: true);
    }

    /// <summary>
    /// Variable-to-check inputs are posterior minus this check's old message; the new message is the
    /// product of the other inputs' signs times the smallest other magnitude, normalized or offset.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckNode(int start, int end, bool updatePosterior)
    {
        var columns = settings.Graph.EdgeColumn;
        float min1 = MinSumSettings.Saturation, min2 = MinSumSettings.Saturation;
        uint signs = 0;
        for (var e = start; e < end; e++)
        {
            var input = _posterior[columns[e]] - _checkToVariable[e];
            _rowInputs[e - start] = input;
            var magnitude = MathF.Abs(input);
            min2 = MathF.Min(min2, MathF.Max(min1, magnitude));
            min1 = MathF.Min(min1, magnitude);
            signs ^= BitConverter.SingleToUInt32Bits(input);
        }
        for (var e = start; e < end; e++)
        {
            var input = _rowInputs[e - start];
            var magnitude = MathF.Abs(input) == min1 ? min2 : min1;
            magnitude = settings.Variant == MinSumVariant.Normalized
                ? magnitude * settings.Alpha
                : MathF.Max(magnitude - settings.Beta, 0f);
            var sign = (signs ^ BitConverter.SingleToUInt32Bits(input)) & SignBit;
            var message = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(magnitude) | sign);
            _checkToVariable[e] = message;
            if (updatePosterior) _posterior[columns[e]] = input + message;
        }
    }
}

/// <summary>
/// Sixteen frames at once, one per float lane of a <see cref="Vector512{T}"/>, streamed through
/// the lanes by <see cref="FrameLanes"/>.
/// </summary>
internal sealed class VectorMinSumKernel
{
    public const int Lanes = 16;
    private readonly MinSumSettings _settings;
    private readonly LaneState<float> _state;
    private readonly Vector512<float>[] _channel;
    private readonly Vector512<float>[] _posterior;
    private readonly Vector512<float>[] _checkToVariable;
    private readonly Vector512<float>[] _rowInputs;
    private readonly Action _iterate;

    public VectorMinSumKernel(MinSumSettings settings)
    {
        _settings = settings;
        _state = new LaneState<float>(settings.Graph);
        _channel = _state.Channel;
        _posterior = _state.Posterior;
        _checkToVariable = _state.CheckToVariable;
        _rowInputs = new Vector512<float>[settings.Graph.MaxRowWeight];
        // Layered schedules run through the inter-frame lane kernel (LayeredMinSumDecoder); this one floods.
        if (settings.Schedule != MinSumSchedule.Flooding)
            throw new ArgumentException("the 16-lane min-sum kernel floods; layered decoding runs on the inter-frame lane kernel", nameof(settings));
        _iterate = FloodingIteration;
    }

    /// <summary>Decodes status.Length frames of channel LLRs into graph-length hard bits, back to back.</summary>
    public void Decode(IBlockCode code, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status) =>
        FrameLanes.Run(code, _state, _iterate, _settings.Iterations, _settings.EarlyStop, llrs, bits, status);

    private void FloodingIteration()
    {
        var graph = _settings.Graph;
        for (var r = 0; r < graph.Rows; r++) CheckNode(graph.RowStart[r], graph.RowStart[r + 1]);
        // Indices come from the graph the arrays were sized for, so element access skips bounds checks.
        ref var columnStart = ref MemoryMarshal.GetArrayDataReference(graph.ColumnStart);
        ref var columnEdge = ref MemoryMarshal.GetArrayDataReference(graph.ColumnEdge);
        ref var checkToVariable = ref MemoryMarshal.GetArrayDataReference(_checkToVariable);
        ref var channel = ref MemoryMarshal.GetArrayDataReference(_channel);
        ref var posterior = ref MemoryMarshal.GetArrayDataReference(_posterior);
        for (var c = 0; c < graph.Columns; c++)
        {
            var sum = Unsafe.Add(ref channel, c);
            int end = Unsafe.Add(ref columnStart, c + 1);
            for (var s = Unsafe.Add(ref columnStart, c); s < end; s++) sum += Unsafe.Add(ref checkToVariable, Unsafe.Add(ref columnEdge, s));
            Unsafe.Add(ref posterior, c) = sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckNode(int start, int end)
    {
        ref var columns = ref MemoryMarshal.GetArrayDataReference(_settings.Graph.EdgeColumn);
        ref var posterior = ref MemoryMarshal.GetArrayDataReference(_posterior);
        ref var checkToVariable = ref MemoryMarshal.GetArrayDataReference(_checkToVariable);
        ref var rowInputs = ref MemoryMarshal.GetArrayDataReference(_rowInputs);
        var min1 = Vector512.Create(MinSumSettings.Saturation);
        var min2 = min1;
        var signs = Vector512<uint>.Zero;
        for (var e = start; e < end; e++)
        {
            var input = Unsafe.Add(ref posterior, Unsafe.Add(ref columns, e)) - Unsafe.Add(ref checkToVariable, e);
            Unsafe.Add(ref rowInputs, e - start) = input;
            var magnitude = Vector512.Abs(input);
            min2 = Vector512.Min(min2, Vector512.Max(min1, magnitude));
            min1 = Vector512.Min(min1, magnitude);
            signs ^= input.AsUInt32();
        }
        var signBit = Vector512.Create(0x8000_0000u);
        var normalized = _settings.Variant == MinSumVariant.Normalized;
        var alpha = Vector512.Create(_settings.Alpha);
        var beta = Vector512.Create(_settings.Beta);
        for (var e = start; e < end; e++)
        {
            var input = Unsafe.Add(ref rowInputs, e - start);
            var magnitude = Vector512.ConditionalSelect(Vector512.Equals(Vector512.Abs(input), min1), min2, min1);
            magnitude = normalized ? magnitude * alpha : Vector512.Max(magnitude - beta, Vector512<float>.Zero);
            var message = (magnitude.AsUInt32() | ((signs ^ input.AsUInt32()) & signBit)).AsSingle();
            Unsafe.Add(ref checkToVariable, e) = message;
        }
    }
}
