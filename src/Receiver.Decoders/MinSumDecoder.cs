using Receiver.Codes;
using Receiver.Decoders.Iterative;

namespace Receiver.Decoders;

/// <summary>
/// Flooding min-sum on any H: each iteration every check sends the product of its other inputs'
/// signs times their smallest magnitude, scaled by alpha ("nms") or reduced by beta ("oms"),
/// then every posterior is channel plus all incoming messages. Stops early on H c = 0.
/// </summary>
public sealed class MinSumDecoder : MinSumDecoderBase
{
    public MinSumDecoder(IBlockCode code, DecoderOptions options, MinSumVariant variant)
        : this(code, options, variant, vectorized: true) { }

    /// <summary>Lets tests pin the scalar path to compare it with the vectorized one.</summary>
    internal MinSumDecoder(IBlockCode code, DecoderOptions options, MinSumVariant variant, bool vectorized)
        : base(code, options, NameOf(variant), MinSumSchedule.Flooding, variant, vectorized) { }

    private static string NameOf(MinSumVariant variant) => variant switch
    {
        MinSumVariant.Normalized => "nms",
        MinSumVariant.Offset => "oms",
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown min-sum variant"),
    };
}

/// <summary>Check-node rule of min-sum: scale the minimum (normalized) or subtract an offset.</summary>
public enum MinSumVariant { Normalized, Offset }
