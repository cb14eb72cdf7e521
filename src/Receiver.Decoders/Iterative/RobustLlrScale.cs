using System.Numerics;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// The statistic fixed-point decoders scale a frame by: the mean |LLR| with every |LLR| clipped at
/// <see cref="OutlierClipFactor"/> times the median (found within a factor of 2 from a histogram of float
/// exponents), so one huge LLR cannot push every other one to zero: it saturates instead. On AWGN LLRs the
/// clip never bites (8 medians is many standard deviations out), so the statistic is the plain mean there.
/// </summary>
internal static class RobustLlrScale
{
    /// <summary>|LLR|s above this many times the median count as this much in the mean.</summary>
    public const float OutlierClipFactor = 8f;

    /// <summary>Scale that brings the clipped mean |LLR| of <paramref name="llrs"/> to <paramref name="target"/>; 1 when the mean is 0 or not finite.</summary>
    public static float Scale(ReadOnlySpan<float> llrs, float target)
    {
        var mean = ClippedMeanMagnitude(llrs);
        return mean > 0 && float.IsFinite(mean) ? target / mean : 1f;
    }

    /// <summary>Mean of min(|L|, <see cref="OutlierClipFactor"/> x median |L|).</summary>
    public static float ClippedMeanMagnitude(ReadOnlySpan<float> llrs)
    {
        if (llrs.IsEmpty) return 0f;
        var clip = OutlierClipFactor * MedianMagnitudeBound(llrs);
        var clipVector = new Vector<float>(clip);
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= llrs.Length - Vector<float>.Count; i += Vector<float>.Count)
            sum += Vector.Min(Vector.Abs(new Vector<float>(llrs.Slice(i))), clipVector);
        var total = Vector.Sum(sum);
        for (; i < llrs.Length; i++) total += MathF.Min(MathF.Abs(llrs[i]), clip);
        return total / llrs.Length;
    }

    /// <summary>A power of two at least the median |LLR| and less than twice it (biased exponents counted, no sort).</summary>
    private static float MedianMagnitudeBound(ReadOnlySpan<float> llrs)
    {
        Span<int> counts = stackalloc int[256];
        counts.Clear();
        foreach (var llr in llrs) counts[(BitConverter.SingleToInt32Bits(llr) >> 23) & 0xFF]++;
        var half = (llrs.Length + 1) / 2;
        var seen = 0;
        for (var exponent = 0; exponent < 255; exponent++)
        {
            seen += counts[exponent];
            if (seen >= half) return BitConverter.Int32BitsToSingle(Math.Min(exponent + 1, 254) << 23);
        }
        return float.MaxValue;
    }
}
