namespace Receiver.Service.Metrics;

/// <summary>
/// Thread-safe histogram of positive values on logarithmic buckets (16 per octave, so a
/// quantile is within about 2.2% of the true value), from 1/16 to 2^32 units. Recording is
/// one interlocked increment and allocates nothing.
/// </summary>
public sealed class LogHistogram
{
    /// <summary>Buckets per doubling.</summary>
    public const int BucketsPerOctave = 16;
    private const int LowestOctave = -4;
    private const int Octaves = 36;
    private readonly long[] _buckets = new long[Octaves * BucketsPerOctave + 2];
    private long _count;
    private double _sum;
    private readonly Lock _sumLock = new();

    public long Count => Interlocked.Read(ref _count);

    public double Sum
    {
        get { lock (_sumLock) return _sum; }
    }

    public void Record(double value)
    {
        if (!double.IsFinite(value)) return;
        Interlocked.Increment(ref _buckets[BucketOf(value)]);
        Interlocked.Increment(ref _count);
        lock (_sumLock) _sum += value;
    }

    /// <summary>The value below which a fraction <paramref name="q"/> of the recorded values lie (bucket midpoint); 0 when empty.</summary>
    public double Quantile(double q)
    {
        var total = Count;
        if (total == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var b = 0; b < _buckets.Length; b++)
        {
            seen += Interlocked.Read(ref _buckets[b]);
            if (seen >= rank) return b == 0 ? LowerBound(1) : Math.Sqrt(LowerBound(b) * LowerBound(b + 1));
        }
        return LowerBound(_buckets.Length - 1);
    }

    /// <summary>Cumulative counts at each power-of-two upper bound (Prometheus "le" buckets), from 2^-4 up to the highest non-empty one.</summary>
    public IEnumerable<(double UpperBound, long CumulativeCount)> PowerOfTwoBuckets()
    {
        long seen = Interlocked.Read(ref _buckets[0]);
        var last = Array.FindLastIndex(_buckets, b => Interlocked.Read(ref b) > 0);
        for (var octave = 0; octave < Octaves; octave++)
        {
            for (var b = 1 + octave * BucketsPerOctave; b <= (octave + 1) * BucketsPerOctave; b++) seen += Interlocked.Read(ref _buckets[b]);
            yield return (Math.Pow(2, LowestOctave + octave + 1), seen);
            if ((octave + 1) * BucketsPerOctave >= last) yield break;
        }
    }

    /// <summary>Bucket 0 takes values below 2^LowestOctave, the last one values at or above the top.</summary>
    private static int BucketOf(double value)
    {
        if (value < Math.Pow(2, LowestOctave)) return 0;
        var index = (int)Math.Floor((Math.Log2(value) - LowestOctave) * BucketsPerOctave) + 1;
        return Math.Min(index, Octaves * BucketsPerOctave + 1);
    }

    private static double LowerBound(int bucket) => Math.Pow(2, LowestOctave + (bucket - 1) / (double)BucketsPerOctave);
}
