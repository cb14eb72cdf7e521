namespace Receiver.Pipeline;

/// <summary>Transmitted info bits by (code, sequence), for loopback runs that measure end-to-end errors.</summary>
public interface IGroundTruth
{
    /// <summary>Copies the info bits (K 0/1 bytes) sent as frame <paramref name="sequence"/> of code <paramref name="codeIndex"/> and forgets them; false when unknown.</summary>
    bool TryTake(int codeIndex, long sequence, Span<byte> infoBits);
}

/// <summary>
/// Bounded, thread-safe <see cref="IGroundTruth"/>: per code a ring of <c>capacity</c> slots keyed by
/// sequence (slot = sequence mod capacity), bits packed 64 per word. A source <see cref="Add"/>s before
/// sending; the batcher takes each entry once. Entries never taken (their frame was dropped or lost)
/// are evicted by age when a sequence <c>capacity</c> later reuses their slot (<see cref="Evicted"/> counts them).
/// </summary>
public sealed class GroundTruthStore : IGroundTruth
{
    private readonly Ring[] _rings;

    /// <summary>A store for codes with the given info lengths (K per code index).</summary>
    /// <param name="infoBitsPerCode">K of each code, by code index.</param>
    /// <param name="capacity">Slots per code: more than the frames that can be in flight (queued, in sockets) at once.</param>
    public GroundTruthStore(IReadOnlyList<int> infoBitsPerCode, int capacity = 16384)
    {
        ArgumentNullException.ThrowIfNull(infoBitsPerCode);
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be positive");
        _rings = new Ring[infoBitsPerCode.Count];
        for (var i = 0; i < _rings.Length; i++)
        {
            if (infoBitsPerCode[i] <= 0) throw new ArgumentOutOfRangeException(nameof(infoBitsPerCode), infoBitsPerCode[i], $"code {i}: info length must be positive");
            _rings[i] = new Ring(infoBitsPerCode[i], capacity);
        }
    }

    /// <summary>A store for every code of a registry.</summary>
    public GroundTruthStore(CodeRegistry registry, int capacity = 16384)
        : this(registry.Codes.Select(c => c.K).ToArray(), capacity)
    {
    }

    /// <summary>Entries overwritten before being taken (frames dropped or lost between source and batcher).</summary>
    public long Evicted => _rings.Sum(r => Volatile.Read(ref r.Evicted));

    /// <summary>Records the info bits sent as frame <paramref name="sequence"/> of a code (replacing the slot's older entry).</summary>
    public void Add(int codeIndex, long sequence, ReadOnlySpan<byte> infoBits)
    {
        var ring = RingOf(codeIndex);
        if (infoBits.Length != ring.InfoBits) throw new ArgumentException($"code {codeIndex}: expected {ring.InfoBits} info bits, got {infoBits.Length}", nameof(infoBits));
        if (sequence < 0) throw new ArgumentOutOfRangeException(nameof(sequence), sequence, "sequence must be non-negative");
        var slot = ring.SlotOf(sequence);
        lock (ring)
        {
            if (ring.Sequences[slot] >= 0) ring.Evicted++;
            ring.Sequences[slot] = sequence;
            var words = ring.Words.AsSpan(slot * ring.WordsPerEntry, ring.WordsPerEntry);
            words.Clear();
            for (var i = 0; i < infoBits.Length; i++) words[i >> 6] |= (ulong)(infoBits[i] & 1) << (i & 63);
        }
    }

    public bool TryTake(int codeIndex, long sequence, Span<byte> infoBits)
    {
        if ((uint)codeIndex >= (uint)_rings.Length || sequence < 0) return false;
        var ring = _rings[codeIndex];
        if (infoBits.Length != ring.InfoBits) throw new ArgumentException($"code {codeIndex}: expected {ring.InfoBits} info bits, got {infoBits.Length}", nameof(infoBits));
        var slot = ring.SlotOf(sequence);
        lock (ring)
        {
            if (ring.Sequences[slot] != sequence) return false;
            ring.Sequences[slot] = -1;
            var words = ring.Words.AsSpan(slot * ring.WordsPerEntry, ring.WordsPerEntry);
            for (var i = 0; i < infoBits.Length; i++) infoBits[i] = (byte)((words[i >> 6] >> (i & 63)) & 1);
            return true;
        }
    }

    private Ring RingOf(int codeIndex) => (uint)codeIndex < (uint)_rings.Length
        ? _rings[codeIndex]
        : throw new ArgumentOutOfRangeException(nameof(codeIndex), codeIndex, $"the store holds {_rings.Length} codes");

    private sealed class Ring
    {
        public readonly int InfoBits;
        public readonly int WordsPerEntry;
        public readonly long[] Sequences;
        public readonly ulong[] Words;
        public long Evicted;

        public Ring(int infoBits, int capacity)
        {
            InfoBits = infoBits;
            WordsPerEntry = (infoBits + 63) / 64;
            Sequences = new long[capacity];
            Array.Fill(Sequences, -1L);
            Words = new ulong[capacity * WordsPerEntry];
        }

        public int SlotOf(long sequence) => (int)(sequence % Sequences.Length);
    }
}
