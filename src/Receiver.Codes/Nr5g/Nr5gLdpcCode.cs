namespace Receiver.Codes.Nr5g;

/// <summary>
/// 5G NR LDPC code (3GPP TS 38.212 5.3.2) rate-matched to (k, n) as Sionna's <c>LDPC5GEncoder(k, n)</c>
/// with redundancy version 0 and no output interleaver.
/// <para>
/// Graph codeword (the columns of <see cref="H"/>): k info bits, <see cref="FillerCount"/> zero filler bits
/// (columns [k, <see cref="KLdpc"/>)), then one Z-column of parity per kept row block.
/// Transmission drops the first 2Z systematic bits and the fillers and sends the next n bits, in graph order.
/// </para>
/// <para>
/// <see cref="H"/> is the lifted mother code pruned as Sionna's <c>LDPC5GDecoder(prune_pcm=True)</c> with Z-granular
/// (layered) pruning: the 4 core row blocks plus the extension row blocks whose parity column holds a transmitted bit,
/// and only the columns those rows touch.
/// </para>
/// </summary>
public sealed class Nr5gLdpcCode : IBlockCode
{
    /// <summary>Largest k (BG1, Z = 384).</summary>
    public const int MaxInfoBits = 8448;

    /// <summary>Largest k base graph 2 carries (10 x 384).</summary>
    public const int MaxBaseGraph2InfoBits = 3840;

    private readonly int[] _transmittedColumns;
    private readonly Nr5gEncoder _encoder;

    [ThreadStatic] private static byte[]? t_graphBits;

    private Nr5gLdpcCode(int k, int n, Nr5gBaseGraph baseGraph, int z, int liftingSetIndex)
    {
        K = k;
        N = n;
        Name = $"nr:{k},{n}";
        BaseGraph = baseGraph.Number;
        Z = z;
        LiftingSetIndex = liftingSetIndex;
        KLdpc = baseGraph.InfoColumns * z;
        FillerCount = KLdpc - k;

        // Parity bits up to and including the last transmitted one: buffer positions [k, 2Z + n) without fillers.
        var parityNeeded = 2 * z + n - k;
        BaseRows = Math.Max(Nr5gBaseGraph.CoreRows, (parityNeeded + z - 1) / z);
        BaseColumns = baseGraph.InfoColumns + BaseRows;

        var blocks = new List<QuasiCyclicBlock>();
        foreach (var entry in baseGraph.Entries)
            if (entry.Row < BaseRows) blocks.Add(new QuasiCyclicBlock(entry.Row, entry.Column, entry.ShiftBySet[liftingSetIndex] % z));
        QuasiCyclic = new QuasiCyclicLayout(z, BaseRows, BaseColumns, blocks);
        H = Lift(QuasiCyclic);

        _transmittedColumns = new int[n];
        for (var i = 0; i < n; i++)
        {
            var bufferIndex = 2 * z + i; // index in the filler-free circular buffer
            _transmittedColumns[i] = bufferIndex < k ? bufferIndex : KLdpc + bufferIndex - k;
        }

        _encoder = new Nr5gEncoder(QuasiCyclic, baseGraph.InfoColumns);
    }

    /// <summary>
    /// 5G NR LDPC code for k info bits sent as n bits, chosen as Sionna's <c>LDPC5GEncoder(k, n)</c>:
    /// base graph 2 when k &lt;= 292, or k &lt;= 3824 and k/n &lt;= 0.67, or k/n &lt;= 0.25, else base graph 1;
    /// Z the smallest lifting size with k_b Z &gt;= k.
    /// </summary>
    /// <exception cref="ArgumentException">k outside 1..8448, n &lt;= k, or n beyond what the mother code gives without repetition.</exception>
    public static Nr5gLdpcCode Create(int k, int n)
    {
        if (k <= 0 || k > MaxInfoBits)
            throw new ArgumentException($"nr:{k},{n}: k must be in 1..{MaxInfoBits}, got {k}.");
        if (n <= k)
            throw new ArgumentException($"nr:{k},{n}: n must be larger than k (rate below 1).");

        var rate = (double)k / n;
        var baseGraphNumber = SelectBaseGraph(k, rate);
        if (baseGraphNumber == 2 && k > MaxBaseGraph2InfoBits)
            throw new ArgumentException(
                $"nr:{k},{n}: rate {rate:0.###} <= 1/4 selects base graph 2, which carries at most {MaxBaseGraph2InfoBits} info bits.");
        return Create(k, n, baseGraphNumber);
    }

    /// <summary>
    /// 5G NR LDPC code block of k bits (K' of TS 38.212 5.2.2, CRC included) on the given base graph, with the
    /// first n bits of the filler-free circular buffer (5.4.2.1) as its input; Z the smallest lifting size with
    /// K_b Z &gt;= k. The transport-block chain picks the base graph itself (7.2.2).
    /// </summary>
    /// <exception cref="ArgumentException">k outside what the base graph carries, n &lt;= k, or n beyond the mother code.</exception>
    public static Nr5gLdpcCode Create(int k, int n, int baseGraphNumber)
    {
        if (baseGraphNumber is not (1 or 2))
            throw new ArgumentException($"nr:{k},{n}: base graph must be 1 or 2, got {baseGraphNumber}.");
        var maxK = baseGraphNumber == 1 ? MaxInfoBits : MaxBaseGraph2InfoBits;
        if (k <= 0 || k > maxK)
            throw new ArgumentException($"nr:{k},{n}: base graph {baseGraphNumber} carries 1..{maxK} bits per code block, got {k}.");
        if (n <= k)
            throw new ArgumentException($"nr:{k},{n}: n must be larger than k (rate below 1).");
        var baseGraph = Nr5gBaseGraph.Get(baseGraphNumber);

        var (z, setIndex) = SelectLifting(k, baseGraph);
        var filler = baseGraph.InfoColumns * z - k;
        var maxN = baseGraph.Columns * z - filler - 2 * z;
        if (n > maxN)
            throw new ArgumentException(
                $"nr:{k},{n}: n too large; base graph {baseGraph.Number} with Z={z} gives at most {maxN} bits (repetition is not supported).");

        return new Nr5gLdpcCode(k, n, baseGraph, z, setIndex);
    }

    /// <summary>TS 38.212 7.2.2 (as Sionna): BG2 for short blocks or low rates, BG1 otherwise.</summary>
    private static int SelectBaseGraph(int k, double rate) =>
        k <= 292 || (k <= 3824 && rate <= 0.67) || rate <= 0.25 ? 2 : 1;

    /// <summary>
    /// TS 38.212 5.2.2: lifting size Z_c for a code block of k = K' bits on the base graph, the smallest Z with
    /// K_b Z &gt;= K' (K_b = 22 for BG1; for BG2 10/9/8/6 by the block size, which equals B whenever BG2 is segmented).
    /// </summary>
    public static int LiftingSize(int k, int baseGraph) => SelectLifting(k, Nr5gBaseGraph.Get(baseGraph)).Z;

    /// <summary>TS 38.212 5.3.2: smallest Z over all lifting sets with k_b Z &gt;= k (each Z lies in exactly one set).</summary>
    private static (int Z, int SetIndex) SelectLifting(int k, Nr5gBaseGraph baseGraph)
    {
        var kb = baseGraph.Number == 1 ? 22 : k > 640 ? 10 : k > 560 ? 9 : k > 192 ? 8 : 6;
        int bestZ = int.MaxValue, bestSet = -1;
        for (var set = 0; set < Nr5gBaseGraph.LiftingSets.Length; set++)
            foreach (var z in Nr5gBaseGraph.LiftingSets[set])
                if (kb * z >= k && z < bestZ)
                {
                    bestZ = z;
                    bestSet = set;
                }
        return (bestZ, bestSet);
    }

    private static ParityCheckMatrix Lift(QuasiCyclicLayout layout)
    {
        var z = layout.Z;
        var rows = new List<int>[layout.BaseRows * z];
        for (var r = 0; r < rows.Length; r++) rows[r] = new List<int>();
        foreach (var block in layout.Blocks)
            for (var t = 0; t < z; t++)
                rows[block.Row * z + t].Add(block.Column * z + (t + block.Shift) % z);
        return ParityCheckMatrix.FromRowSupports(rows.Length, layout.BaseColumns * z, rows);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int N { get; }

    /// <inheritdoc />
    public int K { get; }

    /// <summary>Pruned lifted parity-check matrix: BaseRows x Z rows, BaseColumns x Z columns.</summary>
    public ParityCheckMatrix H { get; }

    /// <summary>Block layout of <see cref="H"/> (shifts are V mod Z, row-major).</summary>
    public QuasiCyclicLayout QuasiCyclic { get; }

    /// <summary>Base graph number, 1 or 2.</summary>
    public int BaseGraph { get; }

    /// <summary>Lifting size.</summary>
    public int Z { get; }

    /// <summary>Lifting-set index i_LS (0..7) whose shift coefficients are used.</summary>
    public int LiftingSetIndex { get; }

    /// <summary>Systematic columns including fillers: 22 Z (BG1) or 10 Z (BG2).</summary>
    public int KLdpc { get; }

    /// <summary>Known-zero filler bits, at graph columns [K, KLdpc).</summary>
    public int FillerCount { get; }

    /// <summary>Row blocks kept in <see cref="H"/> (4 core + extension).</summary>
    public int BaseRows { get; }

    /// <summary>Column blocks kept in <see cref="H"/>: systematic blocks + one parity block per kept row block.</summary>
    public int BaseColumns { get; }

    /// <summary>Graph column of each transmitted bit, in transmission order (length N).</summary>
    public ReadOnlySpan<int> TransmittedColumns => _transmittedColumns;

    /// <summary>Encodes K info bits into the whole graph codeword (length H.Columns), which satisfies H c = 0.</summary>
    public void EncodeGraph(ReadOnlySpan<byte> info, Span<byte> graphBits)
    {
        RequireLength(info.Length, K, nameof(info));
        RequireLength(graphBits.Length, H.Columns, nameof(graphBits));
        _encoder.Encode(info[..K], K, graphBits[..H.Columns]);
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> info, Span<byte> transmitted)
    {
        RequireLength(info.Length, K, nameof(info));
        RequireLength(transmitted.Length, N, nameof(transmitted));
        var graph = t_graphBits is { } buffer && buffer.Length >= H.Columns ? buffer : t_graphBits = new byte[H.Columns];
        var graphBits = graph.AsSpan(0, H.Columns);
        _encoder.Encode(info[..K], K, graphBits);
        GraphToTransmitted(graphBits, transmitted);
    }

    /// <inheritdoc />
    public void ToGraphLlr(ReadOnlySpan<float> channelLlr, Span<float> graphLlr)
    {
        RequireLength(channelLlr.Length, N, nameof(channelLlr));
        RequireLength(graphLlr.Length, H.Columns, nameof(graphLlr));
        graphLlr = graphLlr[..H.Columns];
        graphLlr.Clear();
        graphLlr[K..KLdpc].Fill(IBlockCode.KnownBitLlr);
        var systematicSent = SystematicSent;
        channelLlr[..systematicSent].CopyTo(graphLlr[(2 * Z)..]);
        channelLlr[systematicSent..N].CopyTo(graphLlr[_transmittedColumns[systematicSent]..]);
    }

    /// <inheritdoc />
    public void GraphToTransmitted(ReadOnlySpan<byte> graphBits, Span<byte> transmitted)
    {
        RequireLength(graphBits.Length, H.Columns, nameof(graphBits));
        RequireLength(transmitted.Length, N, nameof(transmitted));
        var systematicSent = SystematicSent;
        graphBits.Slice(2 * Z, systematicSent).CopyTo(transmitted);
        graphBits.Slice(_transmittedColumns[systematicSent], N - systematicSent).CopyTo(transmitted[systematicSent..]);
    }

    /// <inheritdoc />
    public void GraphToInfo(ReadOnlySpan<byte> graphBits, Span<byte> info)
    {
        RequireLength(graphBits.Length, H.Columns, nameof(graphBits));
        RequireLength(info.Length, K, nameof(info));
        graphBits[..K].CopyTo(info);
    }

    /// <summary>Transmitted systematic bits (graph columns [2Z, K)); the rest of the N bits are parity.</summary>
    private int SystematicSent => Math.Max(0, K - 2 * Z);

    private static void RequireLength(int actual, int needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"need at least {needed} elements, got {actual}", name);
    }
}
