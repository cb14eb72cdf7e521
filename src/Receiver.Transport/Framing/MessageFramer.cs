using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Receiver.Common;

namespace Receiver.Transport.Framing;

/// <summary>
/// Turns whole ingest messages into frames for one ingest. Frames are rented from the <see cref="FramePool"/>,
/// carry canonical LLRs (sign converted once here), and collect in <see cref="Pending"/> until the
/// ingest's receive loop hands them to the sink. Every drop is counted on
/// <see cref="ReceiverMetrics.FramesDropped"/> (tag reason = malformed | unknown_code | non_finite | truncated), items
/// that never became a frame on <see cref="ReceiverMetrics.ItemsDiscarded"/>, and both are logged at most once per
/// second per reason. Not thread-safe: one framer per ingest, driven by one receive loop.
/// </summary>
public abstract partial class MessageFramer
{
    private readonly ILogger _logger;
    // One rate-limit slot per drop reason, plus one for notices that are not drops.
    private static readonly int NoticeSlot = Enum.GetValues<DropReason>().Length;
    private readonly long[] _lastLogTicks = new long[NoticeSlot + 1];
    private readonly long[] _suppressed = new long[NoticeSlot + 1];
    private long _framesOut, _malformed, _unknownCode, _nonFinite, _truncated, _shutdown, _itemsDiscarded;

    protected MessageFramer(IngestOptions options, FramePool pool, ReceiverMetrics metrics, ILogger? logger)
    {
        Options = options;
        Pool = pool;
        Metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
        Negate = options.LlrSign == LlrSign.GnuRadio;
        for (var i = 0; i < _lastLogTicks.Length; i++) _lastLogTicks[i] = long.MinValue / 2;
    }

    public IngestOptions Options { get; }

    protected FramePool Pool { get; }

    protected ReceiverMetrics Metrics { get; }

    /// <summary>Whether wire LLRs are negated into canonical ones (GNU Radio convention).</summary>
    protected bool Negate { get; }

    /// <summary>Frames made since the reader last drained; the reader takes ownership of them.</summary>
    public List<Frame> Pending { get; } = new(64);

    /// <summary>Good frames produced (also counted on <see cref="ReceiverMetrics.FramesIn"/>).</summary>
    public long FramesOut => Volatile.Read(ref _framesOut);

    public long DroppedMalformed => Volatile.Read(ref _malformed);

    public long DroppedUnknownCode => Volatile.Read(ref _unknownCode);

    public long DroppedNonFinite => Volatile.Read(ref _nonFinite);

    /// <summary>Partly filled frames dropped because their sender went away.</summary>
    public long DroppedTruncated => Volatile.Read(ref _truncated);

    /// <summary>Items that never became part of a frame (before the first alignment tag, a partial frame at the end of the stream).</summary>
    public long ItemsDiscarded => Volatile.Read(ref _itemsDiscarded);

    /// <summary>Frames made but not handed on because shutdown gave up on them.</summary>
    public long DroppedShutdown => Volatile.Read(ref _shutdown);

    /// <summary>
    /// <see cref="Stopwatch.GetTimestamp"/> when the message being handled was received from the socket: frames it
    /// completes carry it as <see cref="Frame.IngestTimestamp"/>, so latency runs socket to socket. 0 = now.
    /// </summary>
    public long ReceivedTimestamp { get; set; }

    /// <summary>Handles one complete message. Frames go to <see cref="Pending"/>.</summary>
    public abstract void OnMessage(in ReadOnlySequence<byte> message);

    /// <summary>
    /// The sender went away (its connection closed) and everything it sent has been handled: a partly filled
    /// frame of a raw stream can never be completed by it, so it is dropped (reason truncated) instead of
    /// shifting every later frame of the next sender.
    /// </summary>
    public virtual void OnPeerLost() { }

    /// <summary>The stream ended; a partly filled frame (raw formats) is released and its items counted discarded.</summary>
    public virtual void OnCompleted() { }

    /// <summary>Frames that will not reach the sink (cancelled reader) are counted as shutdown drops.</summary>
    public void DropPendingOnShutdown(int fromIndex)
    {
        for (var i = fromIndex; i < Pending.Count; i++)
        {
            Pool.Return(Pending[i]);
            Interlocked.Increment(ref _shutdown);
            Metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", DropReasons.Tag(DropReason.Shutdown)));
        }
        Pending.Clear();
    }

    /// <summary>
    /// Completes a filled frame: converts the sign, checks for NaN/Inf (dropping the frame non_finite), stamps the
    /// ingest time and queues it. Takes ownership of <paramref name="frame"/>.
    /// </summary>
    protected void Emit(Frame frame, string codeName)
    {
        if (!LlrKernels.FinishInPlace(frame.LlrSpan, Negate))
        {
            Pool.Return(frame);
            Drop(DropReason.NonFinite, "NaN or infinite LLR in frame, sequence", frame.Sequence);
            return;
        }
        EmitFinished(frame, codeName);
    }

    /// <summary>Queues a frame whose LLRs are already canonical and known finite.</summary>
    protected void EmitFinished(Frame frame, string codeName)
    {
        frame.IngestTimestamp = ReceivedTimestamp != 0 ? ReceivedTimestamp : Stopwatch.GetTimestamp();
        Pending.Add(frame);
        Interlocked.Increment(ref _framesOut);
        Metrics.FramesIn.Add(1, new KeyValuePair<string, object?>("code", codeName));
    }

    /// <summary>Counts a drop and logs it, at most one warning per reason per second (with the number held back).</summary>
    protected void Drop(DropReason reason, string what, long value)
    {
        switch (reason)
        {
            case DropReason.Malformed: Interlocked.Increment(ref _malformed); break;
            case DropReason.UnknownCode: Interlocked.Increment(ref _unknownCode); break;
            case DropReason.NonFinite: Interlocked.Increment(ref _nonFinite); break;
            case DropReason.Truncated: Interlocked.Increment(ref _truncated); break;
        }
        Metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", DropReasons.Tag(reason)));
        if (TakeLogSlot((int)reason, out var suppressed)) LogDrop(_logger, Options.Endpoint, DropReasons.Tag(reason), what, value, suppressed);
    }

    /// <summary>Counts items that never became part of a frame, with the reason, and logs it (rate-limited).</summary>
    protected void Discard(string reason, string what, long items)
    {
        if (items <= 0) return;
        Interlocked.Add(ref _itemsDiscarded, items);
        Metrics.ItemsDiscarded.Add(items, new KeyValuePair<string, object?>("reason", reason));
        Notice(what, items);
    }

    /// <summary>Counts a stream event seen outside the framer (the receive loop's peer_disconnected).</summary>
    public void CountStreamEvent(string streamEvent) => Metrics.StreamEvents.Add(1, new KeyValuePair<string, object?>("event", streamEvent));

    /// <summary>Counts a stream event (sender restart, offset reset) and logs it (rate-limited).</summary>
    protected void StreamEvent(string streamEvent, string what, long value)
    {
        Metrics.StreamEvents.Add(1, new KeyValuePair<string, object?>("event", streamEvent));
        Notice(what, value);
    }

    /// <summary>Rate-limited warning that is not a drop (items before the first alignment tag, upstream gaps).</summary>
    protected void Notice(string what, long value)
    {
        if (TakeLogSlot(NoticeSlot, out var suppressed)) LogNotice(_logger, Options.Endpoint, what, value, suppressed);
    }

    private bool TakeLogSlot(int slot, out long suppressed)
    {
        suppressed = 0;
        var now = Stopwatch.GetTimestamp();
        if (now - _lastLogTicks[slot] < Stopwatch.Frequency) { _suppressed[slot]++; return false; }
        _lastLogTicks[slot] = now;
        suppressed = _suppressed[slot];
        _suppressed[slot] = 0;
        return true;
    }

    /// <summary>Copies little-endian float32 bytes into a frame's LLR buffer at a byte offset.</summary>
    protected static void CopyLlrBytes(ReadOnlySpan<byte> source, Frame frame, int byteOffset) =>
        source.CopyTo(MemoryMarshal.AsBytes(frame.Llrs.AsSpan())[byteOffset..]);

    /// <summary>Makes the framer an ingest's options ask for, resolving the raw formats' code in the directory.</summary>
    public static MessageFramer Create(IngestOptions options, ICodeDirectory codes, FramePool pool, ReceiverMetrics metrics, ILogger? logger = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));
        if (options.Format == IngestFormat.Framed) return new EnvelopeFramer(options, codes, pool, metrics, logger);
        if (!codes.TryGetIndex(options.Code!, out var codeIndex))
            throw new ArgumentException($"ingest {options.Endpoint}: code '{options.Code}' is not configured", nameof(options));
        return options.Format switch
        {
            IngestFormat.GrFloat => new RawFloatFramer(options, codes, codeIndex, pool, metrics, logger),
            IngestFormat.GrChar => new RawCharFramer(options, codes, codeIndex, pool, metrics, logger),
            IngestFormat.GrTagged => new TaggedFramer(options, codes, codeIndex, pool, metrics, logger),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Format, "unknown ingest format"),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest {Endpoint}: dropped ({Reason}): {What} {Value}; {Suppressed} more since the last warning")]
    private static partial void LogDrop(ILogger logger, string endpoint, string reason, string what, long value, long suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest {Endpoint}: {What} {Value}; {Suppressed} more since the last warning")]
    private static partial void LogNotice(ILogger logger, string endpoint, string what, long value, long suppressed);
}
