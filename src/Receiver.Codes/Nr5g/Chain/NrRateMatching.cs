namespace Receiver.Codes.Nr5g.Chain;

/// <summary>
/// Rate matching of TS 38.212 5.4.2 for one code block and its inverse on LLRs. The circular buffer is
/// d_0..d_{N_cb-1}; filler bits (&lt;NULL&gt;, d indices [K'-2Z_c, K-2Z_c)) are skipped by bit selection.
/// </summary>
public static class NrRateMatching
{
    /// <summary>
    /// 5.4.2.1 bit selection: e_k = d_{(k0 + j) mod N_cb} for k = 0..E-1, j counting every visited position,
    /// &lt;NULL&gt; positions skipped (repetition wraps around the buffer).
    /// </summary>
    public static void Select(NrTransportBlockLayout layout, ReadOnlySpan<byte> d, int rv, Span<byte> e)
    {
        if (d.Length < layout.Ncb) throw new ArgumentException($"need the {layout.Ncb}-bit circular buffer, got {d.Length}", nameof(d));
        var position = layout.K0(rv);
        for (var k = 0; k < e.Length;)
        {
            if (!layout.IsFiller(position)) e[k++] = d[position];
            if (++position == layout.Ncb) position = 0;
        }
    }

    /// <summary>
    /// Inverse of <see cref="Select"/> on LLRs, with soft combining: adds e_k onto its buffer position (so repeated
    /// bits and later redundancy versions of the same block accumulate). Returns the highest buffer index written.
    /// </summary>
    public static int Accumulate(NrTransportBlockLayout layout, ReadOnlySpan<float> e, int rv, Span<float> buffer)
    {
        if (buffer.Length < layout.Ncb) throw new ArgumentException($"need the {layout.Ncb}-LLR circular buffer, got {buffer.Length}", nameof(buffer));
        var ncb = layout.Ncb;
        var fillerStart = layout.FillerStart;
        var fillerEnd = layout.FillerEnd;
        var position = layout.K0(rv);
        var highest = -1;
        var k = 0;
        // Runs of consecutive positions up to the next filler start or the buffer's end.
        while (k < e.Length)
        {
            if (position >= fillerStart && position < fillerEnd) position = fillerEnd;
            if (position >= ncb) position = 0;
            if (position >= fillerStart && position < fillerEnd) position = fillerEnd;
            var runEnd = position < fillerStart ? fillerStart : ncb;
            var run = Math.Min(runEnd - position, e.Length - k);
            var target = buffer.Slice(position, run);
            var source = e.Slice(k, run);
            for (var i = 0; i < run; i++) target[i] += source[i];
            highest = Math.Max(highest, position + run - 1);
            k += run;
            position += run;
        }
        return highest;
    }

    /// <summary>5.4.2.2 bit interleaving: f_{i + j Q_m} = e_{i E/Q_m + j}, i = 0..Q_m-1, j = 0..E/Q_m-1.</summary>
    public static void Interleave<T>(ReadOnlySpan<T> e, int bitsPerSymbol, Span<T> f)
    {
        var columns = CheckInterleaverSizes(e.Length, f.Length, bitsPerSymbol);
        for (var i = 0; i < bitsPerSymbol; i++)
        {
            var row = e.Slice(i * columns, columns);
            for (var j = 0; j < columns; j++) f[i + j * bitsPerSymbol] = row[j];
        }
    }

    /// <summary>Inverse of <see cref="Interleave{T}"/>: e_{i E/Q_m + j} = f_{i + j Q_m}.</summary>
    public static void Deinterleave<T>(ReadOnlySpan<T> f, int bitsPerSymbol, Span<T> e)
    {
        var columns = CheckInterleaverSizes(f.Length, e.Length, bitsPerSymbol);
        for (var i = 0; i < bitsPerSymbol; i++)
        {
            var row = e.Slice(i * columns, columns);
            for (var j = 0; j < columns; j++) row[j] = f[i + j * bitsPerSymbol];
        }
    }

    private static int CheckInterleaverSizes(int source, int destination, int bitsPerSymbol)
    {
        if (source % bitsPerSymbol != 0) throw new ArgumentException($"E={source} is not a multiple of Q_m={bitsPerSymbol}");
        if (destination < source) throw new ArgumentException($"need {source} output slots, got {destination}");
        return source / bitsPerSymbol;
    }
}
