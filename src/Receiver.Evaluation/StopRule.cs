namespace Receiver.Evaluation;

/// <summary>
/// When a Monte-Carlo point has seen enough: at least <see cref="MinFrameErrors"/> frame errors
/// (0: no error-based stop), or <see cref="MaxFrames"/> frames, whichever comes first.
/// </summary>
public sealed record StopRule(int MinFrameErrors = 100, long MaxFrames = 1_000_000)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for negative error counts or fewer than one frame.</summary>
    public void Validate()
    {
        if (MinFrameErrors < 0) throw new ArgumentOutOfRangeException(nameof(MinFrameErrors), MinFrameErrors, "minimum frame errors must be 0 or more");
        if (MaxFrames < 1) throw new ArgumentOutOfRangeException(nameof(MaxFrames), MaxFrames, "maximum frames must be at least 1");
    }
}

/// <summary>Why a point stopped.</summary>
public enum StopReason
{
    /// <summary>Still running (progress reports).</summary>
    Running,
    /// <summary>Reached the minimum number of frame errors.</summary>
    FrameErrors,
    /// <summary>Reached the frame cap.</summary>
    MaxFrames,
    /// <summary>Cancelled; counts cover the batches finished before.</summary>
    Cancelled,
}
