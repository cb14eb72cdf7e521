using Receiver.Codes;

namespace Receiver.Decoders;

/// <summary>
/// No decoding ("hard"): the sign decision of each graph LLR (L &lt; 0 gives 1, L = 0 gives 0),
/// checked against H. Converged when H c = 0, otherwise NotConverged; Iterations is always 0.
/// Works on any code: channel LLRs are first mapped onto the graph with <see cref="IBlockCode.ToGraphLlr"/>.
/// </summary>
public sealed class HardDecisionDecoder : BatchDecoder<HardDecisionDecoder.Workspace>
{
    public HardDecisionDecoder(IBlockCode code, DecoderOptions options)
        : base(code, (options ?? throw new ArgumentNullException(nameof(options))).Parallelism)
    {
    }

    public override string Name => "hard";

    protected override int ChunkFrames => 64;

    /// <summary>Per-thread scratch: the frame's graph LLRs.</summary>
    public sealed class Workspace(int graphLength)
    {
        internal readonly float[] GraphLlr = new float[graphLength];
    }

    protected override Workspace CreateWorkspace() => new(OutputLength);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var graphLlr = workspace.GraphLlr.AsSpan();
        for (var f = 0; f < status.Length; f++)
        {
            var frameBits = bits.Slice(f * OutputLength, OutputLength);
            Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), graphLlr);
            for (var i = 0; i < frameBits.Length; i++) frameBits[i] = graphLlr[i] < 0f ? (byte)1 : (byte)0;
            var unsatisfied = Code.H.SyndromeWeight(frameBits);
            status[f] = new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, 0, unsatisfied);
        }
    }
}
