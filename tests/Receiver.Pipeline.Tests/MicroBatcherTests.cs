using Receiver.Common;

namespace Receiver.Pipeline.Tests;

public class MicroBatcherTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task IdleWorkerTakesALoneFrameAtOnceEvenWithAHugeMaxWait()
    {
        // MaxWait of 60 s: if the lone frame waited for its batch to fill, WaitPublished (30 s) would fail.
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 16, MaxWaitUs = 60_000_000 }, new RecordingSink());
        await h.Write(0);
        h.Sink.WaitPublished(1);
        Assert.Equal([1], h.Sink.BatchSizes);
    }

    [Fact]
    public async Task FramesArrivingWhileTheWorkerIsBusyFormBatchesOfAtMostMaxBatch()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 8, QueueCapacity = 64 }, new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        for (var s = 1; s <= 20; s++) await h.Write(s);
        Assert.Equal(20, h.Batcher.QueueDepth(0));
        h.Sink.Release();
        h.Sink.WaitPublished(21);
        Assert.Equal([1, 8, 8, 4], h.Sink.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), h.Sink.Sequences);
    }

    [Fact]
    public async Task MaxWaitPolicyClosesABatchAtMaxSizeWithoutWaiting()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 4, MaxWaitUs = 60_000_000, Policy = BatchPolicy.MaxWait }, new RecordingSink());
        for (var s = 0; s < 10; s++) await h.Write(s);
        h.Sink.WaitPublished(8);
        Assert.Equal([4, 4], h.Sink.BatchSizes);
        Assert.Equal(2, h.Batcher.QueueDepth(0)); // the last two wait for more frames or the 60 s deadline

        await h.Batcher.CompleteAsync(Long); // shutdown takes them without waiting
        Assert.Equal([4, 4, 2], h.Sink.BatchSizes);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), h.Sink.Sequences);
    }

    [Fact]
    public async Task MaxWaitPolicyClosesAPartialBatchAtMaxWait()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 64, MaxWaitUs = 500_000, Policy = BatchPolicy.MaxWait }, new RecordingSink());
        for (var s = 0; s < 3; s++) await h.Write(s);
        h.Sink.WaitPublished(3);
        Assert.Equal([3], h.Sink.BatchSizes);
        Assert.Equal(0, h.Batcher.QueueDepth(0));
    }

    [Fact]
    public async Task DropOldestDropsTheOldestQueuedFramesAndCountsThem()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 8, QueueCapacity = 8, Overflow = OverflowPolicy.DropOldest },
            new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        for (var s = 1; s <= 20; s++)
        {
            var write = h.Write(s);
            Assert.True(write.IsCompletedSuccessfully, "drop-oldest never makes a writer wait");
            await write;
        }
        Assert.Equal(12, h.Dropped("queue_full"));
        h.Sink.Release();
        h.Sink.WaitPublished(9);
        Assert.Equal([0L, .. Enumerable.Range(13, 8).Select(i => (long)i)], h.Sink.Sequences);
        await h.Batcher.CompleteAsync(Long);
        Assert.Equal(9, h.Published);
        Assert.Equal(12, h.Snapshot.Total("receiver.frames.dropped"));
    }

    [Fact]
    public async Task BlockMakesTheWriterWaitAndLosesNothing()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 8, QueueCapacity = 8, Overflow = OverflowPolicy.Block },
            new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        for (var s = 1; s <= 8; s++) Assert.True(h.Write(s).IsCompletedSuccessfully);
        var blocked = h.Write(9).AsTask();
        Assert.False(blocked.IsCompleted);
        h.Sink.Release();
        await blocked.WaitAsync(Long);
        await h.Batcher.CompleteAsync(Long);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), h.Sink.Sequences);
        Assert.Equal(10, h.Published);
        Assert.Equal(0, h.Snapshot.Total("receiver.frames.dropped"));
    }

    [Fact]
    public async Task CancellingABlockedWriteDropsItsFrame()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 1, QueueCapacity = 1 }, new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        await h.Write(1);
        using var cancel = new CancellationTokenSource();
        var blocked = h.Batcher.WriteAsync(TestCodes.Frame(h.Pool, 2, Harness.ZeroWord), cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal(1, h.Dropped("shutdown"));
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest, BatchPolicy.IdleTakesAll)]
    [InlineData(OverflowPolicy.Block, BatchPolicy.IdleTakesAll)]
    [InlineData(OverflowPolicy.DropOldest, BatchPolicy.MaxWait)]
    public async Task EveryFrameIsPublishedOrDroppedUnderConcurrentWriters(OverflowPolicy overflow, BatchPolicy policy)
    {
        const int writers = 4, perWriter = 500;
        var options = new MicroBatcherOptions { MaxBatch = 8, QueueCapacity = 16, Workers = 2, Overflow = overflow, Policy = policy, MaxWaitUs = 100 };
        await using var h = new Harness(options, new RecordingSink());
        var badLength = 0;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var sequence = (long)w * perWriter + i;
                var frame = TestCodes.Frame(h.Pool, sequence, Harness.ZeroWord);
                if (i % 97 == 0) frame.CodeIndex = 5;          // unknown code
                else if (i % 89 == 0)
                {
                    frame = TestCodes.Frame(h.Pool, sequence, new float[6]); // wrong length
                    Interlocked.Increment(ref badLength);
                }
                await h.Batcher.WriteAsync(frame, CancellationToken.None);
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        await h.Batcher.CompleteAsync(TimeSpan.FromMilliseconds(20));

        var totals = h.Snapshot.Totals();
        Assert.Equal(writers * perWriter, totals.FramesPublished + totals.FramesDropped);
        Assert.Equal(h.Sink.Published, totals.FramesPublished);
        Assert.Equal(writers * (perWriter / 97 + 1), totals.DroppedByReason.GetValueOrDefault("unknown_code"));
        Assert.Equal(badLength, totals.DroppedByReason.GetValueOrDefault("malformed"));
        Assert.Equal(h.Sink.Sequences.Count, h.Sink.Sequences.Distinct().Count());
        if (overflow == OverflowPolicy.Block) Assert.Equal(0, totals.DroppedByReason.GetValueOrDefault("queue_full"));
    }

    [Fact]
    public async Task CompleteAsyncPublishesEverythingQueuedThenRefusesNewFrames()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 4, QueueCapacity = 64 }, new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        for (var s = 1; s <= 20; s++) await h.Write(s);
        var completion = h.Batcher.CompleteAsync(Long);
        Assert.False(completion.IsCompleted);
        await h.Write(21); // after intake stopped
        h.Sink.Release();
        await completion.WaitAsync(Long);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), h.Sink.Sequences);
        Assert.Equal(21, h.Published);
        Assert.Equal(1, h.Dropped("shutdown"));
    }

    [Fact]
    public async Task FramesStillQueuedAtTheDrainDeadlineAreDroppedAsShutdown()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 4, QueueCapacity = 64 }, new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        for (var s = 1; s <= 20; s++) await h.Write(s);
        var completion = h.Batcher.CompleteAsync(TimeSpan.FromMilliseconds(10));
        var deadline = DateTime.UtcNow + Long;
        while (h.Dropped("shutdown") < 20 && DateTime.UtcNow < deadline) await Task.Delay(1);
        h.Sink.Release(); // the batch being published when the deadline passed is still finished
        await completion.WaitAsync(Long);
        Assert.Equal([0L], h.Sink.Sequences);
        Assert.Equal(1, h.Published);
        Assert.Equal(20, h.Dropped("shutdown"));
    }

    [Fact]
    public async Task MetricsCoverBatchSizeLatencyAndQueueDepth()
    {
        await using var h = new Harness(new MicroBatcherOptions { MaxBatch = 8 }, new RecordingSink(holdFirst: true));
        await h.Write(0);
        h.Sink.WaitEntered();
        for (var s = 1; s <= 5; s++) await h.Write(s);
        h.Snapshot.ObserveGauges();
        Assert.Equal(5, h.Snapshot.Total("receiver.queue.depth", "code", "HAMMING_N7_K4"));
        h.Sink.Release();
        await h.Batcher.CompleteAsync(Long);
        var batchSizes = h.Snapshot.Histogram("receiver.batch.size")!;
        Assert.Equal(2, batchSizes.Count);
        Assert.Equal(6, batchSizes.Sum);
        Assert.Equal(6, h.Snapshot.Latency().Count);
        Assert.Equal(2, h.Snapshot.Histogram("receiver.decode.time")!.Count);
        Assert.Equal(6, h.Snapshot.Total("receiver.decode.frames", "stage", "main"));
    }

    [Fact]
    public async Task ASinkThatThrowsLosesItsBatchAsInternalErrorAndTheWorkerGoesOn()
    {
        var errors = new List<Exception>();
        using var metrics = new ReceiverMetrics();
        using var snapshot = new MetricsSnapshot(metrics);
        var pool = new FramePool();
        var sink = new ThrowingOnceSink(metrics);
        var chain = new DecoderChain(TestCodes.Hamming74, new DecoderChainOptions { Decoder = "hard" }, 4);
        await using var batcher = new MicroBatcher([chain], new MicroBatcherOptions { MaxBatch = 4 }, sink, metrics, pool, onError: e => { lock (errors) errors.Add(e); });
        await batcher.WriteAsync(TestCodes.Frame(pool, 0, Harness.ZeroWord), CancellationToken.None);
        sink.Thrown.Wait(Long);
        await batcher.WriteAsync(TestCodes.Frame(pool, 1, Harness.ZeroWord), CancellationToken.None);
        await batcher.CompleteAsync(Long);
        Assert.Equal(1, snapshot.Total("receiver.frames.dropped", "reason", MicroBatcher.InternalErrorReason));
        Assert.Equal(1, snapshot.Total("receiver.frames.published"));
        Assert.Single(errors);
    }

    [Fact]
    public void InvalidOptionsAreRejectedWithEveryProblemNamed()
    {
        var options = new MicroBatcherOptions { MaxBatch = 0, Workers = 0, QueueCapacity = -1, MaxWaitUs = -5 };
        var errors = options.Validate();
        Assert.Contains(errors, e => e.Contains("MaxBatch"));
        Assert.Contains(errors, e => e.Contains("Workers"));
        Assert.Contains(errors, e => e.Contains("QueueCapacity"));
        Assert.Contains(errors, e => e.Contains("MaxWaitUs"));
        Assert.Contains("must be at least MaxBatch", Assert.Single(new MicroBatcherOptions { MaxBatch = 64, QueueCapacity = 8 }.Validate()));
    }

    [Fact]
    public async Task SeveralWorkersPublishInFrameOrderWhateverTheDecodeTimes()
    {
        var decoder = new JitterDecoder(new Decoders.HardDecisionDecoder(TestCodes.Hamming74, new Decoders.DecoderOptions()));
        await using var h = new OrderedHarness(decoder, workers: 4, preserveOrder: true);
        for (var s = 0; s < 600; s++) await h.Write(s);
        await h.Batcher.CompleteAsync(Long);
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), h.Sink.Sequences);
        Assert.True(h.Sink.Batches.Count > 4, "frames spread over several batches");
    }

    [Fact]
    public async Task ALaterBatchWaitsForAnEarlierSlowOneOnlyWhenOrderIsKept()
    {
        foreach (var preserveOrder in new[] { true, false })
        {
            var decoder = new GatedDecoder(new Decoders.HardDecisionDecoder(TestCodes.Hamming74, new Decoders.DecoderOptions()));
            await using var h = new OrderedHarness(decoder, workers: 2, preserveOrder);
            await h.Write(0);
            Assert.True(decoder.FirstEntered.Wait(Long), "first batch reached the decoder");
            await h.Write(1); // taken by the second worker, decoded at once
            Assert.True(decoder.SecondDone.Wait(Long), "second batch decoded");
            Thread.Sleep(100);
            Assert.Equal(preserveOrder ? [] : [1L], h.Sink.Sequences);
            decoder.ReleaseFirst();
            h.Sink.WaitPublished(2);
            Assert.Equal(preserveOrder ? [0L, 1L] : [1L, 0L], h.Sink.Sequences);
        }
    }

    [Fact]
    public async Task AFailedBatchPassesItsTurnSoLaterBatchesStillPublishInOrder()
    {
        var decoder = new JitterDecoder(new Decoders.HardDecisionDecoder(TestCodes.Hamming74, new Decoders.DecoderOptions()), throwOnCall: 3);
        await using var h = new OrderedHarness(decoder, workers: 3, preserveOrder: true);
        for (var s = 0; s < 200; s++) await h.Write(s);
        await h.Batcher.CompleteAsync(Long);
        var published = h.Sink.Sequences;
        Assert.Equal(published.Order(), published);
        Assert.Equal(200, published.Count + h.Dropped(MicroBatcher.InternalErrorReason));
        Assert.True(h.Dropped(MicroBatcher.InternalErrorReason) > 0);
    }

    /// <summary>A batcher over Hamming(7,4) with a given decoder and several workers.</summary>
    private sealed class OrderedHarness : IAsyncDisposable
    {
        private readonly MetricsSnapshot _snapshot;

        public OrderedHarness(Decoders.IBatchDecoder decoder, int workers, bool preserveOrder)
        {
            Sink.Metrics = Metrics;
            _snapshot = new MetricsSnapshot(Metrics);
            var options = new MicroBatcherOptions { MaxBatch = 4, QueueCapacity = 64, Workers = workers, PreserveOrder = preserveOrder };
            var chain = new DecoderChain(TestCodes.Hamming74, decoder, null, syndromeCheck: false, options.MaxBatch);
            Batcher = new MicroBatcher([chain], options, Sink, Metrics, Pool);
        }

        public ReceiverMetrics Metrics { get; } = new();
        public FramePool Pool { get; } = new();
        public RecordingSink Sink { get; } = new();
        public MicroBatcher Batcher { get; }

        public ValueTask Write(long sequence) => Batcher.WriteAsync(TestCodes.Frame(Pool, sequence, Harness.ZeroWord), CancellationToken.None);

        public long Dropped(string reason) => _snapshot.Total("receiver.frames.dropped", "reason", reason);

        public async ValueTask DisposeAsync()
        {
            await Batcher.DisposeAsync();
            _snapshot.Dispose();
            Metrics.Dispose();
        }
    }

    /// <summary>Sleeps 0-3 ms per call (so batches finish out of order); optionally throws on one call.</summary>
    private sealed class JitterDecoder(Decoders.IBatchDecoder inner, int throwOnCall = -1) : Decoders.IBatchDecoder
    {
        private int _calls;
        public string Name => inner.Name;
        public Codes.IBlockCode Code => inner.Code;
        public int InputLength => inner.InputLength;
        public int OutputLength => inner.OutputLength;

        public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<Decoders.DecodeStatus> status)
        {
            var call = Interlocked.Increment(ref _calls);
            Thread.Sleep(Random.Shared.Next(4));
            if (call == throwOnCall) throw new InvalidOperationException("decoder failed");
            inner.Decode(llrs, bits, status);
        }
    }

    /// <summary>Holds its first call until released; signals when the second call is done.</summary>
    private sealed class GatedDecoder(Decoders.IBatchDecoder inner) : Decoders.IBatchDecoder
    {
        private readonly ManualResetEventSlim _release = new();
        private int _calls;
        public ManualResetEventSlim FirstEntered { get; } = new();
        public ManualResetEventSlim SecondDone { get; } = new();
        public string Name => inner.Name;
        public Codes.IBlockCode Code => inner.Code;
        public int InputLength => inner.InputLength;
        public int OutputLength => inner.OutputLength;

        public void ReleaseFirst() => _release.Set();

        public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<Decoders.DecodeStatus> status)
        {
            var call = Interlocked.Increment(ref _calls);
            if (call == 1)
            {
                FirstEntered.Set();
                Assert.True(_release.Wait(Long));
            }
            inner.Decode(llrs, bits, status);
            if (call == 2) SecondDone.Set();
        }
    }

    private sealed class ThrowingOnceSink(ReceiverMetrics metrics) : IDecodedSink
    {
        private int _calls;
        public ManualResetEventSlim Thrown { get; } = new();

        public void Publish(DecodedBatch batch)
        {
            if (Interlocked.Increment(ref _calls) > 1)
            {
                RecordingSink.CountPublished(metrics, batch);
                return;
            }
            Thrown.Set();
            throw new InvalidOperationException("publisher failed");
        }
    }
}
