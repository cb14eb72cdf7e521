using Receiver.Service.Bench;

namespace Receiver.Service.Tests;

public class LogLinearHistogramTests
{
    public static TheoryData<string> Distributions => ["lognormal", "uniform-int", "tiny"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void PercentilesMatchASortedArrayWithinTheResolution(string distribution)
    {
        const int count = 100_000;
        const int subBucketBits = 8;
        var random = new Random(8);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = distribution switch
            {
                "lognormal" => Math.Exp(3 + 1.5 * Gaussian(random)),   // latencies around 20 us with a long tail
                "uniform-int" => random.Next(1, 300),
                _ => random.NextDouble() * 0.05,                      // below the unit's linear range
            };
        }
        var histogram = new LogLinearHistogram(unit: 0.01, subBucketBits);
        foreach (var v in values) histogram.Record(v);
        Array.Sort(values);

        Assert.Equal(count, histogram.Count);
        Assert.Equal(values[0], histogram.Min);
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values.Sum(), histogram.Sum, 1e-6 * values.Sum());
        foreach (var q in new[] { 0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0 })
        {
            var exact = values[Math.Max(1, (int)Math.Ceiling(q * count)) - 1];
            var tolerance = exact * Math.Pow(2, -subBucketBits) + histogram.Unit / 2 + 1e-12;
            Assert.InRange(histogram.Percentile(q), exact - tolerance, exact + tolerance);
        }
    }

    [Fact]
    public void ConcurrentRecordingLosesNothing()
    {
        var histogram = new LogLinearHistogram();
        Parallel.For(0, 4, t =>
        {
            for (var i = 1; i <= 50_000; i++) histogram.Record(i);
        });
        Assert.Equal(200_000, histogram.Count);
        Assert.Equal(4.0 * 50_000 * 50_001 / 2, histogram.Sum);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(50_000, histogram.Max);
        Assert.InRange(histogram.Percentile(0.5), 25_000 * (1 - 1.0 / 256), 25_000 * (1 + 1.0 / 256));
    }

    [Fact]
    public void EmptyHistogramHasNoPercentiles()
    {
        var histogram = new LogLinearHistogram();
        Assert.True(double.IsNaN(histogram.Percentile(0.5)));
        histogram.Record(double.NaN);
        Assert.Equal(0, histogram.Count);
        histogram.Record(-3);
        Assert.Equal(0, histogram.Percentile(1));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
