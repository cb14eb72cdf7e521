namespace Receiver.Decoders;

/// <summary>
/// An outer check on the first <see cref="Bits"/> output bits (e.g. a CRC inside the information bits) that an
/// iterative decoder may run between iterations to stop before the syndrome is zero. Called from decoding threads
/// concurrently: implementations must be thread-safe and should not allocate.
/// </summary>
public interface IHardDecisionCheck
{
    /// <summary>How many leading output bits the check reads.</summary>
    int Bits { get; }

    /// <summary>True when the hard decision (0/1 per byte, <see cref="Bits"/> of them) passes.</summary>
    bool Accepts(ReadOnlySpan<byte> bits);
}
