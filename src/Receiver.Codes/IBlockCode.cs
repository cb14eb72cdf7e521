namespace Receiver.Codes;

/// <summary>
/// A binary linear block code as the receiver sees it: K information bits are encoded into N
/// transmitted bits; decoders work on a Tanner graph <see cref="H"/> whose columns may be more
/// than N (5G NR: punctured systematic bits, filler bits and untransmitted parity).
/// Bits are 0/1 bytes. LLRs are canonical: L = ln P(b=0)/P(b=1), positive means bit 0.
/// </summary>
public interface IBlockCode
{
    /// <summary>Short identifier, e.g. "LDPC_N49_K24" or "nr:224,256".</summary>
    string Name { get; }

    /// <summary>Transmitted bits per codeword.</summary>
    int N { get; }

    /// <summary>Information bits per codeword (the nominal k used for Eb/N0).</summary>
    int K { get; }

    /// <summary>Decoding graph; <c>H.Columns</c> is the graph codeword length (equal to N for plain codes).</summary>
    ParityCheckMatrix H { get; }

    /// <summary>Quasi-cyclic description of H when it has one (5G NR), for lifted-graph decoders.</summary>
    QuasiCyclicLayout? QuasiCyclic => null;

    /// <summary>Encodes K info bits into the N transmitted bits.</summary>
    void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted);

    /// <summary>Maps N channel LLRs onto the graph's columns: punctured and untransmitted bits get 0, known (filler) bits get <see cref="KnownBitLlr"/>.</summary>
    void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr);

    /// <summary>Extracts the N transmitted bits from a decoded graph codeword.</summary>
    void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted);

    /// <summary>Extracts the K information bits from a decoded graph codeword.</summary>
    void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info);

    /// <summary>LLR given to bits known to be zero (fillers): large but finite, so min-sum arithmetic stays finite.</summary>
    public const float KnownBitLlr = 1e4f;
}

/// <summary>
/// QC-LDPC layout: H is a BaseRows x BaseColumns array of Z x Z blocks; each listed block is the
/// identity cyclically shifted by Shift (the one of block row t sits in column (t + Shift) mod Z).
/// Entries are in row-major order of the base graph.
/// </summary>
public sealed record QuasiCyclicLayout(int Z, int BaseRows, int BaseColumns, IReadOnlyList<QuasiCyclicBlock> Blocks);

public readonly record struct QuasiCyclicBlock(int Row, int Column, int Shift);
