using System.Globalization;

namespace Receiver.Evaluation;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> (0-based, as Slurm array and Kubernetes Indexed Job indices are) of a
/// point's frames: shard I runs the contiguous frame range [I F / N, (I + 1) F / N) of the F frames, so the shards of one
/// seed run disjoint frames whose union is exactly the unsharded point's frames.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole => new(0, 1);

    public bool IsWhole => Count == 1;

    /// <summary>First frame index and number of frames of this shard out of <paramref name="totalFrames"/>.</summary>
    public (long FirstFrame, long Frames) Range(long totalFrames)
    {
        var first = (long)((Int128)totalFrames * Index / Count);
        var end = (long)((Int128)totalFrames * (Index + 1) / Count);
        return (first, end - first);
    }

    /// <summary>Parses "I/N" with 0 &lt;= I &lt; N; throws <see cref="FormatException"/> naming the problem.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new FormatException($"bad shard '{text}': expected I/N, e.g. 0/4 (I counts from 0)");
        if (count < 1 || index >= count)
            throw new FormatException($"bad shard '{text}': need N >= 1 and 0 <= I < N (I counts from 0, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX do)");
        return new Shard(index, count);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}

/// <summary>Adds the counts of the shards of one point into the point's result.</summary>
public static class ShardMerge
{
    /// <summary>
    /// The point made of <paramref name="shards"/>: counts and elapsed seconds added (elapsed is then the total
    /// decoding time, not a wall time). Throws <see cref="ArgumentException"/> when they are not points of the
    /// same code, decoder, Eb/N0 and seed.
    /// </summary>
    public static PointResult Merge(IReadOnlyList<PointResult> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0) throw new ArgumentException("no shard to merge", nameof(shards));
        var first = shards[0];
        foreach (var s in shards)
            if (s.Code != first.Code || s.N != first.N || s.K != first.K || s.Decoder != first.Decoder || s.EbN0Db != first.EbN0Db || s.Seed != first.Seed)
                throw new ArgumentException($"shards of different points: {Describe(first)} and {Describe(s)}", nameof(shards));
        var reason = shards.Any(s => s.StopReason == StopReason.Cancelled) ? StopReason.Cancelled
            : shards.Any(s => s.StopReason == StopReason.FrameErrors) ? StopReason.FrameErrors
            : StopReason.MaxFrames;
        return first with
        {
            Frames = shards.Sum(s => s.Frames),
            BitErrors = shards.Sum(s => s.BitErrors),
            FrameErrors = shards.Sum(s => s.FrameErrors),
            InfoBitErrors = shards.Sum(s => s.InfoBitErrors),
            DecoderIterations = shards.Sum(s => s.DecoderIterations),
            MlFrameErrors = shards.Sum(s => s.MlFrameErrors),
            ElapsedSeconds = shards.Sum(s => s.ElapsedSeconds),
            StopReason = reason,
        };
    }

    private static string Describe(PointResult p)
        => string.Create(CultureInfo.InvariantCulture, $"{p.Code} {p.Decoder} {p.EbN0Db} dB seed {p.Seed}");
}
