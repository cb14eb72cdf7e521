namespace Receiver.Codes.Nr5g;

// STUB: placeholder so the solution compiles while the owner writes the real code.
public sealed class Nr5gLdpcCode : IBlockCode
{
    private Nr5gLdpcCode() { }
    /// <summary>5G NR LDPC code rate-matched to (k, n) as Sionna's LDPC5GEncoder(k, n).</summary>
    public static Nr5gLdpcCode Create(int k, int n) => throw new NotImplementedException("Nr5gLdpcCode is not written yet");
    public string Name => throw new NotImplementedException();
    public int N => throw new NotImplementedException();
    public int K => throw new NotImplementedException();
    public ParityCheckMatrix H => throw new NotImplementedException();
    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted) => throw new NotImplementedException();
    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => throw new NotImplementedException();
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => throw new NotImplementedException();
    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => throw new NotImplementedException();
}
