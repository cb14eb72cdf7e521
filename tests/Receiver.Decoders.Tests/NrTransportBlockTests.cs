using Receiver.Codes.Nr5g.Chain;
using Receiver.Decoders.Nr5g;

namespace Receiver.Decoders.Tests;

public class NrTransportBlockTests
{
    private static readonly DecoderOptions Options = new() { Iterations = 10, Parallelism = 1 };

    private static byte[] RandomBits(int length, int seed)
    {
        var random = new Random(seed);
        var bits = new byte[length];
        for (var i = 0; i < length; i++) bits[i] = (byte)random.Next(2);
        return bits;
    }

    /// <summary>Transmits the payload at rv through mapping, AWGN at snrDb (null: noiseless) and exact demapping.</summary>
    private static float[] Transmit(NrTransportBlockEncoder encoder, int rv, double? snrDb, ulong seed)
    {
        var layout = encoder.Layout;
        var g = new byte[layout.Bits];
        encoder.RateMatch(rv, g);
        var symbols = new float[2 * layout.Bits / layout.BitsPerSymbol];
        var modulator = NrModulator.For(layout.Modulation);
        modulator.Map(g, symbols);
        var n0 = snrDb is { } snr ? NrAwgn.NoiseVariance(snr) : 0.01;
        if (snrDb is not null) new NrAwgn(seed).AddNoise(symbols, n0);
        var llrs = new float[layout.Bits];
        modulator.Demap(symbols, n0, NrDemapping.Exact, llrs);
        return llrs;
    }

    [Theory]
    [InlineData(NrModulation.Bpsk, 1000, 0.5, 0)]
    [InlineData(NrModulation.Qpsk, 25104, 0.75, 0)]   // C = 3, BG1, Z = 384
    [InlineData(NrModulation.Qam16, 3824, 0.9, 1)]    // CRC16, BG1
    [InlineData(NrModulation.Qam64, 8460, 0.2, 2)]    // R <= 1/4: BG2, C = 3
    [InlineData(NrModulation.Qam256, 12296, 0.85, 3)]
    public void NoiselessTransportBlockComesBackWithCrcOk(NrModulation modulation, int tbSize, double rate, int rv)
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(tbSize, modulation, rate));
        var encoder = new NrTransportBlockEncoder(layout);
        var payload = RandomBits(tbSize, 1);
        encoder.Encode(payload);
        var decoder = new NrTransportBlockDecoder(layout, Options);
        var process = decoder.CreateProcess();
        var decoded = new byte[tbSize];
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        var result = decoder.Decode(Transmit(encoder, rv, null, 0), rv, process, decoded, blocks);
        if (rv != 0)
        {
            // At high rates RV1-3 carry few or no systematic bits, so they need not decode alone; with RV0 they must.
            if (rate < 0.5) Assert.True(result.CrcOk, $"rv {rv} alone at rate {rate}: {layout}");
            if (!result.CrcOk) result = decoder.Decode(Transmit(encoder, 0, null, 0), 0, process, decoded, blocks);
        }
        Assert.True(result.CrcOk, layout.ToString());
        Assert.Equal(layout.CodeBlocks, result.BlocksOk);
        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void LimitedBufferRateMatchingRoundTrips()
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(25104, NrModulation.Qam16, 0.5) with { LbrmTbs = 25104 });
        Assert.True(layout.Ncb < layout.N);
        var encoder = new NrTransportBlockEncoder(layout);
        var payload = RandomBits(layout.TbSize, 4);
        encoder.Encode(payload);
        var decoder = new NrTransportBlockDecoder(layout, Options);
        var decoded = new byte[layout.TbSize];
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        for (var rv = 0; rv < 4; rv++)
        {
            var result = decoder.Decode(Transmit(encoder, rv, 30, (ulong)rv), rv, decoder.CreateProcess(), decoded, blocks);
            Assert.True(result.CrcOk, $"rv {rv}: {layout}");
            Assert.Equal(payload, decoded);
        }
    }

    [Fact]
    public void CorruptedTransportBlockFailsItsCrc()
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(25104, NrModulation.Qpsk, 0.9));
        var encoder = new NrTransportBlockEncoder(layout);
        encoder.Encode(RandomBits(layout.TbSize, 2));
        var decoder = new NrTransportBlockDecoder(layout, Options);
        var llrs = Transmit(encoder, 0, null, 0);
        for (var i = layout.BlockOffset(1); i < layout.BlockOffset(2); i++) llrs[i] = -llrs[i]; // block 1's bits all flipped
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        var result = decoder.Decode(llrs, 0, decoder.CreateProcess(), new byte[layout.TbSize], blocks);
        Assert.False(result.CrcOk);
        Assert.Equal(2, result.BlocksOk);
        Assert.False(blocks[1].CrcOk);
    }

    [Fact]
    public void IncrementalRedundancyRecoversBlocksThatFailAlone()
    {
        // 16QAM at rate 0.9: at 9 dB a single RV0 fails mostly; RV0 + RV2 + RV3 + RV1 combined succeed more often
        // and blocks that passed are not decoded again.
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(25104, NrModulation.Qam16, 0.9));
        var encoder = new NrTransportBlockEncoder(layout);
        var decoder = new NrTransportBlockDecoder(layout, Options);
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        var decoded = new byte[layout.TbSize];
        int firstOk = 0, combinedOk = 0;
        int[] sequence = [0, 2, 3, 1];
        const int trials = 12;
        for (var t = 0; t < trials; t++)
        {
            var payload = RandomBits(layout.TbSize, 100 + t);
            encoder.Encode(payload);
            var process = decoder.CreateProcess();
            for (var i = 0; i < sequence.Length; i++)
            {
                var result = decoder.Decode(Transmit(encoder, sequence[i], 9.0, (ulong)(t * 10 + i)), sequence[i], process, decoded, blocks);
                if (result.CrcOk)
                {
                    Assert.Equal(payload, decoded);
                    if (i == 0) firstOk++;
                    combinedOk++;
                    break;
                }
                Assert.Equal(i + 1, process.Transmissions);
            }
        }
        Assert.True(firstOk < trials / 2, $"first transmissions passed {firstOk}/{trials}: SNR too high for the test");
        Assert.True(combinedOk > firstOk + trials / 3, $"combining passed {combinedOk}/{trials} against {firstOk} alone");
    }

    [Fact]
    public void PassedBlocksAreKeptNotDecodedAgain()
    {
        var layout = new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(25104, NrModulation.Qpsk, 0.9));
        var encoder = new NrTransportBlockEncoder(layout);
        var payload = RandomBits(layout.TbSize, 9);
        encoder.Encode(payload);
        var decoder = new NrTransportBlockDecoder(layout, Options);
        var process = decoder.CreateProcess();
        var llrs = Transmit(encoder, 0, null, 0);
        llrs.AsSpan(layout.BlockOffset(2)).Clear(); // block 2 erased in the first transmission
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        var decoded = new byte[layout.TbSize];
        Assert.False(decoder.Decode(llrs, 0, process, decoded, blocks).CrcOk);
        Assert.Equal(new[] { true, true, false }, blocks.Select(b => b.CrcOk));
        var result = decoder.Decode(Transmit(encoder, 0, null, 1), 0, process, decoded, blocks);
        Assert.True(result.CrcOk);
        Assert.Equal(new[] { false, false, true }, blocks.Select(b => b.Decoded));
        Assert.Equal(payload, decoded);
    }

    [Fact]
    public void CrcEarlyTermination_SavesIterationsAndDecodesTheSameBlocks()
    {
        // The chain bench's TB (C = 3, K' = 8448, Z = 384, rate 8/9) near its waterfall, 5 iterations.
        var layout = new NrTransportBlockLayout(new NrTransportBlockConfig(25248, NrModulation.Qpsk, 28512, 0.89));
        var options = new DecoderOptions { Iterations = 5, Parallelism = 1 };
        var encoder = new NrTransportBlockEncoder(layout);
        var withCrc = new NrTransportBlockDecoder(layout, options);
        var syndromeOnly = new NrTransportBlockDecoder(layout, options, crcEarlyTermination: false);
        var process = withCrc.CreateProcess();
        var decoded = new byte[layout.TbSize];
        var blocks = new NrCodeBlockResult[layout.CodeBlocks];
        int iterationsWithCrc = 0, iterationsSyndromeOnly = 0, checkPassed = 0;
        for (var t = 0; t < 12; t++)
        {
            var payload = RandomBits(layout.TbSize, 100 + t);
            encoder.Encode(payload);
            var llrs = Transmit(encoder, 0, 7.0, (ulong)(200 + t));

            process.Reset();
            var plain = syndromeOnly.Decode(llrs, 0, process, decoded, blocks);
            var plainPayload = decoded.ToArray();
            var plainBlocks = blocks.ToArray();
            iterationsSyndromeOnly += blocks.Sum(b => b.Status.Iterations);

            process.Reset();
            var early = withCrc.Decode(llrs, 0, process, decoded, blocks);
            iterationsWithCrc += blocks.Sum(b => b.Status.Iterations);
            checkPassed += blocks.Count(b => b.Status.Outcome == DecodeOutcome.CheckPassed);

            Assert.Equal(plain.CrcOk, early.CrcOk);
            Assert.Equal(plainBlocks.Select(b => b.CrcOk), blocks.Select(b => b.CrcOk));
            if (early.CrcOk) Assert.Equal(payload, decoded);
            if (plain.CrcOk) Assert.Equal(payload, plainPayload);
            for (var r = 0; r < layout.CodeBlocks; r++) Assert.True(blocks[r].Status.Iterations <= plainBlocks[r].Status.Iterations);
        }
        Assert.True(checkPassed > 0, "no block stopped on its CRC");
        Assert.True(iterationsWithCrc < iterationsSyndromeOnly, $"{iterationsWithCrc} iterations with CRC stop, {iterationsSyndromeOnly} without");
    }

    [Fact]
    public void CrcCheckLimit_IsNonNegative() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new NrTransportBlockDecoder(
            new NrTransportBlockLayout(NrTransportBlockConfig.ForRate(1000, NrModulation.Qpsk, 0.5)), Options) { CrcCheckLimit = -1 });
}
