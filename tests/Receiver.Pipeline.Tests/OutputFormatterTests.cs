using Receiver.Codes;
using Receiver.Codes.Nr5g;

namespace Receiver.Pipeline.Tests;

public class OutputFormatterTests
{
    [Fact]
    public void HammingFramesFormatToHandComputedBytes()
    {
        var code = TestCodes.Hamming74;
        // Info 1011 at columns 3..6; parities p0 = c3^c4^c6 = 0, p1 = c3^c5^c6 = 1, p2 = c4^c5^c6 = 0.
        byte[] graph = [0, 1, 0, 1, 0, 1, 1];
        Assert.True(code.H.IsCodeword(graph));

        Assert.Equal([1, 0, 1, 1], Format(code, OutputFormat.UnpackedInfo, graph));
        Assert.Equal([0b1011_0000], Format(code, OutputFormat.PackedInfo, graph));
        Assert.Equal([0, 1, 0, 1, 0, 1, 1], Format(code, OutputFormat.UnpackedCodeword, graph));
        Assert.Equal([0b0101_0110], Format(code, OutputFormat.PackedCodeword, graph));
        Assert.Equal([4, 1, 7, 1], Lengths(code));
    }

    [Fact]
    public void NrFramesFormatToHandComputedBytes()
    {
        var code = Nr5gLdpcCode.Create(20, 60);
        // Info bits 1,1,0,0 repeated: packed MSB first that is 0xCC per byte, and the last 4 bits 1100 padded: 0xC0.
        var info = Enumerable.Range(0, 20).Select(i => (byte)(i % 4 < 2 ? 1 : 0)).ToArray();
        var graph = new byte[code.H.Columns];
        code.EncodeGraph(info, graph);

        Assert.Equal(info, Format(code, OutputFormat.UnpackedInfo, graph));
        Assert.Equal([0xCC, 0xCC, 0xC0], Format(code, OutputFormat.PackedInfo, graph));

        var transmitted = new byte[code.N];
        code.Encode(info, transmitted);
        Assert.Equal(transmitted, Format(code, OutputFormat.UnpackedCodeword, graph));
        // Transmission starts with the info bits after the first 2Z (punctured) ones.
        var systematicSent = code.K - 2 * code.Z;
        Assert.Equal(info[(2 * code.Z)..], transmitted[..systematicSent]);
        Assert.Equal(PackByHand(transmitted), Format(code, OutputFormat.PackedCodeword, graph));
        Assert.Equal([20, 3, 60, 8], Lengths(code));
    }

    [Fact]
    public void PackMatchesBitByBitPackingForEveryLength()
    {
        var random = new Random(5);
        for (var length = 0; length <= 70; length++)
        {
            var bits = Enumerable.Range(0, length).Select(_ => (byte)random.Next(2)).ToArray();
            var packed = new byte[(length + 7) / 8];
            OutputFormatter.Pack(bits, packed);
            Assert.Equal(PackByHand(bits), packed);
        }
    }

    [Fact]
    public void FormatNamesRoundTrip()
    {
        foreach (var format in Enum.GetValues<OutputFormat>())
            Assert.Equal(format, OutputFormatter.Parse(OutputFormatter.NameOf(format)));
        Assert.Equal(OutputFormat.PackedInfo, OutputFormatter.Parse(" Packed-Info "));
        Assert.Contains("unpacked-info", Assert.Throws<ArgumentException>(() => OutputFormatter.Parse("hex")).Message);
    }

    private static byte[] Format(IBlockCode code, OutputFormat format, byte[] graph)
    {
        var output = new byte[OutputFormatter.OutputLength(code, format) + 3];
        var written = OutputFormatter.Format(code, format, graph, output);
        return output[..written];
    }

    private static int[] Lengths(IBlockCode code) => Enum.GetValues<OutputFormat>().Select(f => OutputFormatter.OutputLength(code, f)).ToArray();

    /// <summary>Bit i goes to byte i / 8 at bit 7 - i % 8 (GNU Radio pack_k_bits, MSB first).</summary>
    private static byte[] PackByHand(byte[] bits)
    {
        var packed = new byte[(bits.Length + 7) / 8];
        for (var i = 0; i < bits.Length; i++) packed[i / 8] |= (byte)(bits[i] << (7 - i % 8));
        return packed;
    }
}
