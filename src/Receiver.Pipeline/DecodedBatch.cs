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

    private readonly int _outputLength;

    internal DecodedBatch(DecoderChain chain, int codeIndex, int maxBatch)
        : this(chain.Code, chain.OutputLength, codeIndex, maxBatch) => Chain = chain;

    /// <summary>A batch of frames decoded elsewhere (by remote workers), filled by <see cref="Distributed.ReorderWindow"/>.</summary>
    internal DecodedBatch(IBlockCode code, int outputLength, int codeIndex, int maxBatch)
    {
        Code = code;
        _outputLength = outputLength;
        CodeIndex = codeIndex;
        _frames = new Frame[maxBatch];
        _bits = new byte[maxBatch * outputLength];
        _status = new DecodeStatus[maxBatch];
        _stage = new DecodeStage[maxBatch];
    }

    /// <summary>Frames in the batch.</summary>
    public int Count { get; internal set; }

    /// <summary>Index of the batch's code in the registry (all frames of a batch share it).</summary>
    public int CodeIndex { get; }

    /// <summary>The chain that decoded the batch (its code, main and fallback decoders); null when remote workers decoded it.</summary>
    public DecoderChain? Chain { get; }

    public IBlockCode Code { get; }

    /// <summary>Decoder chain time for the whole batch, microseconds.</summary>
    public double DecodeTimeUs { get; internal set; }

    /// <summary>The i-th frame (its LLRs are still there).</summary>
    public Frame Frame(int i) => _frames[CheckIndex(i)];

    /// <summary>The i-th frame's decoded graph codeword (H.Columns bits, 0/1 bytes); see <see cref="OutputFormatter"/>.</summary>
    public ReadOnlySpan<byte> GraphBits(int i) => _bits.AsSpan(CheckIndex(i) * _outputLength, _outputLength);

    public DecodeStatus Status(int i) => _status[CheckIndex(i)];

    public DecodeStage Stage(int i) => _stage[CheckIndex(i)];

    internal Frame[] Frames => _frames;

    internal Span<byte> AllBits => _bits.AsSpan(0, Count * _outputLength);

    internal Span<DecodeStatus> AllStatus => _status.AsSpan(0, Count);

    internal Span<DecodeStage> AllStages => _stage.AsSpan(0, Count);

    internal int Capacity => _frames.Length;

    /// <summary>Appends a frame decoded elsewhere.</summary>
    internal void Add(Frame frame, ReadOnlySpan<byte> bits, DecodeStatus status, DecodeStage stage)
    {
        var i = Count++;
        _frames[i] = frame;
        bits.CopyTo(_bits.AsSpan(i * _outputLength, _outputLength));
        _status[i] = status;
        _stage[i] = stage;
    }

    private int CheckIndex(int i) => (uint)i < (uint)Count ? i : throw new ArgumentOutOfRangeException(nameof(i), i, $"batch holds {Count} frames");
}
