using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Receiver.Common;

namespace Receiver.Service.Metrics;

/// <summary>
/// Listens to one <see cref="ReceiverMetrics"/> instance (by its Meter object, so services running
/// side by side in one process never mix) and keeps totals per instrument and tag set, plus
/// log-bucket histograms. Feeds the Prometheus endpoint, the console summary and the demo's report.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Drop reasons of messages the framers refuse before they become frames (so not in receiver.frames.in).</summary>
    private static readonly string[] IngestReasons = ["malformed", "unknown_code", "non_finite"];

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, InstrumentState> _states = [];
    private readonly Lock _statesLock = new();

    public MetricsCollector(ReceiverMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, _meter)) return;
            lock (_statesLock) _states[instrument] = new InstrumentState(instrument);
            listener.EnableMeasurementEvents(instrument, _states[instrument]);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentState)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentState)state!).Add(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentState)state!).Add(value, tags));
        _listener.Start();
    }

    /// <summary>Totals as of now (observable instruments are read first).</summary>
    public MetricsReadout Read()
    {
        _listener.RecordObservableInstruments();
        long Total(string name) => (long)(Find(name)?.Total() ?? 0);
        var dropped = Find("receiver.frames.dropped");
        var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetNames<DropReason>()) byReason[SnakeCase(reason)] = 0;
        if (dropped is not null)
            foreach (var (tags, value) in dropped.Series())
            {
                var reason = ReasonName(tags.FirstOrDefault(t => t.Key == "reason").Value?.ToString());
                byReason[reason] = byReason.GetValueOrDefault(reason) + (long)value;
            }
        var latency = Find("receiver.latency")?.Histogram;
        var batch = Find("receiver.batch.size")?.Histogram;
        var framed = Total("receiver.frames.in");
        var refusedAtIngest = IngestReasons.Sum(r => byReason.GetValueOrDefault(r));
        return new MetricsReadout(
            framed + refusedAtIngest,
            framed,
            Total("receiver.frames.published"),
            byReason.Values.Sum(),
            byReason,
            Total("receiver.upstream.items_lost"),
            Total("receiver.truth.bit_errors"),
            Total("receiver.truth.frame_errors"),
            Total("receiver.truth.frames"),
            batch?.Count ?? 0,
            batch is { Count: > 0 } ? batch.Sum / batch.Count : 0,
            new LatencyReadout(latency?.Quantile(0.5) ?? 0, latency?.Quantile(0.99) ?? 0, latency?.Quantile(0.999) ?? 0,
                latency is { Count: > 0 } ? latency.Sum / latency.Count : 0));
    }

    /// <summary>Prometheus text exposition (version 0.0.4) of every instrument seen.</summary>
    public string PrometheusText()
    {
        _listener.RecordObservableInstruments();
        InstrumentState[] states;
        lock (_statesLock) states = _states.Values.OrderBy(s => s.Instrument.Name, StringComparer.Ordinal).ToArray();
        var text = new StringBuilder();
        foreach (var state in states)
        {
            var instrument = state.Instrument;
            var name = PrometheusName(instrument);
            var description = (instrument.Description ?? instrument.Name).Replace("\\", "\\\\").Replace("\n", "\\n");
            if (state.Histogram is { } histogram)
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(description).Append('\n');
                text.Append("# TYPE ").Append(name).Append(" histogram\n");
                foreach (var (bound, count) in histogram.PowerOfTwoBuckets())
                    text.Append(name).Append("_bucket{le=\"").Append(bound.ToString("G", CultureInfo.InvariantCulture)).Append("\"} ").Append(count).Append('\n');
                text.Append(name).Append("_bucket{le=\"+Inf\"} ").Append(histogram.Count).Append('\n');
                text.Append(name).Append("_sum ").Append(histogram.Sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_count ").Append(histogram.Count).Append('\n');
                continue;
            }
            var counter = instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>;
            var metricName = counter ? name + "_total" : name;
            text.Append("# HELP ").Append(metricName).Append(' ').Append(description).Append('\n');
            text.Append("# TYPE ").Append(metricName).Append(counter ? " counter\n" : " gauge\n");
            var series = state.Series().ToList();
            if (series.Count == 0) text.Append(metricName).Append(" 0\n");
            foreach (var (tags, value) in series)
            {
                text.Append(metricName);
                if (tags.Length > 0)
                {
                    text.Append('{');
                    for (var t = 0; t < tags.Length; t++)
                    {
                        if (t > 0) text.Append(',');
                        var label = tags[t].Value?.ToString() ?? "";
                        text.Append(SnakeCase(tags[t].Key)).Append("=\"").Append(label.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
                    }
                    text.Append('}');
                }
                text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private InstrumentState? Find(string name)
    {
        lock (_statesLock) return _states.Values.FirstOrDefault(s => s.Instrument.Name == name);
    }

    /// <summary>receiver.latency (us) -> receiver_latency_us; dots and other characters become underscores.</summary>
    private static string PrometheusName(Instrument instrument)
    {
        var name = new StringBuilder();
        foreach (var c in instrument.Name) name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        if (instrument.Unit is { Length: > 0 } unit && !unit.StartsWith('{') && !instrument.Name.EndsWith(unit, StringComparison.Ordinal))
            name.Append('_').Append(unit);
        return name.ToString();
    }

    /// <summary>"QueueFull", "queuefull" and "queue_full" all become "queue_full".</summary>
    private static string ReasonName(string? tag)
        => Enum.TryParse<DropReason>(tag?.Replace("_", "").Replace("-", ""), ignoreCase: true, out var reason) ? SnakeCase(reason.ToString()) : SnakeCase(tag ?? "unknown");

    private static string SnakeCase(string text)
    {
        var result = new StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsUpper(c) && i > 0 && text[i - 1] != '_') result.Append('_');
            result.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }
        return result.ToString();
    }

    /// <summary>One instrument's values: a sum per tag set (counters, gauges) or a histogram over all tags.</summary>
    private sealed class InstrumentState(Instrument instrument)
    {
        private readonly List<(KeyValuePair<string, object?>[] Tags, double[] Value)> _series = [];
        private readonly bool _gauge = instrument is ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or Gauge<long> or Gauge<int> or Gauge<double>;

        public Instrument Instrument { get; } = instrument;

        public LogHistogram? Histogram { get; } = instrument is Histogram<int> or Histogram<long> or Histogram<double> ? new LogHistogram() : null;

        public void Add(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Histogram is not null)
            {
                Histogram.Record(value);
                return;
            }
            lock (_series)
            {
                var slot = FindSeries(tags);
                if (_gauge) slot[0] = value;
                else slot[0] += value;
            }
        }

        public double Total()
        {
            lock (_series) return _series.Sum(s => s.Value[0]);
        }

        public IEnumerable<(KeyValuePair<string, object?>[] Tags, double Value)> Series()
        {
            lock (_series) return _series.Select(s => (s.Tags, s.Value[0])).ToList();
        }

        /// <summary>The series with these tags (in any order); a new one the first time a tag set is seen.</summary>
        private double[] FindSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var (known, value) in _series)
                if (SameTags(known, tags)) return value;
            var copy = tags.ToArray();
            Array.Sort(copy, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var slot = new double[1];
            _series.Add((copy, slot));
            return slot;
        }

        private static bool SameTags(KeyValuePair<string, object?>[] known, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (known.Length != tags.Length) return false;
            foreach (var tag in tags)
            {
                var found = false;
                foreach (var k in known)
                    if (k.Key == tag.Key && Equals(k.Value, tag.Value)) { found = true; break; }
                if (!found) return false;
            }
            return true;
        }
    }
}

/// <summary>Totals of a running service at one moment.</summary>
/// <param name="FramesIn">Everything ingest accepted: good frames plus the messages or frames the framers refused (malformed,
/// unknown code, NaN/Inf), so that <c>FramesPublished + FramesDropped == FramesIn</c> once the service has drained.</param>
/// <param name="FramesFramed">Good frames the framers handed to the batcher (receiver.frames.in).</param>
public sealed record MetricsReadout(
    long FramesIn,
    long FramesFramed,
    long FramesPublished,
    long FramesDropped,
    IReadOnlyDictionary<string, long> DroppedByReason,
    long UpstreamItemsLost,
    long BitErrors,
    long FrameErrors,
    long CheckedFrames,
    long Batches,
    double MeanBatchSize,
    LatencyReadout LatencyUs);

/// <summary>Ingest-to-publish latency quantiles in microseconds (within about 2% from the histogram's buckets).</summary>
public sealed record LatencyReadout(double P50, double P99, double P999, double Mean);
