using System.Collections.Concurrent;

namespace Receiver.Common;

/// <summary>
/// One codeword's LLRs travelling ingest -> framer -> batcher -> decoder chain -> publisher.
/// LLRs are canonical (ln P(0)/P(1), positive means bit 0): the framer converts once.
/// Frames come from a <see cref="FramePool"/> and go back to it once published or dropped,
/// so the hot path does not allocate per frame.
/// </summary>
public sealed class Frame
{
    internal Frame(int capacity) => Llrs = new float[capacity];

    /// <summary>Index of the frame's code in the service's code registry.</summary>
    public int CodeIndex { get; set; }

    /// <summary>Sequence number: from the envelope (framed) or counted by the framer per stream.</summary>
    public long Sequence { get; set; }

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the message holding the frame's last byte was received from the socket.</summary>
    public long IngestTimestamp { get; set; }

    /// <summary>Sender's timestamp from the envelope (Unix ns), 0 when the format has none.</summary>
    public long SourceTimestampNs { get; set; }

    /// <summary>LLR buffer; only the first <see cref="Length"/> values belong to the frame.</summary>
    public float[] Llrs { get; }

    public int Length { get; set; }

    public Span<float> LlrSpan => Llrs.AsSpan(0, Length);
}

/// <summary>
/// Pool of frames by capacity; thread-safe. Frames are rented on an ingest thread and returned on decoder
/// threads, so the free lists are queues: a ConcurrentBag would keep them in the returning threads' local
/// lists and make every rent steal across threads.
/// </summary>
public sealed class FramePool
{
    private readonly ConcurrentDictionary<int, ConcurrentQueue<Frame>> _free = new();

    /// <summary>A frame with room for <paramref name="length"/> LLRs, Length set, other fields reset.</summary>
    public Frame Rent(int length)
    {
        var free = _free.GetOrAdd(length, static _ => new ConcurrentQueue<Frame>());
        if (!free.TryDequeue(out var frame)) frame = new Frame(length);
        frame.Length = length;
        frame.CodeIndex = 0;
        frame.Sequence = 0;
        frame.IngestTimestamp = 0;
        frame.SourceTimestampNs = 0;
        return frame;
    }

    public void Return(Frame frame) => _free.GetOrAdd(frame.Llrs.Length, static _ => new ConcurrentQueue<Frame>()).Enqueue(frame);
}

/// <summary>Why a frame (or the bytes that would have made one) was dropped. Every drop is counted with its reason.</summary>
public enum DropReason
{
    /// <summary>Bytes that do not parse: wrong size, bad header, garbage, truncated or oversized message.</summary>
    Malformed,
    /// <summary>Envelope names a code the service is not configured for.</summary>
    UnknownCode,
    /// <summary>NaN or infinite LLR in the frame.</summary>
    NonFinite,
    /// <summary>Batcher queue full under the drop-oldest policy.</summary>
    QueueFull,
    /// <summary>Still queued when shutdown's drain deadline passed.</summary>
    Shutdown,
    /// <summary>A raw-stream frame left partly filled when its sender went away (killed or restarted mid-stream).</summary>
    Truncated,
    /// <summary>Decoded, but the output socket could not send it before shutdown gave up (PUSH with no consumer).</summary>
    Unsent,
    /// <summary>Sent to a decoding worker (distributed mode) and not back within the deadline: the worker died or left.</summary>
    Lost,
}

/// <summary>Metric tag values of drop reasons.</summary>
public static class DropReasons
{
    /// <summary>The "reason" tag of a drop: its name in snake case (QueueFull: queue_full).</summary>
    public static string Tag(DropReason reason) => reason switch
    {
        DropReason.Malformed => "malformed",
        DropReason.UnknownCode => "unknown_code",
        DropReason.NonFinite => "non_finite",
        DropReason.QueueFull => "queue_full",
        DropReason.Shutdown => "shutdown",
        DropReason.Truncated => "truncated",
        DropReason.Unsent => "unsent",
        DropReason.Lost => "lost",
        _ => reason.ToString().ToLowerInvariant(),
    };
}

/// <summary>Where a stage hands frames on. The framer writes to the batcher through this.</summary>
public interface IFrameSink
{
    /// <summary>Takes ownership of the frame; may wait (block policy) until there is room.</summary>
    ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken);
}
