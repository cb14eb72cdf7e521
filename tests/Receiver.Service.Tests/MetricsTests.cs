using System.Net.Http;
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
    public void LatencyQuantilesFromTheExportedBucketsAreWithinTheirResolutionAndRunsSubtract()
    {
        using var metrics = new ReceiverMetrics();
        using var collector = new MetricsCollector(metrics);
        var random = new Random(3);
        var values = Enumerable.Range(0, 20000).Select(_ => Math.Exp(random.NextDouble() * 9)).ToArray(); // 1 us .. 8 ms
        foreach (var value in values) metrics.LatencyUs.Record(value, new KeyValuePair<string, object?>("code", "c"));
        var first = collector.Read();
        Array.Sort(values);
        foreach (var q in new[] { 0.5, 0.9, 0.99, 0.999 })
        {
            var exact = values[(int)(q * (values.Length - 1))];
            Assert.InRange(first.Latency.Quantile(q) / exact, 0.94, 1.06);
        }
        Assert.Equal(values.Length, first.LatencyUs.Count);

        for (var i = 0; i < 100; i++) metrics.LatencyUs.Record(1000, new KeyValuePair<string, object?>("code", "c"));
        var run = collector.Read().Latency.Since(first.Latency);
        Assert.Equal(100, run.Count);
        Assert.InRange(run.Quantile(0.5), 1000 / 1.13, 1000 * 1.13);
    }

    [Fact]
    public async Task PrometheusExporterServesTheTextExpositionWithTagsAndUnits()
    {
        var port = FreePort();
        using var metrics = new ReceiverMetrics();
        using var collector = new MetricsCollector(metrics, port);
        metrics.FramesIn.Add(3, new KeyValuePair<string, object?>("code", "nr:224,256"));
        metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", "non_finite"));
        metrics.LatencyUs.Record(60, new KeyValuePair<string, object?>("code", "nr:224,256"));
        using var http = new HttpClient();
        var text = await http.GetStringAsync(collector.PrometheusUrl);
        Assert.Contains("# TYPE receiver_frames_in_total counter", text);
        Assert.Matches("receiver_frames_in_total\\{otel_scope_name=\"Receiver[.0-9]*\",code=\"nr:224,256\"\\} 3", text);
        Assert.Matches("receiver_frames_dropped_total\\{[^}]*reason=\"non_finite\"[^}]*\\} 1", text);
        Assert.Contains("# TYPE receiver_latency_microseconds histogram", text);
        Assert.Matches("receiver_latency_microseconds_count\\{[^}]*code=\"nr:224,256\"\\} 1", text);
        Assert.Contains("service_name=\"receiver\"", text);
    }

    [Fact]
    public void ABusyPrometheusPortNamesThePort()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        var port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        using var metrics = new ReceiverMetrics();
        var e = Assert.Throws<InvalidOperationException>(() => new MetricsCollector(metrics, port));
        Assert.Contains($"PrometheusPort", e.Message);
        Assert.Contains($"port {port}", e.Message);
    }

    private static int FreePort()
    {
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [Fact]
    public async Task ServiceWithThePrometheusEndpointServesItAndShutsDownCleanly()
    {
        var port = FreePort();
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Metrics:PrometheusPort"] = port.ToString();
        var host = ReceiverHost.CreateBuilder(ServiceTestHelpers.Configuration(values), settings: ServiceTestHelpers.QuietHost()).Build();
        await host.StartAsync();
        using var http = new HttpClient();

        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Contains("receiver_queue_depth", text); // the batcher's observable gauge exists from the start

        await host.StopAsync();
        host.Dispose(); // disposes the metrics service both as itself and as a hosted service
    }
}
