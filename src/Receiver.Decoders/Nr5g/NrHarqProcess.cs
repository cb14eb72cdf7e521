using Receiver.Codes.Nr5g.Chain;

namespace Receiver.Decoders.Nr5g;

/// <summary>
/// Soft state of one HARQ process for one transport block: per code block the circular buffer of
/// combined LLRs (N_cb each, incremental redundancy: every transmission adds its LLRs at their buffer
/// positions), the highest buffer index received so far, and the bits of blocks already decoded with a
/// passing CRC (kept, not decoded again). <see cref="Reset"/> starts a new transport block (new data).
/// </summary>
public sealed class NrHarqProcess
{
    private readonly float[][] _softBuffers;
    private readonly int[] _highest;
    private readonly int[] _extent;             // per block: buffer prefix that holds values (the rest is stale)
    private readonly bool[] _done;
    private readonly byte[][] _blockBits;

    public NrHarqProcess(NrTransportBlockLayout layout, int id = 0)
    {
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        Id = id;
        _softBuffers = new float[layout.CodeBlocks][];
        _blockBits = new byte[layout.CodeBlocks][];
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            _softBuffers[r] = new float[layout.Ncb];
            _blockBits[r] = new byte[layout.KPrime];
        }
        _highest = new int[layout.CodeBlocks];
        _extent = new int[layout.CodeBlocks];
        _done = new bool[layout.CodeBlocks];
        Reset();
    }

    public NrTransportBlockLayout Layout { get; }

    /// <summary>HARQ process number.</summary>
    public int Id { get; }

    /// <summary>Transmissions combined since the last <see cref="Reset"/>.</summary>
    public int Transmissions { get; internal set; }

    /// <summary>Empties the soft buffers for new data (marks them empty: the next transmission overwrites instead of adding).</summary>
    public void Reset()
    {
        for (var r = 0; r < _softBuffers.Length; r++)
        {
            _extent[r] = 0;
            _highest[r] = -1;
            _done[r] = false;
        }
        Transmissions = 0;
    }

    /// <summary>Combined LLRs d_0, d_1, ... of block r as far as they were received or zeroed (0 where nothing was received; fillers stay 0).</summary>
    public ReadOnlySpan<float> SoftBuffer(int block) => _softBuffers[block].AsSpan(0, _extent[block]);

    internal Span<float> WritableSoftBuffer(int block) => _softBuffers[block];

    internal ref int Extent(int block) => ref _extent[block];

    internal ref int Highest(int block) => ref _highest[block];

    internal ref bool Done(int block) => ref _done[block];

    internal Span<byte> BlockBits(int block) => _blockBits[block];
}
