using Receiver.Codes;
using Receiver.Common;
using Receiver.Decoders;

namespace Receiver.Pipeline;

/// <summary>Where decoded batches go (the publisher). Called synchronously on a batcher worker.</summary>
public interface IDecodedSink
{
    /// <summary>
    /// Takes what it needs from the batch and returns; the batch, its frames and its spans are only valid
    /// during the call (the batcher then returns the frames to the pool and reuses the buffers).
    /// Workers of different codes (or several workers of one code) may call it at the same time.
    /// </summary>
    void Publish(DecodedBatch batch);
}

/// <summary>
/// One decoded batch of one code, as handed to <see cref="IDecodedSink.Publish"/>: per frame the frame itself
/// (code index, sequence, ingest and source timestamps), its decoded graph bits, status and the stage that
/// produced them. Owned and reused by a batcher worker: do not keep it past Publish.
/// </summary>
public sealed class DecodedBatch
{
    private readonly Frame[] _frames;
    private readonly byte[] _bits;
    private readonly DecodeStatus[] _status;
    private readonly DecodeStage[] _stage;

    internal DecodedBatch(DecoderChain chain, int codeIndex, int maxBatch)
    {
        Chain = chain;
        CodeIndex = codeIndex;
        _frames = new Frame[maxBatch];
        _bits = new byte[maxBatch * chain.OutputLength];
        _status = new DecodeStatus[maxBatch];
        _stage = new DecodeStage[maxBatch];
    }

    /// <summary>Frames in the batch.</summary>
    public int Count { get; internal set; }

    /// <summary>Index of the batch's code in the registry (all frames of a batch share it).</summary>
    public int CodeIndex { get; }

    /// <summary>The chain that decoded the batch (its code, main and fallback decoders).</summary>
    public DecoderChain Chain { get; }

    public IBlockCode Code => Chain.Code;

    /// <summary>Decoder chain time for the whole batch, microseconds.</summary>
    public double DecodeTimeUs { get; internal set; }

    /// <summary>The i-th frame (its LLRs are still there).</summary>
    public Frame Frame(int i) => _frames[CheckIndex(i)];

    /// <summary>The i-th frame's decoded graph codeword (H.Columns bits, 0/1 bytes); see <see cref="OutputFormatter"/>.</summary>
    public ReadOnlySpan<byte> GraphBits(int i) => _bits.AsSpan(CheckIndex(i) * Chain.OutputLength, Chain.OutputLength);

    public DecodeStatus Status(int i) => _status[CheckIndex(i)];

    public DecodeStage Stage(int i) => _stage[CheckIndex(i)];

    internal Frame[] Frames => _frames;

    internal Span<byte> AllBits => _bits.AsSpan(0, Count * Chain.OutputLength);

    internal Span<DecodeStatus> AllStatus => _status.AsSpan(0, Count);

    internal Span<DecodeStage> AllStages => _stage.AsSpan(0, Count);

    private int CheckIndex(int i) => (uint)i < (uint)Count ? i : throw new ArgumentOutOfRangeException(nameof(i), i, $"batch holds {Count} frames");
}
