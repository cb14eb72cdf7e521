using System.Numerics;

namespace Receiver.Service.Bench;

/// <summary>
/// HDR-style log-linear histogram of non-negative values in fixed memory: values are counted in units of
/// <see cref="Unit"/>; below 2^s units every unit has its own bucket, above that each power of two is split
/// into 2^(s-1) equal buckets, so a percentile is off by at most value * 2^-s + Unit / 2 (s = sub-bucket bits).
/// Recording is lock-free (Interlocked), safe from any number of threads.
/// </summary>
public sealed class LogLinearHistogram
{
    private readonly long[] _counts;
    private readonly int _subBucketBits;
    private readonly int _half;
    private long _count;
    private double _sum;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;

    /// <param name="unit">Value of one count unit (the absolute resolution of small values).</param>
    /// <param name="subBucketBits">s: 2^-s is the relative resolution of large values (1..16; 8 gives 0.4 %, 57 KiB).</param>
    public LogLinearHistogram(double unit = 0.01, int subBucketBits = 8)
    {
        if (!(unit > 0) || double.IsInfinity(unit)) throw new ArgumentOutOfRangeException(nameof(unit), unit, "unit must be positive and finite");
        if (subBucketBits is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(subBucketBits), subBucketBits, "sub-bucket bits must be 1..16");
        Unit = unit;
        _subBucketBits = subBucketBits;
        _half = 1 << (subBucketBits - 1);
        _counts = new long[(65 - subBucketBits) * _half];
    }

    public double Unit { get; }

    /// <summary>Values recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    public double Sum => Volatile.Read(ref _sum);

    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Smallest value recorded (NaN when empty).</summary>
    public double Min => Count == 0 ? double.NaN : Volatile.Read(ref _min);

    /// <summary>Largest value recorded (NaN when empty).</summary>
    public double Max => Count == 0 ? double.NaN : Volatile.Read(ref _max);

    /// <summary>Counts a value; negative values count as 0, NaN is ignored.</summary>
    public void Record(double value)
    {
        if (double.IsNaN(value)) return;
        if (value < 0) value = 0;
        var units = value / Unit >= long.MaxValue ? long.MaxValue : (long)(value / Unit);
        Interlocked.Increment(ref _counts[IndexOf(units)]);
        AddDouble(ref _sum, value);
        UpdateMin(value);
        UpdateMax(value);
        Interlocked.Increment(ref _count);
    }

    /// <summary>
    /// The nearest-rank q-quantile (the value at rank ceil(q * Count) in sorted order), as the midpoint of
    /// its bucket clamped to [Min, Max]; NaN when empty.
    /// </summary>
    public double Percentile(double q)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "quantile must be in [0, 1]");
        long total = 0;
        for (var i = 0; i < _counts.Length; i++) total += Volatile.Read(ref _counts[i]);
        if (total == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long cumulative = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            cumulative += Volatile.Read(ref _counts[i]);
            if (cumulative < rank) continue;
            var (lower, width) = BucketOf(i);
            var estimate = (lower + width / 2.0) * Unit;
            var (min, max) = (Volatile.Read(ref _min), Volatile.Read(ref _max));
            // A concurrent Record may have counted its bucket before updating min and max.
            return min <= max ? Math.Clamp(estimate, min, max) : estimate;
        }
        return Max;
    }

    private int IndexOf(long units)
    {
        if (units < 2L * _half) return (int)units;
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)units) - (_subBucketBits - 1);
        return shift * _half + (int)(units >> shift);
    }

    private (double Lower, double Width) BucketOf(int index)
    {
        if (index < 2 * _half) return (index, 1);
        var shift = index / _half - 1;
        var top = index - shift * _half;
        return ((double)top * Math.Pow(2, shift), Math.Pow(2, shift));
    }

    private static void AddDouble(ref double target, double value)
    {
        var current = Volatile.Read(ref target);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref target, current + value, current);
            if (seen.Equals(current)) return;
            current = seen;
        }
    }

    private void UpdateMin(double value)
    {
        var current = Volatile.Read(ref _min);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, current);
            if (seen.Equals(current)) return;
            current = seen;
        }
    }

    private void UpdateMax(double value)
    {
        var current = Volatile.Read(ref _max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, current);
            if (seen.Equals(current)) return;
            current = seen;
        }
    }
}
