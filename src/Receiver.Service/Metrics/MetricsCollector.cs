using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Receiver.Common;

namespace Receiver.Service.Metrics;

/// <summary>
/// The service's one metrics pipeline: its <see cref="ReceiverMetrics"/> Meter -> the OpenTelemetry SDK, read by
/// the Prometheus HttpListener exporter (when a port is set), the OTLP exporter (when an endpoint is set) and an
/// in-process reader that the console summary, the demo report, the bench and the tests read through
/// <see cref="Read"/>. Histograms in microseconds use fine explicit buckets (20 per decade, 1 us to 100 s) so
/// quantiles read from them are within about 6%; every instrument keeps its tags.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Drop reasons of messages the framers refuse before they become frames (so not in receiver.frames.in).</summary>
    private static readonly string[] IngestReasons = ["malformed", "unknown_code", "non_finite", "truncated"];

    /// <summary>Bucket bounds of microsecond histograms: 10^(i/20) us, 1 us .. 100 s.</summary>
    public static readonly double[] MicrosecondBounds = Enumerable.Range(0, 161).Select(i => Math.Round(Math.Pow(10, i / 20.0), 3)).ToArray();

    private readonly MeterProvider _provider;
    private readonly BaseExportingMetricReader _reader;
    private readonly SnapshotExporter _snapshot = new();
    private readonly Lock _readGate = new();

    /// <param name="metrics">The instruments to read (only their Meter's name is listened to).</param>
    /// <param name="prometheusPort">Serve http://127.0.0.1:PORT/metrics; 0 for none.</param>
    /// <param name="otlpEndpoint">Export to this OTLP collector every 5 s; null for none.</param>
    public MetricsCollector(ReceiverMetrics metrics, int prometheusPort = 0, string? otlpEndpoint = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _reader = new BaseExportingMetricReader(_snapshot) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative };
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("receiver"))
            .AddMeter(metrics.Meter.Name)
            .AddView(instrument => instrument.Unit == "us" ? new ExplicitBucketHistogramConfiguration { Boundaries = MicrosecondBounds } : null)
            .AddReader(_reader);
        if (prometheusPort > 0)
        {
            builder.AddPrometheusHttpListener(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = prometheusPort;
                o.ScrapeEndpointPath = "/metrics";
            });
            PrometheusUrl = $"http://127.0.0.1:{prometheusPort}/metrics";
        }
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            builder.AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(otlpEndpoint);
                exporter.Protocol = exporter.Endpoint.Port == 4318 ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 5000;
            });
        }
        try
        {
            _provider = builder.Build()!;
        }
        catch (Exception e) when (prometheusPort > 0 && e is InvalidOperationException or System.Net.HttpListenerException)
        {
            var cause = e.InnerException?.Message ?? e.Message;
            throw new InvalidOperationException($"Receiver:Metrics:PrometheusPort: cannot serve {PrometheusUrl} ({cause}); is port {prometheusPort} in use?", e);
        }
    }

    /// <summary>The Prometheus scrape URL, when the endpoint is on.</summary>
    public string? PrometheusUrl { get; }

    /// <summary>Totals as of now, collected through the SDK (observable instruments are read too).</summary>
    public MetricsReadout Read()
    {
        lock (_readGate)
        {
            _snapshot.Clear();
            _reader.Collect(5000);
            return _snapshot.Readout();
        }
    }

    /// <summary>Sum of a counter (or a histogram's count) over the points whose tag <paramref name="tagKey"/> is <paramref name="tagValue"/>.</summary>
    public long Total(string instrument, string tagKey, string tagValue)
    {
        lock (_readGate)
        {
            _snapshot.Clear();
            _reader.Collect(5000);
            return _snapshot.Sums.Where(p => p.Instrument == instrument && p.Tags.Any(t => t.Key == tagKey && Equals(t.Value?.ToString(), tagValue))).Sum(p => p.Value);
        }
    }

    /// <summary>Flushes the OTLP exporter (final summary time).</summary>
    public void Flush() => _provider.ForceFlush(2000);

    public void Dispose() => _provider.Dispose();

    /// <summary>Copies what one collection exported: counter sums per tag set, histogram buckets over all tags.</summary>
    private sealed class SnapshotExporter : BaseExporter<Metric>
    {
        public List<(string Instrument, KeyValuePair<string, object?>[] Tags, long Value)> Sums { get; } = [];

        private readonly Dictionary<string, Histogram> _histograms = [];

        public void Clear()
        {
            Sums.Clear();
            _histograms.Clear();
        }

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    switch (metric.MetricType)
                    {
                        case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                            Sums.Add((metric.Name, Tags(point), point.GetSumLong()));
                            break;
                        case MetricType.LongGauge:
                            Sums.Add((metric.Name, Tags(point), point.GetGaugeLastValueLong()));
                            break;
                        case MetricType.Histogram:
                            if (!_histograms.TryGetValue(metric.Name, out var histogram)) _histograms[metric.Name] = histogram = new Histogram();
                            histogram.Add(point);
                            // Per tag set, a histogram counts as its number of measurements (Total by tag).
                            Sums.Add((metric.Name, Tags(point), point.GetHistogramCount()));
                            break;
                    }
                }
            }
            return ExportResult.Success;
        }

        private static KeyValuePair<string, object?>[] Tags(in MetricPoint point)
        {
            var tags = new List<KeyValuePair<string, object?>>();
            foreach (var tag in point.Tags) tags.Add(tag);
            return [.. tags];
        }

        public MetricsReadout Readout()
        {
            long Total(string name) => Sums.Where(s => s.Instrument == name).Sum(s => s.Value);
            var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var reason in Enum.GetValues<DropReason>()) byReason[DropReasons.Tag(reason)] = 0;
            foreach (var (_, tags, value) in Sums.Where(s => s.Instrument == "receiver.frames.dropped"))
            {
                var reason = tags.FirstOrDefault(t => t.Key == "reason").Value?.ToString() ?? "unknown";
                byReason[reason] = byReason.GetValueOrDefault(reason) + value;
            }
            var framed = Total("receiver.frames.in");
            var batch = _histograms.GetValueOrDefault("receiver.batch.size");
            return new MetricsReadout(
                framed + IngestReasons.Sum(r => byReason.GetValueOrDefault(r)),
                framed,
                Total("receiver.frames.published"),
                byReason.Values.Sum(),
                byReason,
                Total("receiver.upstream.items_lost"),
                Total("receiver.metadata.dropped"),
                Total("receiver.truth.bit_errors"),
                Total("receiver.truth.frame_errors"),
                Total("receiver.truth.frames"),
                Total(ReceiverMetrics.TruthBitsInstrument),
                batch?.Count ?? 0,
                batch is { Count: > 0 } ? batch.Sum / batch.Count : 0,
                _histograms.GetValueOrDefault("receiver.latency")?.ToLatency() ?? LatencyHistogram.Empty);
        }

        private sealed class Histogram
        {
            private double[] _bounds = [];
            private long[] _counts = [];
            public long Count;
            public double Sum;

            public void Add(in MetricPoint point)
            {
                Count += point.GetHistogramCount();
                Sum += point.GetHistogramSum();
                var i = 0;
                foreach (var bucket in point.GetHistogramBuckets())
                {
                    if (_counts.Length <= i)
                    {
                        Array.Resize(ref _counts, i + 1);
                        Array.Resize(ref _bounds, i + 1);
                    }
                    _bounds[i] = bucket.ExplicitBound;
                    _counts[i] += bucket.BucketCount;
                    i++;
                }
            }

            public LatencyHistogram ToLatency() => new(_bounds, _counts, Count, Sum);
        }
    }
}

/// <summary>Totals of a running service at one moment.</summary>
/// <param name="FramesIn">Everything ingest accepted: good frames plus the messages or frames the framers refused (malformed,
/// unknown code, NaN/Inf, truncated), so that <c>FramesPublished + FramesDropped == FramesIn</c> once the service has drained.</param>
/// <param name="FramesFramed">Good frames the framers handed to the batcher (receiver.frames.in).</param>
/// <param name="MetadataDropped">Metadata records of published frames the metadata socket could not take (the frames themselves went out).</param>
public sealed record MetricsReadout(
    long FramesIn,
    long FramesFramed,
    long FramesPublished,
    long FramesDropped,
    IReadOnlyDictionary<string, long> DroppedByReason,
    long UpstreamItemsLost,
    long MetadataDropped,
    long BitErrors,
    long FrameErrors,
    long CheckedFrames,
    long BitsChecked,
    long Batches,
    double MeanBatchSize,
    LatencyHistogram Latency)
{
    /// <summary>Socket-to-socket latency quantiles in microseconds.</summary>
    public LatencyReadout LatencyUs => Latency.Quantiles();
}

/// <summary>Socket-to-socket latency quantiles and mean in microseconds (within the histogram's bucket resolution).</summary>
public sealed record LatencyReadout(long Count, double P50, double P99, double P999, double Mean);

/// <summary>The receiver.latency histogram as exported: explicit bounds (the last is +Inf) and counts per bucket.</summary>
public sealed record LatencyHistogram(double[] Bounds, long[] Counts, long Count, double Sum)
{
    public static LatencyHistogram Empty { get; } = new([], [], 0, 0);

    /// <summary>What was recorded since <paramref name="before"/> (cumulative histograms subtract bucket by bucket).</summary>
    public LatencyHistogram Since(LatencyHistogram before)
    {
        var counts = (long[])Counts.Clone();
        for (var i = 0; i < Math.Min(counts.Length, before.Counts.Length); i++) counts[i] -= before.Counts[i];
        return new LatencyHistogram(Bounds, counts, Count - before.Count, Sum - before.Sum);
    }

    /// <summary>Quantile q, interpolated log-linearly inside its bucket; NaN when empty.</summary>
    public double Quantile(double q)
    {
        if (Count <= 0) return double.NaN;
        var rank = q * Count;
        long seen = 0;
        for (var i = 0; i < Counts.Length; i++)
        {
            if (Counts[i] == 0 || seen + Counts[i] < rank)
            {
                seen += Counts[i];
                continue;
            }
            var upper = double.IsPositiveInfinity(Bounds[i]) ? (i > 0 ? Bounds[i - 1] : 1) : Bounds[i];
            var lower = i > 0 ? Bounds[i - 1] : upper / 1.122;
            var fraction = Math.Clamp((rank - seen) / Counts[i], 0, 1);
            return lower > 0 ? lower * Math.Pow(upper / lower, fraction) : upper * fraction;
        }
        return Bounds.Length > 1 ? Bounds[^2] : double.NaN;
    }

    public LatencyReadout Quantiles() => new(Count, Quantile(0.5), Quantile(0.99), Quantile(0.999), Count > 0 ? Sum / Count : double.NaN);
}
