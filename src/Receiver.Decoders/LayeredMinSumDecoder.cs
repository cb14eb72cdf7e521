using Receiver.Codes;
using Receiver.Decoders.Iterative;

namespace Receiver.Decoders;

/// <summary>
/// Row-layered normalized min-sum on any H ("layered-nms"): each row in turn removes its old
/// message from the posteriors of its columns, computes a new one from the current posteriors
/// and adds it back, so later rows see the update within the same iteration (about twice the
/// convergence speed of flooding). Early stop is checked after each full pass over the rows.
/// </summary>
/// <remarks>
/// Frames run side by side in SIMD lanes (<see cref="InterFrameKernel{TVec, TElement, TOps}"/>: 8 float, 16 int16
/// or 32 int8 frames per AVX2 vector, twice that with AVX-512), each lane taking the chunk's next frame as soon
/// as its own converges. <see cref="DecoderOptions.ElementType"/> picks float (default; bit-identical to the
/// scalar kernel), int16 or int8 (saturating arithmetic, frames scaled by a robust mean |LLR|).
/// </remarks>
public sealed class LayeredMinSumDecoder : BatchDecoder<LayeredMinSumDecoder.Workspace>
{
    private readonly MinSumSettings _settings;

    public LayeredMinSumDecoder(IBlockCode code, DecoderOptions options)
        : this(code, options, vectorized: true) { }

    /// <summary>Lets tests pin the scalar float path to compare it with the lane kernels.</summary>
    internal LayeredMinSumDecoder(IBlockCode code, DecoderOptions options, bool vectorized)
        : base(code, IterativeOptions.Validate(options, "layered-nms").Parallelism)
    {
        var alpha = IterativeOptions.Normalization(options, Name);
        _settings = new MinSumSettings(new TannerGraph(code.H), MinSumSchedule.Layered, MinSumVariant.Normalized, alpha, 0f, options.Iterations, options.EarlyStop);
        ElementType = options.ElementType ?? LaneElementType.Float;
        // Fixed point exists only as lanes; float lanes only where the CPU accelerates them.
        IsVectorized = ElementType != LaneElementType.Float || (vectorized && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated);
    }

    public override string Name => "layered-nms";

    /// <summary>Element type of the lanes (float unless <see cref="DecoderOptions.ElementType"/> says otherwise).</summary>
    public LaneElementType ElementType { get; }

    /// <summary>True when chunks run through SIMD lanes (always for int16/int8).</summary>
    public bool IsVectorized { get; }

    /// <summary>Frames decoded side by side (1 on the scalar path).</summary>
    public int Lanes => IsVectorized ? InterFrameKernels.Lanes(ElementType) : 1;

    protected override int ChunkFrames => IsVectorized ? FrameLanes.ChunkFrames(Lanes, _settings.Graph) : 1;

    protected override Workspace CreateWorkspace() => new(this);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        if (workspace.Lanes is { } lanes)
        {
            lanes.Decode(Code, llrs, bits, status);
            return;
        }
        var scalar = workspace.Scalar!;
        var columns = Code.H.Columns;
        for (var f = 0; f < status.Length; f++)
        {
            Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), scalar.Channel);
            status[f] = scalar.Decode(bits.Slice(f * columns, columns));
        }
    }

    /// <summary>Per-thread scratch of one decoder: the message arrays of its kernel.</summary>
    public sealed class Workspace
    {
        internal Workspace(LayeredMinSumDecoder decoder)
        {
            var s = decoder._settings;
            if (decoder.IsVectorized) Lanes = InterFrameKernels.CreateLayered(s.Graph, decoder.ElementType, s.Iterations, s.EarlyStop, s.Alpha);
            else Scalar = new ScalarMinSumKernel(s);
        }

        internal ScalarMinSumKernel? Scalar { get; }
        internal IInterFrameKernel? Lanes { get; }
    }
}
