using System.Net.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Receiver.Common;
using Receiver.Service.Metrics;

namespace Receiver.Service.Tests;

public class MetricsTests
{
    [Fact]
    public void CollectorCountsOnlyItsOwnMetricsAndSumsDropsByReason()
    {
        using var mine = new ReceiverMetrics();
        using var other = new ReceiverMetrics();
        using var collector = new MetricsCollector(mine);
        var code = new KeyValuePair<string, object?>("code", "nr:224,256");

        mine.FramesIn.Add(10, code);
        mine.FramesPublished.Add(7, code);
        mine.FramesDropped.Add(2, new KeyValuePair<string, object?>("reason", "queue_full"), code);
        mine.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", "shutdown"));
        mine.FramesDropped.Add(3, new KeyValuePair<string, object?>("reason", "malformed"));
        other.FramesIn.Add(1000, code);
        for (var i = 1; i <= 100; i++) mine.LatencyUs.Record(i, code);

        var readout = collector.Read();
        Assert.Equal(13, readout.FramesIn); // 10 framed + 3 malformed messages refused at ingest
        Assert.Equal(10, readout.FramesFramed);
        Assert.Equal(7, readout.FramesPublished);
        Assert.Equal(6, readout.FramesDropped);
        Assert.Equal(2, readout.DroppedByReason["queue_full"]);
        Assert.Equal(1, readout.DroppedByReason["shutdown"]);
        Assert.Equal(0, readout.DroppedByReason["non_finite"]);
        Assert.Equal(readout.FramesIn, readout.FramesPublished + readout.FramesDropped);
        Assert.InRange(readout.LatencyUs.P50, 50 * 0.97, 50 * 1.03);
        Assert.InRange(readout.LatencyUs.P99, 99 * 0.97, 99 * 1.03);
    }

    [Fact]
    public void HistogramQuantilesAreWithinTheBucketResolution()
    {
        var histogram = new LogHistogram();
        var random = new Random(3);
        var values = new double[20000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Exp(random.NextDouble() * 12 - 2); // 0.13 .. 22000, log-uniform
            histogram.Record(values[i]);
        }
        Array.Sort(values);
        foreach (var q in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            var exact = values[(int)Math.Ceiling(q * values.Length) - 1];
            Assert.InRange(histogram.Quantile(q) / exact, 0.97, 1.03);
        }
        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Length, histogram.PowerOfTwoBuckets().Last().CumulativeCount);
    }

    [Fact]
    public async Task PrometheusEndpointServesTheTextExposition()
    {
        using var metrics = new ReceiverMetrics();
        using var collector = new MetricsCollector(metrics);
        metrics.FramesIn.Add(3, new KeyValuePair<string, object?>("code", "nr:224,256"));
        metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", "non_finite"));
        metrics.LatencyUs.Record(40);
        await using var endpoint = new PrometheusEndpoint(0, collector.PrometheusText, NullLogger.Instance);
        using var http = new HttpClient();

        var response = await http.GetAsync(endpoint.Url);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("# TYPE receiver_frames_in_total counter", text);
        Assert.Contains("receiver_frames_in_total{code=\"nr:224,256\"} 3\n", text);
        Assert.Contains("receiver_frames_dropped_total{reason=\"non_finite\"} 1\n", text);
        Assert.Contains("# TYPE receiver_latency_us histogram", text);
        Assert.Contains("receiver_latency_us_bucket{le=\"64\"} 1\n", text);
        Assert.Contains("receiver_latency_us_count 1\n", text);

        var missing = await http.GetAsync($"http://127.0.0.1:{endpoint.Port}/other");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ServiceWithThePrometheusEndpointServesItAndShutsDownCleanly()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Metrics:PrometheusPort"] = port.ToString();
        var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost()).Build();
        await host.StartAsync();
        using var http = new HttpClient();

        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("receiver_frames_in_total", text);

        await host.StopAsync();
        host.Dispose(); // disposes the metrics service both as itself and as a hosted service
    }
}
