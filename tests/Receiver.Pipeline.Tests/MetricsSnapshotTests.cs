using Receiver.Common;

namespace Receiver.Pipeline.Tests;

public class MetricsSnapshotTests
{
    [Fact]
    public void KeepsTotalsPerTagAndIgnoresOtherMetersOfTheSameName()
    {
        using var metrics = new ReceiverMetrics();
        using var other = new ReceiverMetrics();
        using var snapshot = new MetricsSnapshot(metrics);
        var code = new KeyValuePair<string, object?>("code", "nr:224,256");

        metrics.FramesIn.Add(10, code);
        metrics.FramesIn.Add(5, new KeyValuePair<string, object?>("code", "LDPC_N121_K70"));
        metrics.FramesDropped.Add(2, new KeyValuePair<string, object?>("reason", "queue_full"), code);
        metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
        metrics.FramesDropped.Add(3, new KeyValuePair<string, object?>("reason", "queue_full"), code);
        metrics.FramesPublished.Add(9, code);
        other.FramesIn.Add(1000, code);
        for (var i = 1; i <= 100; i++) metrics.LatencyUs.Record(i, code);

        var totals = snapshot.Totals();
        Assert.Equal(15, totals.FramesIn);
        Assert.Equal(10, snapshot.Total("receiver.frames.in", "code", "nr:224,256"));
        Assert.Equal(9, totals.FramesPublished);
        Assert.Equal(6, totals.FramesDropped);
        Assert.Equal(new Dictionary<string, long> { ["queue_full"] = 5, ["malformed"] = 1 }, totals.DroppedByReason);
        Assert.Equal(100, totals.Latency.Count);
        Assert.Equal(50, totals.Latency.P50Us, 0.5);
        Assert.Equal(99, totals.Latency.P99Us, 0.5);
        Assert.Equal(100, totals.Latency.P999Us, 0.5);
        Assert.True(double.IsNaN(totals.Ber));
        Assert.Equal(0, snapshot.Total("receiver.no.such.instrument"));
    }
}
