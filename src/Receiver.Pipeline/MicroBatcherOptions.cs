namespace Receiver.Pipeline;

/// <summary>What a full queue does with a new frame.</summary>
public enum OverflowPolicy
{
    /// <summary>The writer waits until a worker makes room (back-pressure to ingest).</summary>
    Block,
    /// <summary>The oldest queued frame is dropped (reason queue_full) to make room.</summary>
    DropOldest,
}

/// <summary>How a worker decides that a batch is closed.</summary>
public enum BatchPolicy
{
    /// <summary>
    /// Latency first: a free worker takes everything queued (up to MaxBatch) at once, so a lone frame at low
    /// load is decoded right away; batches grow only from frames that arrive while every worker of the queue is busy.
    /// </summary>
    IdleTakesAll,
    /// <summary>
    /// Throughput first: a free worker waits until MaxBatch frames are queued or MaxWait has passed since the
    /// oldest queued frame was enqueued, whichever comes first, then takes up to MaxBatch.
    /// </summary>
    MaxWait,
}

/// <summary>Micro-batcher settings (one queue per code, the same settings for each).</summary>
public sealed record MicroBatcherOptions
{
    /// <summary>Most frames per batch.</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>Longest a batch waits to fill after its first frame, microseconds (used by <see cref="BatchPolicy.MaxWait"/>).</summary>
    public int MaxWaitUs { get; init; } = 200;

    /// <summary>When a batch closes; see <see cref="BatchPolicy"/>.</summary>
    public BatchPolicy Policy { get; init; } = BatchPolicy.IdleTakesAll;

    /// <summary>Frames a code's queue holds.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>What a full queue does.</summary>
    public OverflowPolicy Overflow { get; init; } = OverflowPolicy.Block;

    /// <summary>Worker threads per code's queue (each runs whole batches; decoders inside may use their own Parallelism).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// With several workers, publish each code's batches in frame order (a worker that finishes early waits for
    /// the earlier batches); false lets batches overtake each other for throughput when order does not matter.
    /// </summary>
    public bool PreserveOrder { get; init; } = true;

    /// <summary>One message per problem (empty when valid), each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBatch <= 0) errors.Add($"MaxBatch must be positive, got {MaxBatch}");
        if (MaxWaitUs < 0) errors.Add($"MaxWaitUs must be >= 0, got {MaxWaitUs}");
        if (QueueCapacity <= 0) errors.Add($"QueueCapacity must be positive, got {QueueCapacity}");
        else if (QueueCapacity < MaxBatch) errors.Add($"QueueCapacity ({QueueCapacity}) must be at least MaxBatch ({MaxBatch})");
        if (Workers <= 0) errors.Add($"Workers must be positive, got {Workers}");
        if (!Enum.IsDefined(Overflow)) errors.Add($"Overflow must be Block or DropOldest, got {Overflow}");
        if (!Enum.IsDefined(Policy)) errors.Add($"Policy must be IdleTakesAll or MaxWait, got {Policy}");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with every problem <see cref="Validate"/> finds.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException($"invalid batcher options: {string.Join("; ", errors)}");
    }
}
