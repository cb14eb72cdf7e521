using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>A kernel that decodes a chunk of frames through SIMD lanes, one frame per lane.</summary>
internal interface IInterFrameKernel
{
    /// <summary>Frames decoded side by side.</summary>
    int Lanes { get; }

    /// <summary>Decodes status.Length frames of channel LLRs into graph-length hard bits, back to back.</summary>
    void Decode(IBlockCode code, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status);
}

/// <summary>
/// Engine of the inter-frame kernels: one frame per SIMD lane, messages laid out [edge][lane] and posteriors
/// [column][lane], so one vector operation updates the same edge of every lane's frame. Each lane decodes its
/// frame until the hard decision satisfies every check (early stop) or the iteration cap, then takes the
/// chunk's next frame, so a slow frame holds up no other. Lanes never mix: every frame gets exactly what a
/// one-frame decoder with the same arithmetic gives.
/// </summary>
/// <remarks>
/// Fixed-point element types scale each frame by <c>target / robust mean |L|</c> (<see cref="RobustLlrScale"/>),
/// rounded and saturated to the type's range (punctured columns stay 0, known bits saturate).
/// </remarks>
internal abstract class InterFrameKernel<TVec, TElement, TOps> : IInterFrameKernel
    where TVec : struct
    where TElement : unmanaged, INumber<TElement>
    where TOps : struct, IFrameLaneOps<TVec, TElement>
{
    /// <summary>Rows between the early-exit tests of the syndrome pass (a lane with an odd row is not done).</summary>
    private const int SyndromeExitStride = 8;

    private readonly int _iterations;
    private readonly bool _earlyStop;
    private readonly float _quantizedMeanMagnitude;
    private readonly float[] _graphLlr;
    private readonly TElement[] _lane;
    private readonly TVec[] _laneMask = new TVec[1];
    private readonly int[] _laneFrame;
    private readonly int[] _laneIterations;

    protected InterFrameKernel(TannerGraph graph, int iterations, bool earlyStop, float quantizedMeanMagnitude, bool keepsChannel)
    {
        Graph = graph;
        _iterations = iterations;
        _earlyStop = earlyStop;
        _quantizedMeanMagnitude = quantizedMeanMagnitude;
        Posterior = new TVec[graph.Columns];
        Messages = new TVec[graph.Edges];
        Channel = keepsChannel ? new TVec[graph.Columns] : [];
        _graphLlr = new float[graph.Columns];
        _lane = new TElement[graph.Columns];
        _laneFrame = new int[TOps.Count];
        _laneIterations = new int[TOps.Count];
    }

    protected TannerGraph Graph { get; }

    public int Lanes => TOps.Count;

    /// <summary>Posterior of every column, one lane per frame.</summary>
    protected TVec[] Posterior { get; }

    /// <summary>Check-to-variable message of every edge (row-major), one lane per frame.</summary>
    protected TVec[] Messages { get; }

    /// <summary>Channel LLRs per column (flooding kernels; empty for layered ones, which start the posterior from them).</summary>
    protected TVec[] Channel { get; }

    /// <summary>One iteration on every lane.</summary>
    protected abstract void Iterate();

    /// <summary>Decodes status.Length frames of channel LLRs into graph-length hard bits, back to back.</summary>
    public void Decode(IBlockCode code, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var lanes = TOps.Count;
        var columns = Graph.Columns;
        var frames = status.Length;
        _laneFrame.AsSpan().Fill(-1);
        Array.Clear(Posterior);
        Array.Clear(Messages);
        Array.Clear(Channel);
        var next = 0;
        ulong active = 0;
        while (true)
        {
            ulong fresh = 0;
            for (var lane = 0; lane < lanes && next < frames; lane++)
            {
                if ((active & (1UL << lane)) != 0) continue;
                while (next < frames)
                {
                    var frame = next++;
                    var channel = llrs.Slice(frame * code.N, code.N);
                    code.ToGraphLlr(channel, _graphLlr);
                    if (_earlyStop && Graph.AllChecksSatisfied<float>(_graphLlr))
                    {
                        // Already a codeword: zero iterations, no lane needed.
                        TannerGraph.HardDecision<float>(_graphLlr, bits.Slice(frame * columns, columns));
                        status[frame] = new DecodeStatus(DecodeOutcome.Converged, 0, 0);
                        continue;
                    }
                    LoadLane(lane, TOps.FixedPoint ? RobustLlrScale.Scale(channel, _quantizedMeanMagnitude) : 1f);
                    _laneFrame[lane] = frame;
                    _laneIterations[lane] = 0;
                    fresh |= 1UL << lane;
                    break;
                }
            }
            active |= fresh;
            if (active == 0) return;
            if (fresh != 0) ClearMessages(fresh);

            Iterate();
            ulong capped = 0;
            for (var lane = 0; lane < lanes; lane++)
                if ((active & (1UL << lane)) != 0 && ++_laneIterations[lane] == _iterations) capped |= 1UL << lane;

            var converged = _earlyStop ? active & ~UnsatisfiedLanes(active) : 0;
            var finished = converged | capped;
            for (var lane = 0; finished != 0 && lane < lanes; lane++)
            {
                if ((finished & (1UL << lane)) == 0) continue;
                var frame = _laneFrame[lane];
                var posterior = GatherLane(lane);
                TannerGraph.HardDecision<TElement>(posterior, bits.Slice(frame * columns, columns));
                var checks = (converged & (1UL << lane)) != 0 ? 0 : Graph.UnsatisfiedChecks<TElement>(posterior);
                status[frame] = new DecodeStatus(checks == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, _laneIterations[lane], checks);
                _laneFrame[lane] = -1;
            }
            active &= ~finished;
        }
    }

    /// <summary>Writes <see cref="_graphLlr"/> times scale into the lane's posterior (and channel).</summary>
    private void LoadLane(int lane, float scale)
    {
        var lanes = TOps.Count;
        var posterior = MemoryMarshal.Cast<TVec, TElement>(Posterior.AsSpan());
        var channel = MemoryMarshal.Cast<TVec, TElement>(Channel.AsSpan());
        var keepsChannel = !channel.IsEmpty;
        for (var c = 0; c < _graphLlr.Length; c++)
        {
            var value = TOps.FromLlr(TOps.FixedPoint ? _graphLlr[c] * scale : _graphLlr[c]);
            posterior[c * lanes + lane] = value;
            if (keepsChannel) channel[c * lanes + lane] = value;
        }
    }

    /// <summary>Zeroes the check messages of the lanes in the bit mask (frames starting afresh).</summary>
    private void ClearMessages(ulong lanesToClear)
    {
        var lanes = TOps.Count;
        if (lanesToClear == (lanes == 64 ? ulong.MaxValue : (1UL << lanes) - 1))
        {
            Array.Clear(Messages);
            return;
        }
        var maskBytes = MemoryMarshal.AsBytes(_laneMask.AsSpan());
        maskBytes.Clear();
        var elementSize = Unsafe.SizeOf<TElement>();
        for (var lane = 0; lane < lanes; lane++)
            if ((lanesToClear & (1UL << lane)) != 0) maskBytes.Slice(lane * elementSize, elementSize).Fill(0xFF);
        var mask = _laneMask[0];
        var messages = Messages;
        for (var e = 0; e < messages.Length; e++) messages[e] = TOps.AndNot(messages[e], mask);
    }

    /// <summary>Bit mask of the active lanes whose hard decision (L &lt; 0 gives 1) leaves an odd row.</summary>
    private ulong UnsatisfiedLanes(ulong active)
    {
        var graph = Graph;
        ref var rowStart = ref MemoryMarshal.GetArrayDataReference(graph.RowStart);
        ref var edgeColumn = ref MemoryMarshal.GetArrayDataReference(graph.EdgeColumn);
        ref var posterior = ref MemoryMarshal.GetArrayDataReference(Posterior);
        var odd = default(TVec);
        for (var r = 0; r < graph.Rows; r++)
        {
            var parity = default(TVec);
            int end = Unsafe.Add(ref rowStart, r + 1);
            for (var e = Unsafe.Add(ref rowStart, r); e < end; e++)
                parity = TOps.Xor(parity, TOps.NegativeSign(Unsafe.Add(ref posterior, Unsafe.Add(ref edgeColumn, e))));
            odd = TOps.Or(odd, parity);
            // Frames still far from a codeword fail within the first rows: stop once every active lane has.
            if (r % SyndromeExitStride == SyndromeExitStride - 1 && (TOps.SignBits(odd) & active) == active) break;
        }
        return TOps.SignBits(odd) & active;
    }

    private ReadOnlySpan<TElement> GatherLane(int lane)
    {
        var lanes = TOps.Count;
        var posterior = MemoryMarshal.Cast<TVec, TElement>(Posterior.AsSpan());
        for (var c = 0; c < _lane.Length; c++) _lane[c] = posterior[c * lanes + lane];
        return _lane;
    }
}

/// <summary>
/// Row-layered normalized min-sum on lanes of frames. With float lanes it runs the operations of
/// <see cref="ScalarMinSumKernel"/> in the same order (bit-identical output); with int16/int8 lanes the
/// subtract and add saturate and check magnitudes are capped at max / (1 + alpha) before alpha.
/// </summary>
internal sealed class InterFrameLayeredMinSum<TVec, TElement, TOps> : InterFrameKernel<TVec, TElement, TOps>
    where TVec : struct
    where TElement : unmanaged, INumber<TElement>
    where TOps : struct, IFrameLaneOps<TVec, TElement>
{
    private readonly TVec[] _rowInputs;
    private readonly TVec _alpha;
    private readonly TVec _magnitudeCap;

    public InterFrameLayeredMinSum(TannerGraph graph, int iterations, bool earlyStop, float alpha, float quantizedMeanMagnitude)
        : base(graph, iterations, earlyStop, quantizedMeanMagnitude, keepsChannel: false)
    {
        _rowInputs = new TVec[graph.MaxRowWeight];
        _alpha = TOps.NormalizationFactor(alpha);
        _magnitudeCap = TOps.MagnitudeCap(alpha);
    }

    protected override void Iterate()
    {
        var graph = Graph;
        // Indices come from the graph the arrays were sized for, so element access skips bounds checks.
        ref var rowStart = ref MemoryMarshal.GetArrayDataReference(graph.RowStart);
        ref var columns = ref MemoryMarshal.GetArrayDataReference(graph.EdgeColumn);
        ref var posterior = ref MemoryMarshal.GetArrayDataReference(Posterior);
        ref var messages = ref MemoryMarshal.GetArrayDataReference(Messages);
        ref var rowInputs = ref MemoryMarshal.GetArrayDataReference(_rowInputs);
        var alpha = _alpha;
        for (var r = 0; r < graph.Rows; r++)
        {
            int start = Unsafe.Add(ref rowStart, r), end = Unsafe.Add(ref rowStart, r + 1);
            var min1 = _magnitudeCap;
            var min2 = min1;
            var signs = default(TVec);
            for (var e = start; e < end; e++)
            {
                var input = TOps.Subtract(Unsafe.Add(ref posterior, Unsafe.Add(ref columns, e)), Unsafe.Add(ref messages, e));
                Unsafe.Add(ref rowInputs, e - start) = input;
                var magnitude = TOps.Magnitude(input);
                min2 = TOps.Min(min2, TOps.Max(min1, magnitude));
                min1 = TOps.Min(min1, magnitude);
                signs = TOps.Xor(signs, input);
            }
            var scaled1 = TOps.Normalize(min1, alpha);
            var scaled2 = TOps.Normalize(min2, alpha);
            for (var e = start; e < end; e++)
            {
                var input = Unsafe.Add(ref rowInputs, e - start);
                var magnitude = TOps.SelectWhereEqual(TOps.Magnitude(input), min1, scaled2, scaled1);
                var message = TOps.WithSignOf(magnitude, TOps.Xor(signs, input));
                Unsafe.Add(ref messages, e) = message;
                Unsafe.Add(ref posterior, Unsafe.Add(ref columns, e)) = TOps.Add(input, message);
            }
        }
    }
}
