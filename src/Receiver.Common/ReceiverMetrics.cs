using System.Diagnostics.Metrics;

namespace Receiver.Common;

/// <summary>
/// The service's System.Diagnostics.Metrics instruments on one Meter. Stages record through this object; the
/// OpenTelemetry SDK reads the Meter (Prometheus, OTLP, and the console/demo summaries). Tags: "code" (code
/// name), "decoder", "reason" (DropReason, snake case), "stage" (DecodeStages), "event".
/// </summary>
/// <remarks>
/// The first instance in a process has the Meter name "Receiver"; later ones (several services in one test
/// process) get "Receiver.2", "Receiver.3", ..., because OpenTelemetry selects meters by name and each service
/// must export only its own measurements.
/// </remarks>
public sealed class ReceiverMetrics : IDisposable
{
    public const string MeterName = "Receiver";

    /// <summary>Bits compared with ground truth (created by the batcher on the same Meter).</summary>
    public const string TruthBitsInstrument = "receiver.truth.bits";

    private static int _instances;

    public Meter Meter { get; }
    public Counter<long> FramesIn { get; }
    public Counter<long> FramesPublished { get; }
    public Counter<long> FramesDropped { get; }
    public Counter<long> MetadataDropped { get; }
    public Counter<long> UpstreamItemsLost { get; }
    public Counter<long> ItemsDiscarded { get; }
    public Counter<long> StreamEvents { get; }
    public Counter<long> BitErrors { get; }
    public Counter<long> FrameErrors { get; }
    public Counter<long> CheckedFrames { get; }
    public Histogram<int> BatchSize { get; }
    public Histogram<double> DecodeTimeUs { get; }
    public Histogram<double> LatencyUs { get; }

    public ReceiverMetrics(IMeterFactory? meterFactory = null)
    {
        var instance = Interlocked.Increment(ref _instances);
        var name = instance == 1 ? MeterName : $"{MeterName}.{instance}";
        Meter = meterFactory?.Create(name) ?? new Meter(name);
        FramesIn = Meter.CreateCounter<long>("receiver.frames.in", "{frame}", "Frames produced by the framers.");
        FramesPublished = Meter.CreateCounter<long>("receiver.frames.published", "{frame}", "Frames decoded and published.");
        FramesDropped = Meter.CreateCounter<long>("receiver.frames.dropped", "{frame}", "Frames (or malformed messages) dropped, by reason.");
        MetadataDropped = Meter.CreateCounter<long>("receiver.metadata.dropped", "{record}", "Metadata records of published frames that the best-effort metadata socket could not take.");
        UpstreamItemsLost = Meter.CreateCounter<long>("receiver.upstream.items_lost", "{item}", "Items missing upstream, from gaps in gr-tagged item offsets.");
        ItemsDiscarded = Meter.CreateCounter<long>("receiver.ingest.items_discarded", "{item}", "Raw-stream items that never became part of a frame, by reason (unaligned, partial_frame).");
        StreamEvents = Meter.CreateCounter<long>("receiver.ingest.stream_events", "{event}", "Ingest stream events, by event (peer_disconnected, offset_backwards, offset_reset).");
        BitErrors = Meter.CreateCounter<long>("receiver.truth.bit_errors", "{bit}", "Bit errors against ground truth (loopback source).");
        FrameErrors = Meter.CreateCounter<long>("receiver.truth.frame_errors", "{frame}", "Frame errors against ground truth (loopback source).");
        CheckedFrames = Meter.CreateCounter<long>("receiver.truth.frames", "{frame}", "Frames compared with ground truth.");
        BatchSize = Meter.CreateHistogram<int>("receiver.batch.size", "{frame}", "Frames per decoded batch.");
        DecodeTimeUs = Meter.CreateHistogram<double>("receiver.decode.time", "us", "Decoder chain time per batch.");
        LatencyUs = Meter.CreateHistogram<double>("receiver.latency", "us", "Socket-to-socket latency per frame: from the receive of its bytes to the send of its output.");
    }

    public void Dispose() => Meter.Dispose();
}
