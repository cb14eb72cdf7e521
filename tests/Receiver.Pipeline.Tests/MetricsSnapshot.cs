using System.Diagnostics.Metrics;
using Receiver.Common;

namespace Receiver.Pipeline.Tests;

/// <summary>Ingest-to-publish latency summary, microseconds.</summary>
public sealed record LatencySummary(long Count, double MeanUs, double P50Us, double P99Us, double P999Us, double MaxUs);

/// <summary>Totals a demo or console summary prints (see <see cref="MetricsSnapshot.Totals"/>).</summary>
public sealed record PipelineTotals(
    long FramesIn,
    long FramesPublished,
    long FramesDropped,
    IReadOnlyDictionary<string, long> DroppedByReason,
    long CheckedFrames,
    long FrameErrors,
    long BitErrors,
    long BitsChecked,
    LatencySummary Latency)
{
    /// <summary>Bit error rate against ground truth (NaN when nothing was checked).</summary>
    public double Ber => BitsChecked == 0 ? double.NaN : (double)BitErrors / BitsChecked;

    /// <summary>Frame error rate against ground truth (NaN when nothing was checked).</summary>
    public double Fer => CheckedFrames == 0 ? double.NaN : (double)FrameErrors / CheckedFrames;
}

/// <summary>
/// Listens to one <see cref="Meter"/> (the service's <see cref="ReceiverMetrics"/>) and keeps, per instrument and
/// tag set: totals of counters, the last value of gauges and observable instruments, count and sum of
/// histograms; plus, per histogram instrument over all tags, a <see cref="RecordedValues"/> for percentiles.
/// Only that Meter instance is listened to, so several services (tests) in one process do not mix.
/// Recording allocates only for a tag set seen for the first time.
/// </summary>
public sealed class MetricsSnapshot : IDisposable
{
    /// <summary>Bits compared with ground truth (created by the batcher on the same Meter).</summary>
    public const string TruthBitsInstrument = ReceiverMetrics.TruthBitsInstrument;

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, InstrumentState> _instruments = new(StringComparer.Ordinal);

    public MetricsSnapshot(ReceiverMetrics metrics) : this(metrics.Meter)
    {
    }

    public MetricsSnapshot(Meter meter)
    {
        _meter = meter ?? throw new ArgumentNullException(nameof(meter));
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, _meter)) return;
            InstrumentState state;
            lock (_instruments)
            {
                if (!_instruments.TryGetValue(instrument.Name, out state!))
                    _instruments[instrument.Name] = state = new InstrumentState(KindOf(instrument));
            }
            listener.EnableMeasurementEvents(instrument, state);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Polls observable instruments (queue depth gauges) so <see cref="Total(string)"/> sees their current values.</summary>
    public void ObserveGauges() => _listener.RecordObservableInstruments();

    /// <summary>
    /// Sum over all tag sets: counter totals, histogram recording counts, or the sum of gauges' last values; 0 for
    /// an instrument never recorded.
    /// </summary>
    public long Total(string instrument) => (long)Math.Round(State(instrument)?.Sum(null, null) ?? 0);

    /// <summary>As <see cref="Total(string)"/>, over the tag sets that carry <paramref name="tagKey"/> = <paramref name="tagValue"/>.</summary>
    public long Total(string instrument, string tagKey, string tagValue) => (long)Math.Round(State(instrument)?.Sum(tagKey, tagValue) ?? 0);

    /// <summary>As <see cref="Total(string)"/> per value of one tag (tag sets without the tag are left out).</summary>
    public IReadOnlyDictionary<string, long> TotalsBy(string instrument, string tagKey) =>
        State(instrument)?.SumsBy(tagKey) ?? new Dictionary<string, long>();

    /// <summary>Percentiles and extremes of a histogram instrument over all tags (null when never recorded).</summary>
    public RecordedValues? Histogram(string instrument) => State(instrument)?.Distribution;

    /// <summary>Ingest-to-publish latency (receiver.latency) summary.</summary>
    public LatencySummary Latency()
    {
        var histogram = Histogram("receiver.latency");
        if (histogram is null || histogram.Count == 0) return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new LatencySummary(histogram.Count, histogram.Mean, histogram.Percentile(0.5), histogram.Percentile(0.99), histogram.Percentile(0.999), histogram.Max);
    }

    /// <summary>Frames in/published/dropped (by reason), ground-truth errors and latency so far.</summary>
    public PipelineTotals Totals() => new(
        Total("receiver.frames.in"),
        Total("receiver.frames.published"),
        Total("receiver.frames.dropped"),
        TotalsBy("receiver.frames.dropped", "reason"),
        Total("receiver.truth.frames"),
        Total("receiver.truth.frame_errors"),
        Total("receiver.truth.bit_errors"),
        Total(TruthBitsInstrument),
        Latency());

    public void Dispose() => _listener.Dispose();

    private InstrumentState? State(string instrument)
    {
        lock (_instruments) return _instruments.GetValueOrDefault(instrument);
    }

    private static Kind KindOf(Instrument instrument)
    {
        if (instrument.IsObservable) return Kind.LastValue;
        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : null;
        if (definition == typeof(Histogram<>)) return Kind.Distribution;
        if (definition == typeof(Gauge<>)) return Kind.LastValue;
        return Kind.Sum;
    }

    private enum Kind { Sum, LastValue, Distribution }

    /// <summary>One instrument's series (tag set -> value) and, for histograms, its merged distribution.</summary>
    private sealed class InstrumentState(Kind kind)
    {
        private readonly List<Series> _series = [];

        public RecordedValues? Distribution { get; } = kind == Kind.Distribution ? new RecordedValues() : null;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Distribution?.Record(value);
            lock (_series)
            {
                var series = Find(tags);
                if (series is null) _series.Add(series = new Series(tags.ToArray()));
                series.Value = kind switch
                {
                    Kind.Sum => series.Value + value,
                    Kind.LastValue => value,
                    _ => series.Value + 1,
                };
            }
        }

        public double Sum(string? tagKey, string? tagValue)
        {
            double sum = 0;
            lock (_series)
                foreach (var series in _series)
                    if (tagKey is null || Equals(series.TagValue(tagKey), tagValue)) sum += series.Value;
            return sum;
        }

        public IReadOnlyDictionary<string, long> SumsBy(string tagKey)
        {
            var sums = new Dictionary<string, double>(StringComparer.Ordinal);
            lock (_series)
            {
                foreach (var series in _series)
                {
                    if (series.TagValue(tagKey) is not { } value) continue;
                    var key = value.ToString() ?? "";
                    sums[key] = sums.GetValueOrDefault(key) + series.Value;
                }
            }
            return sums.ToDictionary(p => p.Key, p => (long)Math.Round(p.Value), StringComparer.Ordinal);
        }

        private Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var series in _series)
                if (series.Matches(tags)) return series;
            return null;
        }
    }

    private sealed class Series(KeyValuePair<string, object?>[] tags)
    {
        public double Value;

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> other)
        {
            if (other.Length != tags.Length) return false;
            for (var i = 0; i < tags.Length; i++)
                if (tags[i].Key != other[i].Key || !Equals(tags[i].Value, other[i].Value)) return false;
            return true;
        }

        public object? TagValue(string key)
        {
            foreach (var tag in tags)
                if (tag.Key == key) return tag.Value;
            return null;
        }
    }
}

/// <summary>Every value a histogram instrument recorded (tests record few), with the statistics the tests read.</summary>
public sealed class RecordedValues
{
    private readonly List<double> _values = [];

    public long Count { get { lock (_values) return _values.Count; } }

    public double Sum { get { lock (_values) return _values.Sum(); } }

    public double Mean { get { lock (_values) return _values.Count == 0 ? double.NaN : _values.Average(); } }

    public double Max { get { lock (_values) return _values.Count == 0 ? double.NaN : _values.Max(); } }

    public void Record(double value)
    {
        lock (_values) _values.Add(value);
    }

    /// <summary>The nearest-rank percentile.</summary>
    public double Percentile(double q)
    {
        lock (_values)
        {
            if (_values.Count == 0) return double.NaN;
            var sorted = _values.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }
}
