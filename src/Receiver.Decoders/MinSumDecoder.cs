using Receiver.Codes;

namespace Receiver.Decoders;

// STUB: placeholder so the solution compiles while the owner writes the real decoder.
public sealed class MinSumDecoder : IBatchDecoder
{
    public MinSumDecoder(IBlockCode code, DecoderOptions options, MinSumVariant variant) => throw new NotImplementedException("MinSumDecoder is not written yet");
    public string Name => throw new NotImplementedException();
    public IBlockCode Code => throw new NotImplementedException();
    public int InputLength => throw new NotImplementedException();
    public int OutputLength => throw new NotImplementedException();
    public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status) => throw new NotImplementedException();
}

/// <summary>Check-node rule of min-sum: scale the minimum (normalized) or subtract an offset.</summary>
public enum MinSumVariant { Normalized, Offset }
