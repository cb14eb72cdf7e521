using System.Runtime.CompilerServices;
using Receiver.Codes;
using Receiver.Common;
using Receiver.Decoders;

namespace Receiver.Pipeline.Tests;

internal static class TestCodes
{
    /// <summary>Hamming(7,4) with H = [I3 | P]: pivots are columns 0..2, so the info bits sit at columns 3..6.</summary>
    public static LinearBlockCode Hamming74 { get; } = new(ParityCheckMatrix.FromDense(new byte[,]
    {
        { 1, 0, 0, 1, 1, 0, 1 },
        { 0, 1, 0, 1, 0, 1, 1 },
        { 0, 0, 1, 0, 1, 1, 1 },
    }), "HAMMING_N7_K4");

    /// <summary>The repository's codes/ folder, found from this source file.</summary>
    public static string Directory { get; } = Locate();

    private static string Locate([CallerFilePath] string source = "") =>
        CodeLibrary.FindCodesFolderAbove(Path.GetDirectoryName(source)!) ?? throw new InvalidOperationException("codes/ not found above " + source);

    /// <summary>Canonical LLRs for a transmitted word: +magnitude for 0, -magnitude for 1.</summary>
    public static float[] Llrs(ReadOnlySpan<byte> transmitted, float magnitude = 4f)
    {
        var llrs = new float[transmitted.Length];
        for (var i = 0; i < llrs.Length; i++) llrs[i] = transmitted[i] == 0 ? magnitude : -magnitude;
        return llrs;
    }

    public static byte[] Encode(IBlockCode code, ReadOnlySpan<byte> info)
    {
        var word = new byte[code.N];
        code.Encode(info, word);
        return word;
    }

    public static byte[] RandomInfo(IBlockCode code, Random random)
    {
        var info = new byte[code.K];
        for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
        return info;
    }

    /// <summary>A pooled frame of code 0 carrying the given LLRs.</summary>
    public static Frame Frame(FramePool pool, long sequence, ReadOnlySpan<float> llrs, int codeIndex = 0)
    {
        var frame = pool.Rent(llrs.Length);
        llrs.CopyTo(frame.LlrSpan);
        frame.Sequence = sequence;
        frame.CodeIndex = codeIndex;
        frame.IngestTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        return frame;
    }
}

/// <summary>Wraps a decoder and counts the frames it is asked to decode.</summary>
internal sealed class CountingDecoder(IBatchDecoder inner) : IBatchDecoder
{
    private int _frames;
    private int _calls;

    public int Frames => Volatile.Read(ref _frames);
    public int Calls => Volatile.Read(ref _calls);
    public string Name => inner.Name;
    public IBlockCode Code => inner.Code;
    public int InputLength => inner.InputLength;
    public int OutputLength => inner.OutputLength;

    public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        Interlocked.Add(ref _frames, status.Length);
        Interlocked.Increment(ref _calls);
        inner.Decode(llrs, bits, status);
    }
}

/// <summary>
/// Records every published batch (sequences, stages, info bits); can hold a worker inside Publish until released.
/// Counts each frame published and its latency on <see cref="Metrics"/> as the service's publisher does once it has sent it.
/// </summary>
internal sealed class RecordingSink : IDecodedSink
{
    /// <summary>Where published frames are counted; the harness sets it.</summary>
    public ReceiverMetrics? Metrics { get; set; }

    /// <summary>What a real sink records per frame it delivered: receiver.frames.published and receiver.latency.</summary>
    public static void CountPublished(ReceiverMetrics metrics, DecodedBatch batch)
    {
        var code = new KeyValuePair<string, object?>("code", batch.Code.Name);
        for (var i = 0; i < batch.Count; i++)
        {
            var ingested = batch.Frame(i).IngestTimestamp;
            if (ingested > 0) metrics.LatencyUs.Record(System.Diagnostics.Stopwatch.GetElapsedTime(ingested).TotalMicroseconds, code);
        }
        metrics.FramesPublished.Add(batch.Count, code);
    }

    private readonly object _gate = new();
    private readonly List<long[]> _batches = [];
    private readonly ManualResetEventSlim _release;
    private readonly SemaphoreSlim _entered = new(0);
    private int _published;

    /// <param name="holdFirst">Hold the first Publish call until <see cref="Release"/>.</param>
    public RecordingSink(bool holdFirst = false) => _release = new ManualResetEventSlim(!holdFirst);

    public int Published => Volatile.Read(ref _published);

    public List<long[]> Batches
    {
        get { lock (_gate) return _batches.ToList(); }
    }

    public List<int> BatchSizes => Batches.Select(b => b.Length).ToList();

    public List<long> Sequences => Batches.SelectMany(b => b).ToList();

    public void Publish(DecodedBatch batch)
    {
        var sequences = new long[batch.Count];
        for (var i = 0; i < batch.Count; i++) sequences[i] = batch.Frame(i).Sequence;
        _entered.Release();
        _release.Wait();
        lock (_gate) _batches.Add(sequences);
        if (Metrics is not null) CountPublished(Metrics, batch);
        Interlocked.Add(ref _published, batch.Count);
    }

    /// <summary>Waits until a worker is inside Publish.</summary>
    public void WaitEntered() => Assert.True(_entered.Wait(TimeSpan.FromSeconds(30)), "no batch reached the sink");

    public void Release() => _release.Set();

    /// <summary>Waits (up to 30 s) until at least <paramref name="frames"/> frames were published.</summary>
    public void WaitPublished(int frames)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Published < frames)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Published} of {frames} frames published");
            Thread.Sleep(1);
        }
    }
}

/// <summary>A batcher over Hamming(7,4) with the hard-decision decoder, its metrics, pool and snapshot.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public Harness(MicroBatcherOptions options, RecordingSink sink, IGroundTruth? truth = null, string decoder = "hard")
    {
        Sink = sink;
        sink.Metrics = Metrics;
        Snapshot = new MetricsSnapshot(Metrics);
        var chain = new DecoderChain(TestCodes.Hamming74, new DecoderChainOptions { Decoder = decoder, SyndromeCheck = false }, options.MaxBatch);
        Batcher = new MicroBatcher([chain], options, sink, Metrics, Pool, truth);
    }

    public ReceiverMetrics Metrics { get; } = new();
    public FramePool Pool { get; } = new();
    public MetricsSnapshot Snapshot { get; }
    public RecordingSink Sink { get; }
    public MicroBatcher Batcher { get; }

    /// <summary>LLRs of the all-zero codeword.</summary>
    public static float[] ZeroWord { get; } = Enumerable.Repeat(4f, 7).ToArray();

    public ValueTask Write(long sequence) => Batcher.WriteAsync(TestCodes.Frame(Pool, sequence, ZeroWord), CancellationToken.None);

    public long Dropped(string reason) => Snapshot.Total("receiver.frames.dropped", "reason", reason);

    public long Published => Snapshot.Total("receiver.frames.published");

    public async ValueTask DisposeAsync()
    {
        Sink.Release();
        await Batcher.DisposeAsync();
        Snapshot.Dispose();
        Metrics.Dispose();
    }
}
