using Receiver.Codes.Channel;
using Receiver.Codes.Nr5g;
using Receiver.Decoders;

namespace Receiver.Bench;

/// <summary>
/// Frame error rate of the fixed-point (int8, or int16 at low rates) QC layered decoder next to the generic float layered decoder on the
/// same frames (seeded random codewords, BPSK/AWGN), at points on the waterfall of each NR code.
/// A frame error is any transmitted bit wrong after decoding; early stop on.
/// </summary>
public static class FerParity
{
    private static readonly (int K, int N, int Iterations, double EbN0Db, int Frames)[] Points =
    [
        (8448, 9504, 5, 4.25, 2000), (8448, 9504, 5, 4.5, 2000),
        (4000, 4800, 20, 2.75, 500), (1000, 1500, 20, 1.75, 1000), (224, 256, 20, 4.0, 2000),
        (4000, 8000, 20, 1.25, 300), (1000, 3000, 20, 1.0, 400), (8448, 20000, 20, 1.0, 200),
    ];

    public static void Run(TextWriter output)
    {
        output.WriteLine($"{"code",-14} {"iter",4} {"Eb/N0",6} {"frames",6} {"QC bits",7} {"FER QC",8} {"FER float",10}");
        foreach (var (k, n, iterations, ebN0Db, frames) in Points)
        {
            var code = Nr5gLdpcCode.Create(k, n);
            var options = new DecoderOptions { Iterations = iterations, EarlyStop = true };
            var llrs = new float[frames * n];
            var sent = new byte[frames * n];
            var random = new Random(3);
            var info = new byte[k];
            var channel = new AwgnChannel(seed: 11);
            var sigma = EbN0.NoiseSigma(ebN0Db, (double)k / n);
            for (var f = 0; f < frames; f++)
            {
                for (var i = 0; i < k; i++) info[i] = (byte)random.Next(2);
                code.Encode(info, sent.AsSpan(f * n, n));
                channel.Transmit(sent.AsSpan(f * n, n), sigma, llrs.AsSpan(f * n, n));
            }
            var qc = new QcLayeredMinSumDecoder(code, options);
            var quantized = FrameErrors(qc, llrs, sent, frames);
            var reference = FrameErrors(new LayeredMinSumDecoder(code, options), llrs, sent, frames);
            output.WriteLine($"{code.Name,-14} {iterations,4} {ebN0Db,6:F2} {frames,6} {qc.FixedPointBits,7} {(double)quantized / frames,8:F4} {(double)reference / frames,10:F4}");
        }
    }

    private static int FrameErrors(IBatchDecoder decoder, float[] llrs, byte[] sent, int frames)
    {
        var code = decoder.Code;
        var bits = new byte[frames * decoder.OutputLength];
        decoder.Decode(llrs, bits, new DecodeStatus[frames]);
        var decoded = new byte[code.N];
        var errors = 0;
        for (var f = 0; f < frames; f++)
        {
            code.GraphToTransmitted(bits.AsSpan(f * decoder.OutputLength, decoder.OutputLength), decoded);
            if (!decoded.AsSpan().SequenceEqual(sent.AsSpan(f * code.N, code.N))) errors++;
        }
        return errors;
    }
}
