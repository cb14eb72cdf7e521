using System.Collections.Concurrent;
using Receiver.Codes;

namespace Receiver.Decoders;

/// <summary>
/// Base for decoders that process a batch as independent chunks of frames. Chunks are spread
/// over up to <see cref="Parallelism"/> threads; each thread borrows a workspace (scratch
/// buffers sized once for the code), so the steady state allocates nothing per frame.
/// </summary>
public abstract class BatchDecoder<TWorkspace> : IBatchDecoder where TWorkspace : class
{
    private readonly ConcurrentBag<TWorkspace> _workspaces = new();

    protected BatchDecoder(IBlockCode code, int parallelism)
    {
        Code = code ?? throw new ArgumentNullException(nameof(code));
        Parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
    }

    public abstract string Name { get; }
    public IBlockCode Code { get; }
    public virtual int InputLength => Code.N;
    public virtual int OutputLength => Code.H.Columns;

    /// <summary>Most threads one Decode call uses (the service may run several calls side by side with 1).</summary>
    public int Parallelism { get; }

    /// <summary>Frames handed to one <see cref="DecodeChunk"/> call (more than 1 for frame-interleaved SIMD kernels).</summary>
    protected virtual int ChunkFrames => 1;

    protected abstract TWorkspace CreateWorkspace();

    /// <summary>Decodes status.Length frames (at most <see cref="ChunkFrames"/>).</summary>
    protected abstract void DecodeChunk(TWorkspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status);

    public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var frames = status.Length;
        if (llrs.Length != frames * InputLength)
            throw new ArgumentException($"{Name}: {frames} frames need {frames * InputLength} LLRs, got {llrs.Length}", nameof(llrs));
        if (bits.Length != frames * OutputLength)
            throw new ArgumentException($"{Name}: {frames} frames need {frames * OutputLength} output bits, got {bits.Length}", nameof(bits));
        if (frames == 0) return;

        var chunk = ChunkFrames;
        var chunks = (frames + chunk - 1) / chunk;
        var workers = Math.Min(Parallelism, chunks);
        if (workers <= 1)
        {
            var ws = Rent();
            try
            {
                for (var c = 0; c < chunks; c++) RunChunk(ws, c, chunk, frames, llrs, bits, status);
            }
            finally { _workspaces.Add(ws); }
            return;
        }

        DecodeInParallel(llrs, bits, status, frames, chunk, chunks, workers);
    }

    // Kept out of Decode so the lambda's closure is only allocated when several threads run.
    private unsafe void DecodeInParallel(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status, int frames, int chunk, int chunks, int workers)
    {
        fixed (float* pl = llrs)
        fixed (byte* pb = bits)
        fixed (DecodeStatus* ps = status)
        {
            var (l, b, s) = ((nint)pl, (nint)pb, (nint)ps);
            var next = -1;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ =>
            {
                var ws = Rent();
                try
                {
                    var allLlrs = new ReadOnlySpan<float>((float*)l, frames * InputLength);
                    var allBits = new Span<byte>((byte*)b, frames * OutputLength);
                    var allStatus = new Span<DecodeStatus>((DecodeStatus*)s, frames);
                    int c;
                    while ((c = Interlocked.Increment(ref next)) < chunks)
                        RunChunk(ws, c, chunk, frames, allLlrs, allBits, allStatus);
                }
                finally { _workspaces.Add(ws); }
            });
        }
    }

    private void RunChunk(TWorkspace ws, int c, int chunk, int frames, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var first = c * chunk;
        var count = Math.Min(chunk, frames - first);
        DecodeChunk(ws,
            llrs.Slice(first * InputLength, count * InputLength),
            bits.Slice(first * OutputLength, count * OutputLength),
            status.Slice(first, count));
    }

    private TWorkspace Rent() => _workspaces.TryTake(out var ws) ? ws : CreateWorkspace();
}
