using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Receiver.Codes.Channel;

/// <summary>
/// Simulated channel from code bits to canonical LLRs (L = ln P(0)/P(1), positive means bit 0).
/// BPSK maps 0 -> +1, 1 -> -1 and adds N(0, sigma^2): L = 2y/sigma^2. With Rayleigh fading
/// y = h x + n per symbol, h known: L = 2hy/sigma^2. Gray QPSK puts two bits on I and Q with the
/// same per-dimension sigma, so its LLRs follow BPSK's law at the same Eb/N0 (under fading the
/// two bits of a symbol share h). Seeded and reproducible; buffers grow once, so steady-state
/// calls allocate nothing. Not thread-safe: one instance per thread.
/// </summary>
public sealed class AwgnChannel
{
    private readonly Xoshiro256StarStarX8 _random;
    private double[] _noise = [];
    private double[] _gains = [];

    public AwgnChannel(ulong seed, Modulation modulation = Modulation.Bpsk, Fading fading = Fading.None)
    {
        if (!Enum.IsDefined(modulation)) throw new ArgumentOutOfRangeException(nameof(modulation));
        if (!Enum.IsDefined(fading)) throw new ArgumentOutOfRangeException(nameof(fading));
        _random = new Xoshiro256StarStarX8(seed);
        Modulation = modulation;
        Fading = fading;
    }

    public Modulation Modulation { get; }
    public Fading Fading { get; }

    /// <summary>Restarts the noise stream, e.g. once per frame for results independent of batching.</summary>
    public void Reseed(ulong seed) => _random.Reseed(seed);

    /// <summary>Sends 0/1 bits through the channel with noise sigma per real dimension and writes one LLR per bit.</summary>
    public void Transmit(ReadOnlySpan<byte> bits, double sigma, Span<float> llr)
    {
        if (llr.Length < bits.Length) throw new ArgumentException($"need {bits.Length} LLR slots, got {llr.Length}", nameof(llr));
        if (!(sigma > 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive and finite");

        var count = bits.Length;
        if (_noise.Length < count) _noise = new double[count];
        var noise = _noise.AsSpan(0, count);
        _random.FillStandardNormal(noise);
        var scale = 2.0 / (sigma * sigma);

        if (Fading == Fading.None)
        {
            var i = Avx512F.IsSupported ? AwgnLlrsAvx512(bits, noise, sigma, scale, llr) : 0;
            for (; i < count; i++)
            {
                var y = (1 - 2 * (bits[i] & 1)) + sigma * noise[i];
                llr[i] = (float)(scale * y);
            }
            return;
        }

        // One gain per symbol: a bit per symbol for BPSK, two for QPSK.
        var shift = Modulation == Modulation.Qpsk ? 1 : 0;
        var symbols = (count + shift) >> shift;
        if (_gains.Length < symbols) _gains = new double[symbols];
        var gains = _gains.AsSpan(0, symbols);
        _random.FillRayleigh(gains);
        for (var i = 0; i < count; i++)
        {
            var h = gains[i >> shift];
            var y = h * (1 - 2 * (bits[i] & 1)) + sigma * noise[i];
            llr[i] = (float)(scale * h * y);
        }
    }

    /// <summary>AWGN LLRs eight at a time; returns how many bits it handled (a multiple of 8).</summary>
    private static int AwgnLlrsAvx512(ReadOnlySpan<byte> bits, ReadOnlySpan<double> noise, double sigma, double scale, Span<float> llr)
    {
        var one = Vector512<long>.One;
        var sigmas = Vector512.Create(sigma);
        var scales = Vector512.Create(scale);
        var i = 0;
        for (; i + 8 <= bits.Length; i += 8)
        {
            var eightBits = Vector128.CreateScalarUnsafe(MemoryMarshal.Read<ulong>(bits.Slice(i, 8))).AsByte();
            var symbols = Vector512.ConvertToDouble(one - ((Avx512F.ConvertToVector512Int64(eightBits) & one) << 1)); // 0 -> +1, 1 -> -1
            var received = symbols + sigmas * Vector512.Create(noise.Slice(i, 8));
            Avx512F.ConvertToVector256Single(scales * received).CopyTo(llr.Slice(i, 8));
        }
        return i;
    }
}
