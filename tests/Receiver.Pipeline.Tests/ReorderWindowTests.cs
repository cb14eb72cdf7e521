using System.Buffers;
using Receiver.Common;
using Receiver.Decoders;
using Receiver.Pipeline.Distributed;

namespace Receiver.Pipeline.Tests;

public sealed class ReorderWindowTests : IDisposable
{
    private readonly ReceiverMetrics _metrics = new();
    private readonly FramePool _pool = new();
    private readonly RecordingSink _sink = new();
    private readonly MetricsSnapshot _snapshot;
    private readonly List<long> _lost = [];

    public ReorderWindowTests()
    {
        _sink.Metrics = _metrics;
        _snapshot = new MetricsSnapshot(_metrics);
    }

    public void Dispose()
    {
        _snapshot.Dispose();
        _metrics.Dispose();
    }

    private ReorderWindow Window(int capacity, TimeSpan deadline) =>
        new([TestCodes.Hamming74], capacity, deadline, maxBatch: 4, _sink, _metrics, _pool, (ticket, _) => _lost.Add(ticket));

    private long Reserve(ReorderWindow window, long sequence)
    {
        Assert.True(window.TryReserve(TestCodes.Frame(_pool, sequence, Harness.ZeroWord), CancellationToken.None, out var ticket));
        return ticket;
    }

    private static bool Complete(ReorderWindow window, long ticket) =>
        window.TryComplete(ticket, new DecodeStatus(DecodeOutcome.Converged, 0, 0), DecodeStage.Main, new ReadOnlySequence<byte>(new byte[7]), out _);

    [Fact]
    public void ResultsInAnyOrderArePublishedInTicketOrder()
    {
        var window = Window(16, TimeSpan.FromSeconds(30));
        var tickets = Enumerable.Range(0, 10).Select(s => Reserve(window, 100 + s)).ToArray();
        foreach (var t in new[] { 3, 1, 2, 9, 5 }) Assert.True(Complete(window, tickets[t]));
        Assert.Equal(0, window.Release()); // ticket 0 is not back: nothing may pass it
        Assert.True(Complete(window, tickets[0]));
        Assert.Equal(4, window.Release()); // 0..3
        foreach (var t in new[] { 4, 6, 7, 8 }) Assert.True(Complete(window, tickets[t]));
        Assert.Equal(6, window.Release());
        Assert.Equal(Enumerable.Range(100, 10).Select(i => (long)i), _sink.Sequences);
        Assert.True(_sink.BatchSizes.All(size => size <= 4));
        Assert.Equal(0, window.InFlight);
    }

    [Fact]
    public void AFrameNotBackWithinTheDeadlineIsCountedLostAndItsLateResultIgnored()
    {
        var window = Window(16, TimeSpan.FromMilliseconds(50));
        var first = Reserve(window, 0);
        var second = Reserve(window, 1);
        Assert.True(Complete(window, second));
        Thread.Sleep(120);
        Assert.Equal(2, window.Release());
        Assert.Equal([first], _lost);
        Assert.Equal([1L], _sink.Sequences);
        Assert.Equal(1, _snapshot.Total("receiver.frames.dropped", "reason", "lost"));
        Assert.False(Complete(window, first)); // too late: never published twice
        Assert.False(Complete(window, 99));    // never sent
        Assert.Equal(2, window.LateResults);
    }

    [Fact]
    public void AFullWindowMakesReserveWaitUntilTheHeadIsReleased()
    {
        var window = Window(2, TimeSpan.FromSeconds(30));
        var first = Reserve(window, 0);
        Reserve(window, 1);
        var third = Task.Run(() => Reserve(window, 2));
        Assert.False(third.Wait(100));
        Assert.True(Complete(window, first));
        window.Release();
        Assert.True(third.Wait(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void CompleteDropsWhatIsOutAndRefusesNewFrames()
    {
        var window = Window(4, TimeSpan.FromSeconds(30));
        Reserve(window, 0);
        Reserve(window, 1);
        Assert.Equal(2, window.Complete("shutdown"));
        Assert.Equal(2, _snapshot.Total("receiver.frames.dropped", "reason", "shutdown"));
        Assert.False(window.TryReserve(TestCodes.Frame(_pool, 2, Harness.ZeroWord), CancellationToken.None, out _));
    }

    [Fact]
    public void WorkAndResultEnvelopesRoundTrip()
    {
        var buffer = new ArrayBufferWriter<byte>();
        WorkEnvelopes.WriteWork(buffer, 1L << 40, "nr:224,256", [1.5f, -2f, 0.25f]);
        Assert.True(WorkEnvelopes.TryReadWork(buffer.WrittenMemory, out var ticket, out var code, out var llrs, out _));
        Assert.Equal((1L << 40, "nr:224,256"), (ticket, code));
        Assert.Equal([1.5f, -2f, 0.25f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(llrs.FirstSpan).ToArray());

        buffer.ResetWrittenCount();
        WorkEnvelopes.WriteResult(buffer, 7, new DecodeStatus(DecodeOutcome.NotConverged, 12, 3), DecodeStage.Fallback, [1, 0, 1]);
        Assert.True(WorkEnvelopes.TryReadResult(buffer.WrittenMemory, out ticket, out var status, out var stage, out var bits, out _));
        Assert.Equal((7L, new DecodeStatus(DecodeOutcome.NotConverged, 12, 3), DecodeStage.Fallback), (ticket, status, stage));
        Assert.Equal([1, 0, 1], bits.ToArray());

        Assert.False(WorkEnvelopes.TryReadResult(new byte[] { 0x93, 1, 2, 3 }, out _, out _, out _, out _, out var error));
        Assert.NotNull(error);
        Assert.False(WorkEnvelopes.TryReadWork(new byte[] { 0xc1 }, out _, out _, out _, out error));
    }
}
