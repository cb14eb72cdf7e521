using System.Runtime.Intrinsics;
using Receiver.Codes;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Shared engine of the min-sum family on any H (all rows, redundant ones included). With
/// AVX-512 it streams the chunk's frames through 16 float lanes (one frame per lane);
/// otherwise it decodes one frame at a time. Both paths give identical bits and statuses.
/// </summary>
public abstract class MinSumDecoderBase : BatchDecoder<MinSumDecoderBase.Workspace>
{
    private readonly MinSumSettings _settings;

    private protected MinSumDecoderBase(IBlockCode code, DecoderOptions options, string name,
        MinSumSchedule schedule, MinSumVariant variant, bool vectorized)
        : base(code, IterativeOptions.Validate(options, name).Parallelism)
    {
        Name = name;
        IterativeOptions.RequireFloat(options, name);
        var alpha = variant == MinSumVariant.Normalized ? IterativeOptions.Normalization(options, name) : 1f;
        var beta = variant == MinSumVariant.Offset ? IterativeOptions.Offset(options, name) : 0f;
        _settings = new MinSumSettings(new TannerGraph(code.H), schedule, variant, alpha, beta, options.Iterations, options.EarlyStop);
        IsVectorized = vectorized && Vector512.IsHardwareAccelerated;
    }

    public override string Name { get; }

    /// <summary>True when chunks run the 16-lane AVX-512 kernel.</summary>
    public bool IsVectorized { get; }

    protected override int ChunkFrames => IsVectorized ? FrameLanes.ChunkFrames(VectorMinSumKernel.Lanes, _settings.Graph) : 1;

    protected override Workspace CreateWorkspace() => new(_settings, IsVectorized);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        if (workspace.Vector is { } vector)
        {
            vector.Decode(Code, llrs, bits, status);
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
        internal Workspace(MinSumSettings settings, bool vectorized)
        {
            if (vectorized) Vector = new VectorMinSumKernel(settings);
            else Scalar = new ScalarMinSumKernel(settings);
        }

        internal ScalarMinSumKernel? Scalar { get; }
        internal VectorMinSumKernel? Vector { get; }
    }
}
