using Receiver.Codes;
using Receiver.Decoders.Iterative;

namespace Receiver.Decoders;

/// <summary>
/// Row-layered normalized min-sum on any H ("layered-nms"): each row in turn removes its old
/// message from the posteriors of its columns, computes a new one from the current posteriors
/// and adds it back, so later rows see the update within the same iteration (about twice the
/// convergence speed of flooding). Early stop is checked after each full pass over the rows.
/// </summary>
public sealed class LayeredMinSumDecoder : MinSumDecoderBase
{
    public LayeredMinSumDecoder(IBlockCode code, DecoderOptions options)
        : this(code, options, vectorized: true) { }

    /// <summary>Lets tests pin the scalar path to compare it with the vectorized one.</summary>
    internal LayeredMinSumDecoder(IBlockCode code, DecoderOptions options, bool vectorized)
        : base(code, options, "layered-nms", MinSumSchedule.Layered, MinSumVariant.Normalized, vectorized) { }
}
