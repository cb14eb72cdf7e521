using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Message state of a frame-interleaved kernel: lane f of every vector belongs to the frame decoded in lane f.
/// Channel and posterior have one vector per graph column, check-to-variable messages one per edge.
/// </summary>
internal sealed class LaneState<T> where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
{
    public LaneState(TannerGraph graph)
    {
        Graph = graph;
        Channel = new Vector512<T>[graph.Columns];
        Posterior = new Vector512<T>[graph.Columns];
        CheckToVariable = new Vector512<T>[graph.Edges];
        GraphLlr = new float[graph.Columns];
    }

    public TannerGraph Graph { get; }
    public Vector512<T>[] Channel { get; }
    public Vector512<T>[] Posterior { get; }
    public Vector512<T>[] CheckToVariable { get; }

    /// <summary>One frame's channel LLRs mapped onto the graph.</summary>
    public float[] GraphLlr { get; }
}

/// <summary>
/// Streams a chunk of frames through the lanes of a frame-interleaved kernel: each lane decodes
/// one frame until its hard decision satisfies every check (early stop) or it reaches the
/// iteration cap, then takes the next frame of the chunk, so a slow frame does not hold up the
/// others. Lanes never mix, so every frame gets exactly what a one-frame decoder would give.
/// </summary>
internal static class FrameLanes
{
    /// <summary>Edge count above which a chunk holds a single lanes' worth of frames.</summary>
    private const int LongGraphEdges = 16384;

    /// <summary>
    /// Frames per chunk: on short codes several lanes' worth, so lanes freed by early stop pick up the
    /// chunk's next frames; on long codes one lanes' worth, since their batches hold few frames and
    /// small chunks are what spreads them over the cores.
    /// </summary>
    public static int ChunkFrames(int lanes, TannerGraph graph) => graph.Edges <= LongGraphEdges ? 8 * lanes : lanes;

    /// <summary>
    /// Decodes status.Length frames of channel LLRs into graph-length hard bits (back to back);
    /// <paramref name="iterate"/> runs one iteration of the kernel on every lane of <paramref name="state"/>.
    /// </summary>
    public static void Run<T>(IBlockCode code, LaneState<T> state, Action iterate, int iterations, bool earlyStop,
        ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var lanes = Vector512<T>.Count;
        var graph = state.Graph;
        var columns = graph.Columns;
        Span<int> laneFrame = stackalloc int[lanes];
        Span<int> laneIterations = stackalloc int[lanes];
        laneFrame.Fill(-1);
        var frames = status.Length;
        var next = 0;
        Array.Clear(state.CheckToVariable);
        while (true)
        {
            var fresh = 0;
            for (var lane = 0; lane < lanes && next < frames; lane++)
            {
                if (laneFrame[lane] >= 0) continue;
                while (next < frames)
                {
                    var frame = next++;
                    code.ToGraphLlr(llrs.Slice(frame * code.N, code.N), state.GraphLlr);
                    if (earlyStop && graph.AllChecksSatisfied<float>(state.GraphLlr))
                    {
                        // Already a codeword: zero iterations, no lane needed.
                        TannerGraph.HardDecision<float>(state.GraphLlr, bits.Slice(frame * columns, columns));
                        status[frame] = new DecodeStatus(DecodeOutcome.Converged, 0, 0);
                        continue;
                    }
                    LoadChannel(state, lane);
                    laneFrame[lane] = frame;
                    laneIterations[lane] = 0;
                    fresh |= 1 << lane;
                    break;
                }
            }
            if (fresh != 0) ResetLanes(state, fresh);

            var atCap = false;
            var active = false;
            for (var lane = 0; lane < lanes; lane++)
            {
                if (laneFrame[lane] < 0) continue;
                active = true;
                atCap |= ++laneIterations[lane] == iterations;
            }
            if (!active) return;
            iterate();

            if (!earlyStop && !atCap) continue;
            var unsatisfied = UnsatisfiedChecks(graph, state.Posterior);
            var posterior = MemoryMarshal.Cast<Vector512<T>, T>(state.Posterior.AsSpan());
            for (var lane = 0; lane < lanes; lane++)
            {
                var frame = laneFrame[lane];
                if (frame < 0) continue;
                var checks = int.CreateTruncating(unsatisfied.GetElement(lane));
                if (!(earlyStop && checks == 0) && laneIterations[lane] < iterations) continue;
                var frameBits = bits.Slice(frame * columns, columns);
                for (var c = 0; c < columns; c++) frameBits[c] = posterior[c * lanes + lane] < T.Zero ? (byte)1 : (byte)0;
                status[frame] = new DecodeStatus(checks == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, laneIterations[lane], checks);
                laneFrame[lane] = -1;
            }
        }
    }

    private static void LoadChannel<T>(LaneState<T> state, int lane) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var lanes = Vector512<T>.Count;
        var channel = MemoryMarshal.Cast<Vector512<T>, T>(state.Channel.AsSpan());
        var graphLlr = state.GraphLlr;
        for (var c = 0; c < graphLlr.Length; c++) channel[c * lanes + lane] = T.CreateTruncating(graphLlr[c]);
    }

    /// <summary>Starts the lanes in the bit mask afresh: posterior = channel, no check messages yet.</summary>
    private static void ResetLanes<T>(LaneState<T> state, int freshLanes) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var fresh = Vector512<T>.Zero;
        for (var lane = 0; lane < Vector512<T>.Count; lane++)
            if ((freshLanes & (1 << lane)) != 0) fresh = fresh.WithElement(lane, T.AllBitsSet);
        var posterior = state.Posterior;
        var channel = state.Channel;
        for (var c = 0; c < posterior.Length; c++) posterior[c] = Vector512.ConditionalSelect(fresh, channel[c], posterior[c]);
        var messages = state.CheckToVariable;
        for (var e = 0; e < messages.Length; e++) messages[e] = Vector512.AndNot(messages[e], fresh);
    }

    /// <summary>Unsatisfied checks of each lane's hard decision (L &lt; 0 gives 1), as a count in lane type T.</summary>
    private static Vector512<T> UnsatisfiedChecks<T>(TannerGraph graph, ReadOnlySpan<Vector512<T>> posterior)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        var rowStart = graph.RowStart;
        var columns = graph.EdgeColumn;
        var count = Vector512<T>.Zero;
        for (var r = 0; r < graph.Rows; r++)
        {
            var parity = Vector512<T>.Zero;
            for (var e = rowStart[r]; e < rowStart[r + 1]; e++)
                parity ^= Vector512.LessThan(posterior[columns[e]], Vector512<T>.Zero);
            count += parity & Vector512<T>.One;
        }
        return count;
    }
}
