using Receiver.Codes;

namespace Receiver.Decoders;

/// <summary>
/// One interface for every decoder, classical or neural: a batch of frames in, hard bits and a
/// status per frame out. Input frames are <see cref="InputLength"/> canonical LLRs each
/// (L = ln P(0)/P(1), positive means bit 0), back to back; output frames are
/// <see cref="OutputLength"/> bits (0/1 bytes) of the code's graph codeword, back to back
/// (use <see cref="IBlockCode.GraphToInfo"/> / <see cref="IBlockCode.GraphToTransmitted"/>).
/// Implementations are safe to call from several threads at once.
/// </summary>
public interface IBatchDecoder
{
    /// <summary>Decoder name as the CLI knows it, e.g. "bp", "layered-nms".</summary>
    string Name { get; }

    IBlockCode Code { get; }

    /// <summary>Channel LLRs per frame (the code's N).</summary>
    int InputLength { get; }

    /// <summary>Decoded bits per frame (the code's graph length, H.Columns).</summary>
    int OutputLength { get; }

    /// <summary>Decodes frames.Length / InputLength frames.</summary>
    void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status);
}

/// <summary>How a frame's decoding ended.</summary>
public enum DecodeOutcome : byte
{
    /// <summary>Output satisfies every parity check.</summary>
    Converged,
    /// <summary>Iteration cap reached with unsatisfied checks; output is the last hard decision.</summary>
    NotConverged,
    /// <summary>Algebraic decoder detected more errors than it can correct; output is the hard decision of the input.</summary>
    Failure,
    /// <summary>
    /// Stopped early because the hard decision passed the decoder's outer check (<see cref="IHardDecisionCheck"/>,
    /// e.g. a code block's CRC) while some parity checks were still unsatisfied: not a codeword.
    /// </summary>
    CheckPassed,
}

/// <summary>Per-frame result: outcome, iterations used (0 when the input already was a codeword) and unsatisfied checks left.</summary>
public readonly record struct DecodeStatus(DecodeOutcome Outcome, int Iterations, int UnsatisfiedChecks)
{
    public bool IsCodeword => Outcome == DecodeOutcome.Converged;
}

/// <summary>
/// A decoder that needs the reliability of every bit, not just its sign (OSD, SCL): as the post-stage of a
/// <see cref="HybridDecoder"/> it reads the frame's channel LLRs instead of the main decoder's hard output.
/// </summary>
public interface ISoftInputDecoder : IBatchDecoder;
