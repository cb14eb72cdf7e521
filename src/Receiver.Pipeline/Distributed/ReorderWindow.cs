using System.Buffers;
using System.Diagnostics;
using Receiver.Codes;
using Receiver.Common;
using Receiver.Decoders;

namespace Receiver.Pipeline.Distributed;

/// <summary>
/// The front end's bounded reorder window: every frame sent to a worker takes a ticket (its dispatch sequence
/// number) and a slot; results come back in any order and fill their slots; <see cref="Release"/> hands the frames
/// to the <see cref="IDecodedSink"/> in ticket order. A frame whose result is not back within the deadline (its
/// worker died, left, or the message was lost) is counted dropped with reason <see cref="LostReason"/> and the window
/// moves past it; a result that comes back after that is ignored (counted as late), so no frame is published twice.
/// A full window makes <see cref="TryReserve"/> wait, which pushes back on ingest.
/// </summary>
/// <remarks>Thread use: any threads reserve; one collector thread calls <see cref="TryComplete"/> and <see cref="Release"/>.
/// Slots and batches are allocated once, so the steady state allocates nothing per frame.</remarks>
public sealed class ReorderWindow
{
    /// <summary>Drop reason of a frame not back from a worker within the deadline.</summary>
    public static readonly string LostReason = DropReasons.Tag(DropReason.Lost);

    private readonly Slot[] _slots;
    private readonly IReadOnlyList<IBlockCode> _codes;
    private readonly DecodedBatch[] _batches;
    private readonly KeyValuePair<string, object?>[] _codeTags;
    private readonly long _deadlineTicks;
    private readonly IDecodedSink _sink;
    private readonly ReceiverMetrics _metrics;
    private readonly FramePool _pool;
    private readonly Action<long, Frame>? _onLost;
    private readonly object _gate = new();
    private long _next;
    private long _head;
    private bool _completed;
    private long _late;

    /// <param name="codes">The service's codes by index (a frame's <see cref="Frame.CodeIndex"/>).</param>
    /// <param name="capacity">Most frames out at workers at once.</param>
    /// <param name="deadline">How long a frame may be out before it is counted lost.</param>
    /// <param name="maxBatch">Most frames per batch handed to the sink.</param>
    /// <param name="onLost">Told about each frame counted lost (for the log), before it goes back to the pool.</param>
    public ReorderWindow(IReadOnlyList<IBlockCode> codes, int capacity, TimeSpan deadline, int maxBatch, IDecodedSink sink, ReceiverMetrics metrics, FramePool pool,
        Action<long, Frame>? onLost = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        if (deadline <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(deadline), deadline, "deadline must be positive");
        _codes = codes;
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _pool = pool ?? throw new ArgumentNullException(nameof(pool));
        _onLost = onLost;
        _deadlineTicks = (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        var longest = codes.Max(c => c.H.Columns);
        _slots = Enumerable.Range(0, capacity).Select(_ => new Slot(longest)).ToArray();
        _batches = codes.Select((c, i) => new DecodedBatch(c, c.H.Columns, i, maxBatch)).ToArray();
        _codeTags = codes.Select(c => new KeyValuePair<string, object?>("code", c.Name)).ToArray();
    }

    /// <summary>Frames out at workers (reserved and not yet released).</summary>
    public long InFlight
    {
        get { lock (_gate) return _next - _head; }
    }

    /// <summary>Results that came back after their frame was counted lost, or for no frame of this window.</summary>
    public long LateResults => Interlocked.Read(ref _late);

    /// <summary>
    /// Takes a ticket and a slot for <paramref name="frame"/> (which stays owned by the window until released),
    /// waiting while the window is full. False once <see cref="Complete"/> was called: the caller still owns the frame.
    /// </summary>
    public bool TryReserve(Frame frame, CancellationToken cancellationToken, out long ticket)
    {
        ArgumentNullException.ThrowIfNull(frame);
        lock (_gate)
        {
            while (!_completed && _next - _head >= _slots.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, 10);
            }
            if (_completed)
            {
                ticket = -1;
                return false;
            }
            ticket = _next++;
            var slot = _slots[ticket % _slots.Length];
            slot.Frame = frame;
            slot.Done = false;
            slot.ReservedAt = Stopwatch.GetTimestamp();
            return true;
        }
    }

    /// <summary>Files a worker's result. False (and counted late) when its frame was already released or counted lost, or the bits do not fit the code.</summary>
    public bool TryComplete(long ticket, DecodeStatus status, DecodeStage stage, in ReadOnlySequence<byte> bits, out string? error)
    {
        lock (_gate)
        {
            if (ticket < _head || ticket >= _next)
            {
                Interlocked.Increment(ref _late);
                error = ticket < _head ? $"result for ticket {ticket} came after its frame was released or counted lost" : $"result for ticket {ticket}, which was never sent";
                return false;
            }
            var slot = _slots[ticket % _slots.Length];
            var length = _codes[slot.Frame!.CodeIndex].H.Columns;
            if (slot.Done || bits.Length != length)
            {
                Interlocked.Increment(ref _late);
                error = slot.Done ? $"second result for ticket {ticket}" : $"result for ticket {ticket} carries {bits.Length} bits, its code {_codes[slot.Frame.CodeIndex].Name} has {length}";
                return false;
            }
            bits.CopyTo(slot.Bits);
            slot.Status = status;
            slot.Stage = stage;
            slot.Done = true;
            error = null;
            return true;
        }
    }

    /// <summary>
    /// Hands every frame at the head of the window whose result is in to the sink, in ticket order (batched by
    /// code), and counts lost the head frames older than the deadline. Returns the frames released or lost.
    /// </summary>
    public int Release()
    {
        var total = 0;
        while (true)
        {
            DecodedBatch? batch = null;
            var lost = 0;
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                while (_head < _next)
                {
                    var slot = _slots[_head % _slots.Length];
                    var frame = slot.Frame!;
                    if (slot.Done)
                    {
                        if (batch is not null && (batch.CodeIndex != frame.CodeIndex || batch.Count == batch.Capacity)) break;
                        batch ??= _batches[frame.CodeIndex];
                        batch.Add(frame, slot.Bits.AsSpan(0, _codes[frame.CodeIndex].H.Columns), slot.Status, slot.Stage);
                    }
                    else if (now - slot.ReservedAt > _deadlineTicks)
                    {
                        LoseLocked(_head, frame, LostReason);
                        lost++;
                    }
                    else break;
                    slot.Frame = null;
                    _head++;
                }
                if (batch is not null || lost > 0) Monitor.PulseAll(_gate);
            }
            total += lost;
            if (batch is null) return total;
            total += batch.Count;
            Publish(batch);
        }
    }

    /// <summary>Refuses new reservations (waiting reservers get false) and drops what is still out with <paramref name="reason"/>; returns how many.</summary>
    public int Complete(string reason)
    {
        lock (_gate)
        {
            _completed = true;
            var dropped = 0;
            for (; _head < _next; _head++, dropped++)
            {
                var slot = _slots[_head % _slots.Length];
                LoseLocked(_head, slot.Frame!, reason);
                slot.Frame = null;
            }
            Monitor.PulseAll(_gate);
            return dropped;
        }
    }

    private void LoseLocked(long ticket, Frame frame, string reason)
    {
        _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason), _codeTags[frame.CodeIndex]);
        if (reason == LostReason) _onLost?.Invoke(ticket, frame);
        _pool.Return(frame);
    }

    private void Publish(DecodedBatch batch)
    {
        try
        {
            _sink.Publish(batch);
            for (var i = 0; i < batch.Count; i++) _pool.Return(batch.Frames[i]);
        }
        catch
        {
            for (var i = 0; i < batch.Count; i++)
            {
                _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", MicroBatcher.InternalErrorReason), _codeTags[batch.CodeIndex]);
                _pool.Return(batch.Frames[i]);
            }
            throw;
        }
        finally
        {
            Array.Clear(batch.Frames, 0, batch.Count);
            batch.Count = 0;
        }
    }

    private sealed class Slot(int bits)
    {
        public readonly byte[] Bits = new byte[bits];
        public Frame? Frame;
        public long ReservedAt;
        public bool Done;
        public DecodeStatus Status;
        public DecodeStage Stage;
    }
}
