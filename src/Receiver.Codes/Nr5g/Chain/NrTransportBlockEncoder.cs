namespace Receiver.Codes.Nr5g.Chain;

/// <summary>
/// Transmit side of the TS 38.212 LDPC chain for one transport block layout: TB CRC (7.2.1), segmentation
/// with CRC24B and fillers (5.2.2), LDPC encoding (5.3.2), then per redundancy version bit selection
/// (5.4.2.1), bit interleaving (5.4.2.2) and code-block concatenation (5.5). Every stage stays readable
/// after <see cref="Encode"/> (for stage dumps). Buffers are sized once: steady-state calls allocate
/// nothing. Not thread-safe: one instance per thread.
/// </summary>
public sealed class NrTransportBlockEncoder
{
    private readonly byte[] _tbWithCrc;
    private readonly byte[][] _graph;      // per block: c_0..c_{K-1} (fillers 0) followed by the parity w
    private readonly byte[] _selected;
    private readonly Nr5gLdpcCode _code;

    public NrTransportBlockEncoder(NrTransportBlockLayout layout)
    {
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        // The whole mother code: all row blocks, so d holds every one of the N encoded bits.
        _code = Nr5gLdpcCode.Create(layout.KPrime, layout.N - layout.Fillers, layout.BaseGraph);
        if (_code.Z != layout.Z || _code.KLdpc != layout.K)
            throw new InvalidOperationException($"LDPC code Z={_code.Z}, K={_code.KLdpc} disagrees with segmentation Z={layout.Z}, K={layout.K}");
        _tbWithCrc = new byte[layout.B];
        _graph = new byte[layout.CodeBlocks][];
        for (var r = 0; r < layout.CodeBlocks; r++) _graph[r] = new byte[_code.H.Columns];
        _selected = new byte[layout.MaxBlockBits];
    }

    public NrTransportBlockLayout Layout { get; }

    /// <summary>b_0..b_{B-1}: payload a followed by the TB CRC parity.</summary>
    public ReadOnlySpan<byte> TbWithCrc => _tbWithCrc;

    /// <summary>c_r0..c_r(K-1) of block r; fillers (&lt;NULL&gt;) read as 0 at [K', K).</summary>
    public ReadOnlySpan<byte> CodeBlock(int block) => _graph[block].AsSpan(0, Layout.K);

    /// <summary>d_r0..d_r(N-1) of block r; fillers (&lt;NULL&gt;) read as 0 at [K'-2Z, K-2Z).</summary>
    public ReadOnlySpan<byte> Codeword(int block) => _graph[block].AsSpan(2 * Layout.Z, Layout.N);

    /// <summary>Attaches the CRCs, segments and encodes the A payload bits.</summary>
    public void Encode(ReadOnlySpan<byte> payload)
    {
        var layout = Layout;
        if (payload.Length != layout.TbSize) throw new ArgumentException($"transport block needs A={layout.TbSize} bits, got {payload.Length}", nameof(payload));
        for (var i = 0; i < payload.Length; i++) _tbWithCrc[i] = (byte)(payload[i] & 1);
        layout.TbCrc.Attach(_tbWithCrc.AsSpan(0, layout.TbSize), _tbWithCrc.AsSpan(layout.TbSize));

        var perBlock = layout.PayloadPerBlock;
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            var c = _graph[r].AsSpan(0, layout.KPrime);
            _tbWithCrc.AsSpan(r * perBlock, perBlock).CopyTo(c);
            if (layout.CodeBlocks > 1) NrCrc.Crc24B.Attach(c[..perBlock], c[perBlock..]);
            // 5.3.2: fillers enter the encoder as 0 (the encoder clears [K', K)).
            _code.EncodeGraph(c, _graph[r]);
        }
    }

    /// <summary>e_r0..e_r(E_r-1) of block r for redundancy version rv (5.4.2.1).</summary>
    public void SelectBits(int block, int rv, Span<byte> e) =>
        NrRateMatching.Select(Layout, Codeword(block), rv, e[..Layout.BlockBits(block)]);

    /// <summary>g_0..g_{G-1}: every block selected for rv, interleaved and concatenated (5.4.2, 5.5).</summary>
    public void RateMatch(int rv, Span<byte> g)
    {
        var layout = Layout;
        if (g.Length != layout.Bits) throw new ArgumentException($"need G={layout.Bits} output bits, got {g.Length}", nameof(g));
        var offset = 0;
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            var e = _selected.AsSpan(0, layout.BlockBits(r));
            SelectBits(r, rv, e);
            NrRateMatching.Interleave<byte>(e, layout.BitsPerSymbol, g.Slice(offset, e.Length));
            offset += e.Length;
        }
    }
}
