using System.Runtime.Intrinsics;
using Receiver.Codes;
using Receiver.Decoders.Iterative;

namespace Receiver.Decoders;

/// <summary>
/// Flooding sum-product ("bp") on any H, all rows included. Each iteration every check sends
/// 2 atanh(prod tanh(m/2)) over its other inputs, then every posterior is channel plus all
/// incoming messages; the hard decision (L &lt; 0 gives 1) is checked after every iteration.
/// Where the CPU accelerates SIMD it streams the chunk's frames through float lanes (8 per AVX2
/// vector, 16 with AVX-512; one frame per lane, the next frame taking a lane as soon as its frame
/// converges), with the vector exp and log. Otherwise it decodes one frame at a time in double with
/// messages clamped to +-30, the reference the float lanes are tested against (same decisions on
/// almost every frame: float bounds messages near +-17.3).
/// </summary>
public sealed class BeliefPropagationDecoder : BatchDecoder<BeliefPropagationDecoder.Workspace>
{
    private readonly TannerGraph _graph;
    private readonly int _iterations;
    private readonly bool _earlyStop;

    public BeliefPropagationDecoder(IBlockCode code, DecoderOptions options) : this(code, options, vectorized: true) { }

    /// <summary>Lets tests pin the scalar path to compare it with the vectorized one.</summary>
    internal BeliefPropagationDecoder(IBlockCode code, DecoderOptions options, bool vectorized)
        : base(code, IterativeOptions.Validate(options, "bp").Parallelism)
    {
        _graph = new TannerGraph(code.H);
        _iterations = options.Iterations;
        _earlyStop = options.EarlyStop;
        IterativeOptions.RequireFloat(options, "bp");
        IsVectorized = vectorized && Vector256.IsHardwareAccelerated;
    }

    public override string Name => "bp";

    /// <summary>True when chunks run through float SIMD lanes.</summary>
    public bool IsVectorized { get; }

    protected override int ChunkFrames => IsVectorized ? FrameLanes.ChunkFrames(InterFrameKernels.Lanes(LaneElementType.Float), _graph) : 1;

    protected override Workspace CreateWorkspace() => new(this);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        if (workspace.Vector is { } vector)
        {
            vector.Decode(Code, llrs, bits, status);
            return;
        }
        var scalar = workspace.Scalar!;
        var columns = _graph.Columns;
        for (var f = 0; f < status.Length; f++)
        {
            Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), scalar.GraphLlr);
            status[f] = scalar.Decode(bits.Slice(f * columns, columns));
        }
    }

    /// <summary>Per-thread scratch of one decoder: the message arrays of its kernel.</summary>
    public sealed class Workspace
    {
        internal Workspace(BeliefPropagationDecoder decoder)
        {
            var graph = decoder._graph;
            if (decoder.IsVectorized) Vector = InterFrameKernels.CreateBeliefPropagation(graph, decoder._iterations, decoder._earlyStop);
            else Scalar = new ScalarBeliefPropagationKernel(graph, decoder._iterations, decoder._earlyStop);
        }

        internal ScalarBeliefPropagationKernel? Scalar { get; }
        internal IInterFrameKernel? Vector { get; }
    }
}
