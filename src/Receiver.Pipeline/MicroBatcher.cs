using System.Diagnostics;
using System.Diagnostics.Metrics;
using Receiver.Common;
using Receiver.Decoders;

namespace Receiver.Pipeline;

/// <summary>
/// Frames in, decoded batches out: one bounded queue per code (its <see cref="DecoderChain"/>), served by
/// <see cref="MicroBatcherOptions.Workers"/> dedicated worker threads that take batches, run the chain,
/// compare with ground truth when given, and hand the batch to the <see cref="IDecodedSink"/>. With several workers
/// per code and <see cref="MicroBatcherOptions.PreserveOrder"/> (the default), a code's batches reach the sink in the
/// order they were taken from its queue, i.e. frame order: a worker done early waits for the batches before it.
/// </summary>
/// <remarks>
/// <para>Batch policy (<see cref="BatchPolicy"/>): a batch never exceeds MaxBatch. With the default
/// <see cref="BatchPolicy.IdleTakesAll"/> a free worker takes whatever is queued at once (a lone frame at
/// low load is decoded without waiting); frames that arrive while all workers are busy accumulate into the
/// next batch. With <see cref="BatchPolicy.MaxWait"/> a free worker waits until MaxBatch frames are queued
/// or MaxWait microseconds have passed since the oldest queued frame was enqueued (waits of 2 ms or more
/// sleep, the last stretch polls), then takes up to MaxBatch. While shutting down, workers take without waiting.</para>
/// <para>Accounting: every frame given to <see cref="WriteAsync"/> ends exactly once, returned to the pool,
/// either handed to the <see cref="IDecodedSink"/> (which counts it published, receiver.frames.published, or
/// dropped, reason unsent) or dropped here (receiver.frames.dropped with reason unknown_code, malformed (wrong
/// length), queue_full, shutdown, or internal_error when the chain or the sink threw).</para>
/// <para>Metrics: receiver.batch.size and receiver.decode.time per batch, receiver.queue.depth (observable gauge per code),
/// receiver.decode.frames (frames by code and stage), receiver.decode.failures (frames whose output fails H),
/// and with ground truth receiver.truth.{frames,frame_errors,bit_errors,bits}.</para>
/// </remarks>
public sealed class MicroBatcher : IFrameSink, IAsyncDisposable
{
    /// <summary>The reason tag of frames lost because the chain or the sink threw.</summary>
    public const string InternalErrorReason = "internal_error";

    private const int ShutdownWriterRelease = 1 << 20;

    private readonly CodeQueue[] _queues;
    private readonly MicroBatcherOptions _options;
    private readonly IDecodedSink _sink;
    private readonly ReceiverMetrics _metrics;
    private readonly FramePool _pool;
    private readonly IGroundTruth? _groundTruth;
    private readonly Action<Exception>? _onError;
    private readonly Counter<long> _stageFrames;
    private readonly Counter<long> _decodeFailures;
    private readonly Counter<long> _truthBits;
    private readonly Task[] _workersDone;
    private readonly object _completionGate = new();
    private Task? _completion;
    private volatile bool _disposed;

    /// <summary>Starts the workers.</summary>
    /// <param name="chains">One chain per code, indexed by <see cref="Frame.CodeIndex"/>; each sized for at least MaxBatch frames.</param>
    /// <param name="options">Batching, queue and worker settings.</param>
    /// <param name="sink">Receives every decoded batch.</param>
    /// <param name="metrics">Instruments to record into; the queue-depth gauge and chain counters are created on its Meter.</param>
    /// <param name="pool">Where frames go back once published or dropped.</param>
    /// <param name="groundTruth">Transmitted info bits, for end-to-end error counts (loopback); null for none.</param>
    /// <param name="onError">Told about exceptions from the chain or the sink (the batch's frames are then dropped with reason internal_error).</param>
    public MicroBatcher(IReadOnlyList<DecoderChain> chains, MicroBatcherOptions options, IDecodedSink sink, ReceiverMetrics metrics,
        FramePool pool, IGroundTruth? groundTruth = null, Action<Exception>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(chains);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        if (chains.Count == 0) throw new ArgumentException("no decoder chains: give one per code", nameof(chains));
        _options = options;
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _pool = pool ?? throw new ArgumentNullException(nameof(pool));
        _groundTruth = groundTruth;
        _onError = onError;

        _queues = new CodeQueue[chains.Count];
        for (var i = 0; i < chains.Count; i++)
        {
            var chain = chains[i] ?? throw new ArgumentException($"chain {i} is null", nameof(chains));
            if (chain.MaxBatch < options.MaxBatch)
                throw new ArgumentException($"chain for {chain.Code.Name} takes {chain.MaxBatch} frames per call, fewer than MaxBatch = {options.MaxBatch}", nameof(chains));
            _queues[i] = new CodeQueue(chain, i, options);
        }

        _stageFrames = metrics.Meter.CreateCounter<long>("receiver.decode.frames", "{frame}", "Frames decoded, by code and the chain stage that produced the output.");
        _decodeFailures = metrics.Meter.CreateCounter<long>("receiver.decode.failures", "{frame}", "Frames whose decoded output still fails the parity checks.");
        _truthBits = metrics.Meter.CreateCounter<long>(ReceiverMetrics.TruthBitsInstrument, "{bit}", "Info bits compared with ground truth (loopback source).");
        metrics.Meter.CreateObservableGauge("receiver.queue.depth", ObserveQueueDepths, "{frame}", "Frames waiting in a code's batcher queue.");

        var workers = new List<Task>();
        foreach (var queue in _queues)
        {
            for (var w = 0; w < options.Workers; w++)
            {
                var worker = new Worker(this, queue);
                var thread = new Thread(worker.Run) { IsBackground = true, Name = $"decode {queue.Chain.Code.Name} #{w}" };
                thread.Start();
                workers.Add(worker.Done);
            }
        }
        _workersDone = workers.ToArray();
    }

    /// <summary>Frames waiting in a code's queue now.</summary>
    public int QueueDepth(int codeIndex) => _queues[codeIndex].Count;

    /// <summary>Queues the frame for its code's chain (taking ownership). A full queue waits (Block) or drops its oldest frame (DropOldest).</summary>
    /// <remarks>Frames for an unknown code index, of the wrong length, or written after <see cref="CompleteAsync"/> began are dropped and counted.
    /// A Block wait cancelled by <paramref name="cancellationToken"/> drops the frame (reason shutdown) and throws.</remarks>
    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if ((uint)frame.CodeIndex >= (uint)_queues.Length)
        {
            Drop(frame, DropReason.UnknownCode, null);
            return ValueTask.CompletedTask;
        }
        var queue = _queues[frame.CodeIndex];
        if (frame.Length != queue.Chain.InputLength)
        {
            Drop(frame, DropReason.Malformed, queue);
            return ValueTask.CompletedTask;
        }
        if (queue.Space is { } space)
        {
            var room = space.WaitAsync(Timeout.Infinite, cancellationToken);
            if (!room.IsCompletedSuccessfully) return EnqueueWhenRoomAsync(room, queue, frame);
        }
        Enqueue(queue, frame);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Stops intake (later frames are dropped, reason shutdown; blocked writers are released and drop theirs),
    /// lets the workers decode and publish everything queued, and completes when they have exited. Frames
    /// still queued when <paramref name="drainDeadline"/> passes are dropped (reason shutdown); batches
    /// already being decoded are finished and published. Calling again returns the same task.
    /// </summary>
    /// <param name="drainDeadline">Time allowed for draining; <see cref="Timeout.InfiniteTimeSpan"/> waits for everything.</param>
    public Task CompleteAsync(TimeSpan drainDeadline)
    {
        if (drainDeadline < TimeSpan.Zero && drainDeadline != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(drainDeadline), drainDeadline, "drain deadline must be >= 0 or infinite");
        lock (_completionGate) return _completion ??= CompleteCoreAsync(drainDeadline);
    }

    /// <summary>Completes with no drain time (queued frames are dropped, reason shutdown) unless a completion is already under way, and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        await CompleteAsync(TimeSpan.Zero).ConfigureAwait(false);
        _disposed = true;
    }

    private async Task CompleteCoreAsync(TimeSpan drainDeadline)
    {
        foreach (var queue in _queues)
        {
            queue.Complete();
            queue.Space?.Release(ShutdownWriterRelease);
        }
        var workers = Task.WhenAll(_workersDone);
        if (drainDeadline != Timeout.InfiniteTimeSpan)
        {
            using var timeout = new CancellationTokenSource();
            var deadline = Task.Delay(drainDeadline, timeout.Token);
            if (await Task.WhenAny(workers, deadline).ConfigureAwait(false) != workers)
            {
                foreach (var queue in _queues)
                    while (queue.TryTakeAny(out var frame)) Drop(frame, DropReason.Shutdown, queue);
            }
            timeout.Cancel();
        }
        await workers.ConfigureAwait(false);
    }

    private async ValueTask EnqueueWhenRoomAsync(Task<bool> room, CodeQueue queue, Frame frame)
    {
        try
        {
            await room.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Drop(frame, DropReason.Shutdown, queue);
            throw;
        }
        Enqueue(queue, frame);
    }

    private void Enqueue(CodeQueue queue, Frame frame)
    {
        if (!queue.TryEnqueue(frame, out var displaced))
        {
            Drop(frame, DropReason.Shutdown, queue);
            return;
        }
        if (displaced is not null) Drop(displaced, DropReason.QueueFull, queue);
    }

    private void Drop(Frame frame, DropReason reason, CodeQueue? queue) => Drop(frame, DropReasons.Tag(reason), queue);

    private void Drop(Frame frame, string reason, CodeQueue? queue)
    {
        if (queue is null) _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        else _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason), queue.CodeTag);
        _pool.Return(frame);
    }

    private IEnumerable<Measurement<int>> ObserveQueueDepths()
    {
        if (_disposed) return [];
        var measurements = new Measurement<int>[_queues.Length];
        for (var i = 0; i < _queues.Length; i++)
            measurements[i] = new Measurement<int>(_queues[i].Count, _queues[i].CodeTag, _queues[i].DecoderTag);
        return measurements;
    }

    /// <summary>One worker thread of a code's queue, with its own batch buffers.</summary>
    private sealed class Worker(MicroBatcher owner, CodeQueue queue)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly DecodedBatch _batch = new(queue.Chain, queue.CodeIndex, owner._options.MaxBatch);
        private readonly float[] _llrs = new float[owner._options.MaxBatch * queue.Chain.InputLength];
        private readonly byte[] _decodedInfo = new byte[queue.Chain.Code.K];
        private readonly byte[] _sentInfo = new byte[queue.Chain.Code.K];
        private readonly long _maxWaitTicks = owner._options.MaxWaitUs * Stopwatch.Frequency / 1_000_000;

        public Task Done => _done.Task;

        public void Run()
        {
            try
            {
                int count;
                while ((count = queue.Take(_batch.Frames, owner._options.Policy, _maxWaitTicks, out var ticket)) > 0)
                    ProcessBatch(count, ticket);
                _done.SetResult();
            }
            catch (Exception e)
            {
                _done.SetException(e);
            }
        }

        /// <param name="ticket">The batch's place in its queue's take order; with PreserveOrder it publishes only after every earlier ticket.</param>
        private void ProcessBatch(int count, long ticket)
        {
            var chain = queue.Chain;
            var frames = _batch.Frames;
            _batch.Count = count;
            var turnTaken = false;
            try
            {
                var n = chain.InputLength;
                for (var i = 0; i < count; i++) frames[i].LlrSpan.CopyTo(_llrs.AsSpan(i * n, n));

                var start = Stopwatch.GetTimestamp();
                chain.Process(_llrs.AsSpan(0, count * n), _batch.AllBits, _batch.AllStatus, _batch.AllStages);
                var decodeUs = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                _batch.DecodeTimeUs = decodeUs;

                var metrics = owner._metrics;
                metrics.BatchSize.Record(count, queue.CodeTag);
                metrics.DecodeTimeUs.Record(decodeUs, queue.CodeTag, queue.DecoderTag);
                RecordStages(count);
                if (owner._groundTruth is { } truth) CompareWithTruth(truth, count);

                queue.WaitTurn(ticket);
                turnTaken = true;
                // The sink counts each frame published (and its latency) once it has really sent it, or dropped when it could not.
                owner._sink.Publish(_batch);

                for (var i = 0; i < count; i++)
                {
                    owner._pool.Return(frames[i]);
                    frames[i] = null!;
                }
            }
            catch (Exception e)
            {
                for (var i = 0; i < count; i++)
                {
                    if (frames[i] is null) continue;
                    owner.Drop(frames[i], InternalErrorReason, queue);
                    frames[i] = null!;
                }
                owner._onError?.Invoke(e);
            }
            finally
            {
                _batch.Count = 0;
                // A failed batch still waits for its turn, so later batches never overtake the frames before it.
                if (!turnTaken) queue.WaitTurn(ticket);
                queue.EndTurn();
            }
        }

        private void RecordStages(int count)
        {
            int syndrome = 0, main = 0, fallback = 0, failures = 0;
            var stages = _batch.AllStages;
            var status = _batch.AllStatus;
            for (var i = 0; i < count; i++)
            {
                switch (stages[i])
                {
                    case DecodeStage.SyndromeCheck: syndrome++; break;
                    case DecodeStage.Main: main++; break;
                    default: fallback++; break;
                }
                if (!status[i].IsCodeword) failures++;
            }
            if (syndrome > 0) owner._stageFrames.Add(syndrome, queue.CodeTag, StageTag(DecodeStages.Tag(DecodeStage.SyndromeCheck)));
            if (main > 0) owner._stageFrames.Add(main, queue.CodeTag, StageTag(DecodeStages.Tag(DecodeStage.Main)));
            if (fallback > 0) owner._stageFrames.Add(fallback, queue.CodeTag, StageTag(DecodeStages.Tag(DecodeStage.Fallback)));
            if (failures > 0) owner._decodeFailures.Add(failures, queue.CodeTag);
        }

        private void CompareWithTruth(IGroundTruth truth, int count)
        {
            long checkedFrames = 0, frameErrors = 0, bitErrors = 0;
            for (var i = 0; i < count; i++)
            {
                if (!truth.TryTake(queue.CodeIndex, _batch.Frames[i].Sequence, _sentInfo)) continue;
                queue.Chain.Code.GraphToInfo(_batch.GraphBits(i), _decodedInfo);
                var errors = 0;
                for (var b = 0; b < _sentInfo.Length; b++) errors += (_sentInfo[b] ^ _decodedInfo[b]) & 1;
                checkedFrames++;
                bitErrors += errors;
                if (errors > 0) frameErrors++;
            }
            if (checkedFrames == 0) return;
            var metrics = owner._metrics;
            metrics.CheckedFrames.Add(checkedFrames, queue.CodeTag);
            metrics.FrameErrors.Add(frameErrors, queue.CodeTag);
            metrics.BitErrors.Add(bitErrors, queue.CodeTag);
            owner._truthBits.Add(checkedFrames * _sentInfo.Length, queue.CodeTag);
        }

        private static KeyValuePair<string, object?> StageTag(string stage) => new("stage", stage);
    }

    /// <summary>A code's bounded frame queue (a ring under a monitor) with its chain and metric tags.</summary>
    private sealed class CodeQueue
    {
        private readonly Frame?[] _ring;
        private readonly long[] _enqueuedAt;
        private readonly int _maxBatch;
        private readonly bool _dropOldest;
        private int _head;
        private int _count;
        private int _waiters;
        private bool _completed;
        private long _nextTicket;
        private long _turn;
        private readonly bool _ordered;
        private readonly object _turnGate = new();

        public CodeQueue(DecoderChain chain, int codeIndex, MicroBatcherOptions options)
        {
            Chain = chain;
            CodeIndex = codeIndex;
            CodeTag = new KeyValuePair<string, object?>("code", chain.Code.Name);
            DecoderTag = new KeyValuePair<string, object?>("decoder", chain.Main.Name);
            _ring = new Frame?[options.QueueCapacity];
            _enqueuedAt = new long[options.QueueCapacity];
            _maxBatch = options.MaxBatch;
            _dropOldest = options.Overflow == OverflowPolicy.DropOldest;
            _ordered = options.PreserveOrder && options.Workers > 1;
            if (!_dropOldest) Space = new SemaphoreSlim(options.QueueCapacity);
        }

        public DecoderChain Chain { get; }
        public int CodeIndex { get; }
        public KeyValuePair<string, object?> CodeTag { get; }
        public KeyValuePair<string, object?> DecoderTag { get; }

        /// <summary>Free slots, for the Block policy (writers wait on it; workers release what they take).</summary>
        public SemaphoreSlim? Space { get; }

        public int Count => Volatile.Read(ref _count);

        /// <summary>Adds a frame; a full queue (DropOldest) hands back its oldest frame. False once completed.</summary>
        public bool TryEnqueue(Frame frame, out Frame? displaced)
        {
            displaced = null;
            lock (this)
            {
                if (_completed) return false;
                if (_count == _ring.Length)
                {
                    // Block never gets here (the semaphore keeps a slot); DropOldest evicts the head.
                    displaced = _ring[_head];
                    _ring[_head] = null;
                    _head = (_head + 1) % _ring.Length;
                    _count--;
                }
                var tail = (_head + _count) % _ring.Length;
                _ring[tail] = frame;
                _enqueuedAt[tail] = Stopwatch.GetTimestamp();
                _count++;
                if (_waiters > 0) Monitor.Pulse(this);
                return true;
            }
        }

        /// <summary>Blocks until a batch closes (see <see cref="BatchPolicy"/>), moves it into <paramref name="into"/> and returns its size; 0 once completed and empty.</summary>
        public int Take(Frame[] into, BatchPolicy policy, long maxWaitTicks, out long ticket)
        {
            ticket = -1;
            int taken;
            Monitor.Enter(this);
            try
            {
                while (true)
                {
                    if (_count == 0)
                    {
                        if (_completed) return 0;
                        WaitLocked(Timeout.Infinite);
                        continue;
                    }
                    if (_count >= _maxBatch || policy == BatchPolicy.IdleTakesAll || _completed) break;
                    var remaining = _enqueuedAt[_head] + maxWaitTicks - Stopwatch.GetTimestamp();
                    if (remaining <= 0) break;
                    var remainingMs = remaining * 1000 / Stopwatch.Frequency;
                    if (remainingMs >= 2) WaitLocked((int)remainingMs - 1);
                    else
                    {
                        // Monitor timeouts have millisecond granularity: poll the last stretch.
                        Monitor.Exit(this);
                        Thread.Yield();
                        Monitor.Enter(this);
                    }
                }
                taken = Math.Min(_count, _maxBatch);
                for (var i = 0; i < taken; i++)
                {
                    into[i] = _ring[_head]!;
                    _ring[_head] = null;
                    _head = (_head + 1) % _ring.Length;
                }
                _count -= taken;
                // Taken under the queue's lock, so ticket order is frame order.
                ticket = _nextTicket++;
            }
            finally
            {
                Monitor.Exit(this);
            }
            Space?.Release(taken);
            return taken;
        }

        /// <summary>
        /// Blocks until every batch taken before <paramref name="ticket"/> has been published (PreserveOrder with several
        /// workers; at most Workers batches wait, so the reorder window is bounded by the worker count).
        /// </summary>
        public void WaitTurn(long ticket)
        {
            if (!_ordered) return;
            lock (_turnGate)
                while (_turn != ticket) Monitor.Wait(_turnGate);
        }

        /// <summary>Passes the turn to the next ticket.</summary>
        public void EndTurn()
        {
            if (!_ordered) return;
            lock (_turnGate)
            {
                _turn++;
                Monitor.PulseAll(_turnGate);
            }
        }

        /// <summary>Removes one queued frame (shutdown past its deadline).</summary>
        public bool TryTakeAny(out Frame frame)
        {
            lock (this)
            {
                if (_count == 0)
                {
                    frame = null!;
                    return false;
                }
                frame = _ring[_head]!;
                _ring[_head] = null;
                _head = (_head + 1) % _ring.Length;
                _count--;
                return true;
            }
        }

        /// <summary>Refuses further frames and wakes every worker.</summary>
        public void Complete()
        {
            lock (this)
            {
                _completed = true;
                Monitor.PulseAll(this);
            }
        }

        private void WaitLocked(int milliseconds)
        {
            _waiters++;
            try
            {
                Monitor.Wait(this, milliseconds);
            }
            finally
            {
                _waiters--;
            }
        }
    }
}
