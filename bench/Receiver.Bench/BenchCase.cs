using Receiver.Codes;
using Receiver.Codes.Channel;
using Receiver.Codes.Nr5g;
using Receiver.Decoders;

namespace Receiver.Bench;

/// <summary>
/// One decoder on one code with a fixed batch of noisy frames: random info words (seeded), encoded,
/// BPSK over AWGN at <see cref="EbN0Db"/> with sigma^2 = 1/(2 R 10^(EbN0/10)), R = K/N.
/// </summary>
public sealed class BenchCase
{
    private BenchCase(string label, IBlockCode code, Func<DecoderOptions, IBatchDecoder> createDecoder, DecoderOptions options, double ebN0Db, int frames)
    {
        Label = label;
        Code = code;
        CreateDecoder = createDecoder;
        Options = options;
        EbN0Db = ebN0Db;
        Frames = frames;
        (Transmitted, Llrs) = NoisyFrames(code, ebN0Db, frames);
    }

    /// <summary>Seeded random codewords of <paramref name="code"/> and their LLRs after BPSK-AWGN at <paramref name="ebN0Db"/>.</summary>
    public static (byte[] Transmitted, float[] Llrs) NoisyFrames(IBlockCode code, double ebN0Db, int frames)
    {
        var transmitted = new byte[frames * code.N];
        var llrs = new float[frames * code.N];
        var random = new Random(12345);
        var info = new byte[code.K];
        var channel = new AwgnChannel(seed: 2026);
        var sigma = EbN0.NoiseSigma(ebN0Db, (double)code.K / code.N);
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            var sent = transmitted.AsSpan(f * code.N, code.N);
            code.Encode(info, sent);
            channel.Transmit(sent, sigma, llrs.AsSpan(f * code.N, code.N));
        }
        return (transmitted, llrs);
    }

    public string Label { get; }
    public IBlockCode Code { get; }
    public Func<DecoderOptions, IBatchDecoder> CreateDecoder { get; }
    public DecoderOptions Options { get; }
    public double EbN0Db { get; }
    public int Frames { get; }
    public byte[] Transmitted { get; }
    public float[] Llrs { get; }

    /// <summary>Fresh output buffers for one batch.</summary>
    public (byte[] Bits, DecodeStatus[] Status) NewOutputs(IBatchDecoder decoder) => (new byte[Frames * decoder.OutputLength], new DecodeStatus[Frames]);

    /// <summary>Frames whose transmitted bits differ from what was sent.</summary>
    public int FrameErrors(IBatchDecoder decoder, byte[] bits)
    {
        var sent = new byte[Code.N];
        var errors = 0;
        for (var f = 0; f < Frames; f++)
        {
            Code.GraphToTransmitted(bits.AsSpan(f * decoder.OutputLength, decoder.OutputLength), sent);
            if (!sent.AsSpan().SequenceEqual(Transmitted.AsSpan(f * Code.N, Code.N))) errors++;
        }
        return errors;
    }

    /// <summary>The QC layered fixed-point decoder on NR BG1 Z=384 at rate 8/9, 5 iterations (int8 with early stop, int16 without).</summary>
    public static BenchCase NrQcLayered(bool earlyStop) => new(
        $"layered-nms QC       nr:8448,9504  5 it, early stop {(earlyStop ? "on " : "off")}",
        Nr5gLdpcCode.Create(8448, 9504),
        o => new QcLayeredMinSumDecoder(Nr5gLdpcCode.Create(8448, 9504), o),
        new DecoderOptions { Iterations = 5, EarlyStop = earlyStop },
        ebN0Db: 4.5, frames: 64);

    /// <summary>The QC layered decoder on a rate-1/2 NR code (int16: its columns are in up to 19 rows).</summary>
    public static BenchCase NrQcLayeredHalfRate() => new(
        "layered-nms QC       nr:4000,8000  20 it, early stop on",
        Nr5gLdpcCode.Create(4000, 8000),
        o => new QcLayeredMinSumDecoder(Nr5gLdpcCode.Create(4000, 8000), o),
        new DecoderOptions { Iterations = 20, EarlyStop = true },
        ebN0Db: 2.0, frames: 64);

    /// <summary>The generic float layered decoder on the same NR code, for the speed-up of the QC kernel.</summary>
    public static BenchCase NrGenericLayered() => new(
        "layered-nms generic  nr:8448,9504  5 it, early stop off",
        Nr5gLdpcCode.Create(8448, 9504),
        o => new LayeredMinSumDecoder(Nr5gLdpcCode.Create(8448, 9504), o),
        new DecoderOptions { Iterations = 5, EarlyStop = false },
        ebN0Db: 4.5, frames: 64);

    /// <summary>The generic layered decoder on a short paper code.</summary>
    public static BenchCase ShortCodeLayered() => new(
        "layered-nms generic  LDPC_N121_K70  20 it, early stop on",
        CodeLibrary.Load("LDPC_N121_K70"),
        o => new LayeredMinSumDecoder(CodeLibrary.Load("LDPC_N121_K70"), o),
        new DecoderOptions { Iterations = 20, EarlyStop = true },
        ebN0Db: 5.0, frames: 4096);

    /// <summary>Ordered-statistics decoding of one order on BCH(63,45) at 4 dB (the factory's osd0..osd3).</summary>
    public static BenchCase Osd(int order)
    {
        var code = CodeLibrary.Load("BCH_N63_K45");
        return new($"osd{order}                 BCH_N63_K45", code, o => DecoderFactory.Create($"osd{order}", code, o), new DecoderOptions(), ebN0Db: 4.0, frames: 1024);
    }

    /// <summary>Successive-cancellation list decoding with one list size on POLAR(64,32) at 4 dB (sc = list 1).</summary>
    public static BenchCase Scl(int listSize)
    {
        var code = CodeLibrary.Load("POLAR_N64_K32");
        var name = listSize == 1 ? "sc" : $"scl{listSize}";
        return new($"{name,-20} POLAR_N64_K32", code, o => DecoderFactory.Create(name, code, o), new DecoderOptions(), ebN0Db: 4.0, frames: 1024);
    }
}
