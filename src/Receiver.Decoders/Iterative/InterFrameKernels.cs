using System.Runtime.Intrinsics;

namespace Receiver.Decoders.Iterative;

/// <summary>Builds the inter-frame kernel of an element type at the widest SIMD width the CPU accelerates (512 bits, else 256).</summary>
internal static class InterFrameKernels
{
    /// <summary>int16 target robust mean |LLR|: fine resolution, room for hundreds of mean-size messages before clipping.</summary>
    public const float Int16QuantizedMeanMagnitude = 64f;

    /// <summary>
    /// int8 target robust mean |LLR|. With check magnitudes capped at 127 / (1 + alpha) = 72, a smaller mean
    /// leaves messages room above it: FER of 3000 seeded frames (LDPC_N121_K70 at 3 dB, wimax_576_0.5 at 1.75 dB,
    /// 20 it; float 375 and 269 errors) was 458/- at 8, 405/274 at 12, 388/254 at 16, 393/270 at 20, 394/272 at 24
    /// and 389/622 (early stop off) at 32.
    /// </summary>
    public const float Int8QuantizedMeanMagnitude = 16f;

    public static bool Wide => Vector512.IsHardwareAccelerated;

    /// <summary>Frames side by side for an element type at the width <see cref="Create"/> uses.</summary>
    public static int Lanes(LaneElementType element) => (Wide ? 64 : 32) / element switch
    {
        LaneElementType.Float => sizeof(float),
        LaneElementType.Int16 => sizeof(short),
        _ => sizeof(sbyte),
    };

    public static IInterFrameKernel CreateLayered(TannerGraph graph, LaneElementType element, int iterations, bool earlyStop, float alpha) =>
        (element, Wide) switch
        {
            (LaneElementType.Float, false) => new InterFrameLayeredMinSum<Vector256<float>, float, Float256>(graph, iterations, earlyStop, alpha, 0f),
            (LaneElementType.Float, true) => new InterFrameLayeredMinSum<Vector512<float>, float, Float512>(graph, iterations, earlyStop, alpha, 0f),
            (LaneElementType.Int16, false) => new InterFrameLayeredMinSum<Vector256<short>, short, Int16x256>(graph, iterations, earlyStop, alpha, Int16QuantizedMeanMagnitude),
            (LaneElementType.Int16, true) => new InterFrameLayeredMinSum<Vector512<short>, short, Int16x512>(graph, iterations, earlyStop, alpha, Int16QuantizedMeanMagnitude),
            (LaneElementType.Int8, false) => new InterFrameLayeredMinSum<Vector256<sbyte>, sbyte, Int8x256>(graph, iterations, earlyStop, alpha, Int8QuantizedMeanMagnitude),
            (LaneElementType.Int8, true) => new InterFrameLayeredMinSum<Vector512<sbyte>, sbyte, Int8x512>(graph, iterations, earlyStop, alpha, Int8QuantizedMeanMagnitude),
            _ => throw new ArgumentOutOfRangeException(nameof(element), element, "unknown lane element type"),
        };

    /// <summary>Flooding sum-product on float lanes.</summary>
    public static IInterFrameKernel CreateBeliefPropagation(TannerGraph graph, int iterations, bool earlyStop) => Wide
        ? new InterFrameBeliefPropagation<Vector512<float>, Float512>(graph, iterations, earlyStop)
        : new InterFrameBeliefPropagation<Vector256<float>, Float256>(graph, iterations, earlyStop);
}
