using Receiver.Codes;

namespace Receiver.Decoders;

// STUB: placeholder so the solution compiles while the owner writes the real decoder.
public sealed class HardDecisionDecoder : IBatchDecoder
{
    public HardDecisionDecoder(IBlockCode code, DecoderOptions options) => throw new NotImplementedException("HardDecisionDecoder is not written yet");
    public string Name => throw new NotImplementedException();
    public IBlockCode Code => throw new NotImplementedException();
    public int InputLength => throw new NotImplementedException();
    public int OutputLength => throw new NotImplementedException();
    public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status) => throw new NotImplementedException();
}
