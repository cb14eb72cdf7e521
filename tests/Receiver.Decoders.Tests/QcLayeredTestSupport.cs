using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Decoders;

namespace Receiver.Decoders.Tests;

/// <summary>
/// Small random QC-LDPC code for the QC decoder's tests, independent of the NR code: info blocks with
/// random shifts and a staircase of unshifted identity parity blocks, so encoding is a running XOR.
/// No puncturing: the graph codeword is the transmitted one.
/// </summary>
internal sealed class QcLayeredTestCode : IBlockCode
{
    private readonly int _infoBlocks;

    public QcLayeredTestCode(int z, int infoBlocks, int parityBlocks, int seed)
    {
        var random = new Random(seed);
        var blocks = new List<QuasiCyclicBlock>();
        for (var r = 0; r < parityBlocks; r++)
        {
            for (var c = 0; c < infoBlocks; c++)
                if (random.NextDouble() < 0.7 || c == r % infoBlocks)
                    blocks.Add(new QuasiCyclicBlock(r, c, random.Next(z)));
            if (r > 0) blocks.Add(new QuasiCyclicBlock(r, infoBlocks + r - 1, 0));
            blocks.Add(new QuasiCyclicBlock(r, infoBlocks + r, 0));
        }
        _infoBlocks = infoBlocks;
        QuasiCyclic = new QuasiCyclicLayout(z, parityBlocks, infoBlocks + parityBlocks, blocks);
        var rows = new List<int>[parityBlocks * z];
        for (var i = 0; i < rows.Length; i++) rows[i] = [];
        foreach (var b in blocks)
            for (var t = 0; t < z; t++)
                rows[b.Row * z + t].Add(b.Column * z + (t + b.Shift) % z);
        H = ParityCheckMatrix.FromRowSupports(rows.Length, (infoBlocks + parityBlocks) * z, rows);
        Name = $"qc-test:z{z},{infoBlocks}+{parityBlocks}";
    }

    public string Name { get; }
    public int N => H.Columns;
    public int K => _infoBlocks * QuasiCyclic.Z;
    public ParityCheckMatrix H { get; }
    public QuasiCyclicLayout QuasiCyclic { get; }

    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted)
    {
        var z = QuasiCyclic.Z;
        info.CopyTo(transmitted);
        transmitted[K..].Clear();
        foreach (var b in QuasiCyclic.Blocks.Where(b => b.Column < _infoBlocks))
            for (var t = 0; t < z; t++)
                transmitted[K + b.Row * z + t] ^= info[b.Column * z + (t + b.Shift) % z];
        for (var i = K + z; i < N; i++) transmitted[i] ^= transmitted[i - z];
    }

    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr) => channelLlr.CopyTo(graphLlr);
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted) => graphBits[..N].CopyTo(transmitted);
    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info) => graphBits[..K].CopyTo(info);
}

/// <summary>Seeded random codewords of a code sent over BPSK/AWGN at a given Eb/N0.</summary>
internal sealed class QcLayeredFrames
{
    public QcLayeredFrames(IBlockCode code, int frames, double ebN0Db, ulong seed, bool allZero = false)
    {
        Count = frames;
        Transmitted = new byte[frames * code.N];
        Llrs = new float[frames * code.N];
        var random = new Random((int)seed);
        var info = new byte[code.K];
        var channel = new AwgnChannel(seed);
        var sigma = EbN0.NoiseSigma(ebN0Db, (double)code.K / code.N);
        for (var f = 0; f < frames; f++)
        {
            if (!allZero)
                for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            var sent = Transmitted.AsSpan(f * code.N, code.N);
            code.Encode(info, sent);
            channel.Transmit(sent, sigma, Llrs.AsSpan(f * code.N, code.N));
        }
    }

    public int Count { get; }
    public byte[] Transmitted { get; }
    public float[] Llrs { get; }
}
