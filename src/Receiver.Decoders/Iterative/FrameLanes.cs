using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Bookkeeping of frame-interleaved kernels, where lane f of every vector belongs to frame f:
/// transposing frames into lanes, per-lane syndromes, and retiring lanes as they stop.
/// </summary>
internal static class FrameLanes
{
    /// <summary>
    /// Maps each frame's channel LLRs onto the graph and writes them lane-interleaved (element c * lanes + f);
    /// lanes past the last frame get a strong all-zero word, which converges at once and is never read.
    /// </summary>
    public static void Fill<T>(IBlockCode code, ReadOnlySpan<float> llrs, int frames, float[] graphLlr, Span<Vector512<T>> channel)
        where T : struct, System.Numerics.INumber<T>
    {
        var lanes = Vector512<T>.Count;
        var interleaved = MemoryMarshal.Cast<Vector512<T>, T>(channel);
        for (var f = 0; f < lanes; f++)
        {
            if (f < frames) code.ToGraphLlr(llrs.Slice(f * code.N, code.N), graphLlr);
            else Array.Fill(graphLlr, 1f);
            for (var c = 0; c < graphLlr.Length; c++) interleaved[c * lanes + f] = T.CreateTruncating(graphLlr[c]);
        }
    }

    /// <summary>Unsatisfied checks of each lane's hard decision (L &lt; 0 gives 1), as a count in lane type T.</summary>
    public static Vector512<T> UnsatisfiedChecks<T>(TannerGraph graph, ReadOnlySpan<Vector512<T>> posterior)
        where T : struct, System.Numerics.INumber<T>
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

    /// <summary>
    /// Takes output bits and status of the pending lanes whose hard decision is a codeword (every pending
    /// lane when <paramref name="final"/>); returns the mask of lanes still pending.
    /// </summary>
    public static int Retire<T>(TannerGraph graph, ReadOnlySpan<Vector512<T>> posterior, int pending, int iteration, bool final,
        Span<byte> bits, Span<DecodeStatus> status)
        where T : struct, System.Numerics.INumber<T>
    {
        var lanes = Vector512<T>.Count;
        var unsatisfied = UnsatisfiedChecks(graph, posterior);
        var interleaved = MemoryMarshal.Cast<Vector512<T>, T>(posterior);
        var columns = graph.Columns;
        for (var lane = 0; lane < status.Length; lane++)
        {
            if ((pending & (1 << lane)) == 0) continue;
            var checks = int.CreateTruncating(unsatisfied.GetElement(lane));
            if (checks != 0 && !final) continue;
            pending &= ~(1 << lane);
            var laneBits = bits.Slice(lane * columns, columns);
            for (var c = 0; c < columns; c++) laneBits[c] = interleaved[c * lanes + lane] < T.Zero ? (byte)1 : (byte)0;
            status[lane] = new DecodeStatus(checks == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, iteration, checks);
        }
        return pending;
    }

    /// <summary>
    /// Runs <paramref name="iterate"/> until every lane has stopped: lanes retire when their hard decision is a
    /// codeword (checked before the first iteration and after each one when early stop is on) or at the cap.
    /// </summary>
    public static void Run<T>(TannerGraph graph, Vector512<T>[] posterior, int iterations, bool earlyStop, Action iterate,
        Span<byte> bits, Span<DecodeStatus> status)
        where T : struct, System.Numerics.INumber<T>
    {
        var frames = status.Length;
        var pending = (int)((1L << frames) - 1);
        if (earlyStop) pending = Retire<T>(graph, posterior, pending, 0, final: false, bits, status);
        for (var iteration = 1; pending != 0 && iteration <= iterations; iteration++)
        {
            iterate();
            var final = iteration == iterations;
            if (earlyStop || final) pending = Retire<T>(graph, posterior, pending, iteration, final, bits, status);
        }
    }
}
