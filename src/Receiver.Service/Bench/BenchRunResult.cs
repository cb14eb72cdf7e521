using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Receiver.Service.Bench;

/// <summary>Latency percentiles of one run, microseconds (NaN when nothing was measured).</summary>
public sealed record LatencyQuantiles(long Count, double P50, double P99, double P999, double Mean, double Max)
{
    public static LatencyQuantiles Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static LatencyQuantiles Of(LogLinearHistogram histogram) => histogram.Count == 0
        ? Empty
        : new(histogram.Count, histogram.Percentile(0.5), histogram.Percentile(0.99), histogram.Percentile(0.999), histogram.Mean, histogram.Max);

    /// <summary>From the service's receiver.latency histogram (no max: the buckets do not keep it).</summary>
    public static LatencyQuantiles Of(Metrics.LatencyHistogram histogram) => histogram.Count == 0
        ? Empty
        : new(histogram.Count, histogram.Quantile(0.5), histogram.Quantile(0.99), histogram.Quantile(0.999), histogram.Sum / histogram.Count, double.NaN);
}

/// <summary>
/// CPU time over wall time of one run, in cores (1.0 = one core busy the whole run).
/// In-process, the client is the bench's sender and receiver threads and the service is the rest of the process.
/// </summary>
public sealed record CpuUse(double Service, double Client);

/// <summary>One benchmark run: what was sent, what came back, what the service dropped, latency and CPU.</summary>
/// <param name="Mode">"rate" (paced to <paramref name="RateTarget"/>) or "max" (as fast as the sockets take frames).</param>
/// <param name="RateTarget">Frames per second asked for; null for "max".</param>
/// <param name="RateAchieved">Frames sent per second of sending time.</param>
/// <param name="RatePublished">Frames received per second, from the first send to the last output.</param>
/// <param name="Seconds">Sending time.</param>
/// <param name="IngestMbPerS">Float LLR payload (n x 4 bytes per frame) sent per second, 10^6 bytes.</param>
/// <param name="LatencyUs">Ingest-to-publish latency as the service measured it.</param>
/// <param name="LatencySource">"histogram" (the service's receiver.latency instrument) or "metadata" (per-frame latency_us of its metadata stream).</param>
/// <param name="E2eLatencyUs">Client send to client receipt of the frame's output, matched by sequence.</param>
/// <param name="MetadataDropped">Metadata records the service's best-effort metadata socket could not take (their frames were
/// published; their end-to-end latency is not in <paramref name="E2eLatencyUs"/>).</param>
/// <param name="Accounted">Every sent frame came out or was counted dropped before the settle timeout.</param>
public sealed record BenchRunResult(
    string Mode,
    double? RateTarget,
    double RateAchieved,
    double RatePublished,
    long FramesSent,
    long FramesReceived,
    long FramesDropped,
    IReadOnlyDictionary<string, long> DroppedByReason,
    double Seconds,
    double IngestMbPerS,
    LatencyQuantiles LatencyUs,
    string LatencySource,
    LatencyQuantiles E2eLatencyUs,
    CpuUse Cpu,
    string Code,
    int N,
    int K,
    string Decoder,
    string Format,
    string Target,
    bool Accounted,
    long MetadataDropped)
{
    /// <summary>
    /// The run kept up: nothing dropped, everything accounted for, at least 97% of the target rate sent, and the
    /// end-to-end p99 under <paramref name="p99LimitUs"/>.
    /// </summary>
    public bool Sustained(double p99LimitUs) =>
        FramesDropped == 0 && Accounted && FramesReceived == FramesSent
        && (RateTarget is not { } target || RateAchieved >= 0.97 * target)
        && E2eLatencyUs.P99 <= p99LimitUs;

    /// <summary>One JSON object, snake_case keys, invariant numbers, NaN as null.</summary>
    public string ToJson()
    {
        var json = new StringBuilder("{");
        void Field(string name, string value)
        {
            if (json.Length > 1) json.Append(',');
            json.Append('"').Append(name).Append("\":").Append(value);
        }
        Field("mode", Text(Mode));
        Field("target", Text(Target));
        Field("code", Text(Code));
        Field("n", N.ToString(CultureInfo.InvariantCulture));
        Field("k", K.ToString(CultureInfo.InvariantCulture));
        Field("decoder", Text(Decoder));
        Field("format", Text(Format));
        Field("rate_target", RateTarget is { } target ? Number(target) : "null");
        Field("rate_achieved", Number(RateAchieved));
        Field("rate_published", Number(RatePublished));
        Field("seconds", Number(Seconds));
        Field("frames_sent", FramesSent.ToString(CultureInfo.InvariantCulture));
        Field("frames_received", FramesReceived.ToString(CultureInfo.InvariantCulture));
        Field("frames_dropped", FramesDropped.ToString(CultureInfo.InvariantCulture));
        Field("dropped_by_reason", "{" + string.Join(",", DroppedByReason.Select(r => $"{Text(r.Key)}:{r.Value.ToString(CultureInfo.InvariantCulture)}")) + "}");
        Field("accounted", Accounted ? "true" : "false");
        Field("ingest_mb_per_s", Number(IngestMbPerS));
        Field("latency_us", Quantiles(LatencyUs));
        Field("latency_source", Text(LatencySource));
        Field("e2e_latency_us", Quantiles(E2eLatencyUs));
        Field("metadata_dropped", MetadataDropped.ToString(CultureInfo.InvariantCulture));
        Field("cpu", $"{{\"service\":{Number(Cpu.Service)},\"client\":{Number(Cpu.Client)}}}");
        return json.Append('}').ToString();
    }

    internal static string Number(double value) => double.IsFinite(value) ? Math.Round(value, 3).ToString("R", CultureInfo.InvariantCulture) : "null";

    internal static string Text(string value) => JsonSerializer.Serialize(value);

    private static string Quantiles(LatencyQuantiles q) =>
        $"{{\"p50\":{Number(q.P50)},\"p99\":{Number(q.P99)},\"p999\":{Number(q.P999)},\"mean\":{Number(q.Mean)},\"max\":{Number(q.Max)},\"count\":{q.Count}}}";
}
