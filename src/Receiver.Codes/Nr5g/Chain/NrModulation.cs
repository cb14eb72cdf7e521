namespace Receiver.Codes.Nr5g.Chain;

/// <summary>Modulation schemes of TS 38.211 5.1; the value is Q_m, bits per symbol.</summary>
public enum NrModulation
{
    Bpsk = 1,
    Qpsk = 2,
    Qam16 = 4,
    Qam64 = 6,
    Qam256 = 8,
}

/// <summary>LLR demapping rule.</summary>
public enum NrDemapping
{
    /// <summary>L = ln sum_{x: b=0} exp(-|y-x|^2/N0) - ln sum_{x: b=1} exp(-|y-x|^2/N0), by log-sum-exp.</summary>
    Exact,

    /// <summary>Each sum replaced by its largest term (nearest point).</summary>
    MaxLog,
}

public static class NrModulationExtensions
{
    public static int BitsPerSymbol(this NrModulation modulation) => (int)modulation;

    /// <summary>Short name as the CLI spells it: bpsk, qpsk, 16qam, 64qam, 256qam.</summary>
    public static string Name(this NrModulation modulation) => modulation switch
    {
        NrModulation.Bpsk => "bpsk",
        NrModulation.Qpsk => "qpsk",
        NrModulation.Qam16 => "16qam",
        NrModulation.Qam64 => "64qam",
        NrModulation.Qam256 => "256qam",
        _ => modulation.ToString(),
    };

    public static NrModulation Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "bpsk" => NrModulation.Bpsk,
        "qpsk" => NrModulation.Qpsk,
        "16qam" or "qam16" => NrModulation.Qam16,
        "64qam" or "qam64" => NrModulation.Qam64,
        "256qam" or "qam256" => NrModulation.Qam256,
        _ => throw new ArgumentException($"unknown modulation '{text}' (bpsk, qpsk, 16qam, 64qam, 256qam)"),
    };
}

/// <summary>
/// Modulation mapper of TS 38.211 5.1.2-5.1.6 (unit average symbol energy) and its soft demapper.
/// Symbols are interleaved (I, Q) float pairs. Every square QAM of 5.1 is two Gray PAMs: the even bits
/// b(Q_m i), b(Q_m i + 2), ... set I and the odd bits set Q, each axis as
/// (1-2b_0)[2^{m-1} - (1-2b_2)[2^{m-2} - ...]] / sqrt(norm) (e.g. 16QAM: (1-2b_0)[2-(1-2b_2)] / sqrt(10));
/// BPSK (5.1.2) puts (1-2b)/sqrt(2) on both axes. Thread-safe.
/// </summary>
public sealed class NrModulator
{
    private static readonly NrModulator[] Cache = new NrModulator[9];

    /// <summary>Amplitude levels per axis, indexed by the axis bits (first axis bit as the highest index bit).</summary>
    private readonly float[] _levels;
    private readonly int _axisBits;

    private NrModulator(NrModulation modulation)
    {
        Modulation = modulation;
        var qm = modulation.BitsPerSymbol();
        _axisBits = Math.Max(1, qm / 2);
        var norm = modulation switch
        {
            NrModulation.Bpsk or NrModulation.Qpsk => 2.0,
            NrModulation.Qam16 => 10.0,
            NrModulation.Qam64 => 42.0,
            _ => 170.0,
        };
        _levels = new float[1 << _axisBits];
        for (var index = 0; index < _levels.Length; index++)
        {
            // Nested form of 38.211 5.1.4-5.1.6, innermost bracket first.
            var value = 1.0;
            for (var i = _axisBits - 1; i >= 1; i--) value = (1 << (_axisBits - i)) - Sign(index, i) * value;
            _levels[index] = (float)(Sign(index, 0) * value / Math.Sqrt(norm));
        }
    }

    /// <summary>1 - 2 b_i for axis bit i of the index.</summary>
    private int Sign(int index, int i) => 1 - 2 * ((index >> (_axisBits - 1 - i)) & 1);

    public static NrModulator For(NrModulation modulation)
    {
        var qm = modulation.BitsPerSymbol();
        if (!Enum.IsDefined(modulation)) throw new ArgumentException($"unknown modulation {modulation}");
        return Cache[qm] ??= new NrModulator(modulation);
    }

    public NrModulation Modulation { get; }

    public int BitsPerSymbol => Modulation.BitsPerSymbol();

    /// <summary>Maps bits (length a multiple of Q_m) to bits/Q_m symbols, written as 2 floats each.</summary>
    public void Map(ReadOnlySpan<byte> bits, Span<float> symbols)
    {
        var qm = BitsPerSymbol;
        if (bits.Length % qm != 0) throw new ArgumentException($"{bits.Length} bits are not a whole number of {Modulation.Name()} symbols", nameof(bits));
        var count = bits.Length / qm;
        if (symbols.Length < 2 * count) throw new ArgumentException($"need {2 * count} floats for {count} symbols, got {symbols.Length}", nameof(symbols));
        if (Modulation == NrModulation.Bpsk)
        {
            for (var s = 0; s < count; s++) symbols[2 * s] = symbols[2 * s + 1] = _levels[bits[s] & 1];
            return;
        }
        for (var s = 0; s < count; s++)
        {
            var symbolBits = bits.Slice(s * qm, qm);
            int inPhase = 0, quadrature = 0;
            for (var i = 0; i < _axisBits; i++)
            {
                inPhase = (inPhase << 1) | (symbolBits[2 * i] & 1);
                quadrature = (quadrature << 1) | (symbolBits[2 * i + 1] & 1);
            }
            symbols[2 * s] = _levels[inPhase];
            symbols[2 * s + 1] = _levels[quadrature];
        }
    }

    /// <summary>
    /// Canonical LLRs (ln P(0)/P(1)) of the bits of symbols received with complex noise variance
    /// <paramref name="noiseVariance"/> = N0 (N0/2 per axis).
    /// </summary>
    public void Demap(ReadOnlySpan<float> symbols, double noiseVariance, NrDemapping rule, Span<float> llrs)
    {
        if (!(noiseVariance > 0) || !double.IsFinite(noiseVariance)) throw new ArgumentOutOfRangeException(nameof(noiseVariance), noiseVariance, "noise variance must be positive and finite");
        if (symbols.Length % 2 != 0) throw new ArgumentException("symbols are (I, Q) pairs", nameof(symbols));
        var qm = BitsPerSymbol;
        var count = symbols.Length / 2;
        if (llrs.Length < count * qm) throw new ArgumentException($"need {count * qm} LLR slots, got {llrs.Length}", nameof(llrs));
        var inverseN0 = (float)(1 / noiseVariance);
        Span<float> axisLlr = stackalloc float[_axisBits];
        for (var s = 0; s < count; s++)
        {
            if (Modulation == NrModulation.Bpsk)
            {
                // Both axes carry the bit: the exact LLR is the sum of the two axes' (linear) LLRs, max-log equal.
                var a = _levels[0];
                llrs[s] = 4 * a * (symbols[2 * s] + symbols[2 * s + 1]) * inverseN0;
                continue;
            }
            var symbolLlrs = llrs.Slice(s * qm, qm);
            AxisLlrs(symbols[2 * s], inverseN0, rule, axisLlr);
            for (var i = 0; i < _axisBits; i++) symbolLlrs[2 * i] = axisLlr[i];
            AxisLlrs(symbols[2 * s + 1], inverseN0, rule, axisLlr);
            for (var i = 0; i < _axisBits; i++) symbolLlrs[2 * i + 1] = axisLlr[i];
        }
    }

    /// <summary>Per-axis LLRs: the axis noise has variance N0/2, so the metric of level x is -(y-x)^2 / N0.</summary>
    private void AxisLlrs(float y, float inverseN0, NrDemapping rule, Span<float> axisLlr)
    {
        var levels = _levels;
        Span<float> metric = stackalloc float[levels.Length];
        for (var index = 0; index < levels.Length; index++)
        {
            var distance = y - levels[index];
            metric[index] = -distance * distance * inverseN0;
        }
        for (var i = 0; i < _axisBits; i++)
        {
            var bitMask = 1 << (_axisBits - 1 - i);
            float best0 = float.NegativeInfinity, best1 = float.NegativeInfinity;
            for (var index = 0; index < metric.Length; index++)
            {
                if ((index & bitMask) == 0) best0 = MathF.Max(best0, metric[index]);
                else best1 = MathF.Max(best1, metric[index]);
            }
            if (rule == NrDemapping.MaxLog)
            {
                axisLlr[i] = best0 - best1;
                continue;
            }
            float sum0 = 0, sum1 = 0;
            for (var index = 0; index < metric.Length; index++)
            {
                if ((index & bitMask) == 0) sum0 += MathF.Exp(metric[index] - best0);
                else sum1 += MathF.Exp(metric[index] - best1);
            }
            axisLlr[i] = best0 - best1 + MathF.Log(sum0) - MathF.Log(sum1);
        }
    }
}
