using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        var extent = layout.Ncb;
        return Accumulate(layout, e, rv, buffer, ref extent);
    }

    /// <summary>
    /// As <see cref="Accumulate(NrTransportBlockLayout, ReadOnlySpan{float}, int, Span{float})"/> on a buffer whose
    /// prefix [0, <paramref name="extent"/>) holds values and the rest is stale: positions past the extent are written,
    /// not added to, gaps below a write are zeroed, and the extent grows to cover every written position. A fresh
    /// buffer (extent 0) is thus never cleared in full.
    /// </summary>
    public static int Accumulate(NrTransportBlockLayout layout, ReadOnlySpan<float> e, int rv, Span<float> buffer, ref int extent)
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
            if (position > extent) buffer[extent..position].Clear();
            var added = Math.Clamp(extent - position, 0, run);
            AddInto(e.Slice(k, added), buffer.Slice(position, added));
            e.Slice(k + added, run - added).CopyTo(buffer.Slice(position + added, run - added));
            extent = Math.Max(extent, position + run);
            highest = Math.Max(highest, position + run - 1);
            k += run;
            position += run;
        }
        return highest;
    }

    /// <summary>Makes the buffer prefix valid up to <paramref name="length"/> (zeros past the old extent).</summary>
    public static void Extend(Span<float> buffer, ref int extent, int length)
    {
        if (length <= extent) return;
        buffer[extent..length].Clear();
        extent = length;
    }

    private static void AddInto(ReadOnlySpan<float> source, Span<float> target)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(source[i..]) + new Vector<float>(target[i..])).CopyTo(target[i..]);
        for (; i < source.Length; i++) target[i] += source[i];
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

    /// <summary><see cref="Deinterleave{T}"/> on LLRs, vectorised where AVX2 is there (the receive hot path).</summary>
    public static unsafe void Deinterleave(ReadOnlySpan<float> f, int bitsPerSymbol, Span<float> e)
    {
        var columns = CheckInterleaverSizes(f.Length, e.Length, bitsPerSymbol);
        if (bitsPerSymbol == 1)
        {
            f.CopyTo(e);
            return;
        }
        if (!Avx2.IsSupported)
        {
            Deinterleave<float>(f, bitsPerSymbol, e);
            return;
        }
        fixed (float* source = f)
        fixed (float* target = e)
        {
            var vectorColumns = columns - columns % 8;
            if (bitsPerSymbol == 2)
            {
                // Evens to row 0, odds to row 1: in-lane shuffle of two vectors, then the 64-bit quarters put in order.
                for (var j = 0; j < vectorColumns; j += 8)
                {
                    var low = Avx.LoadVector256(source + 2 * j);
                    var high = Avx.LoadVector256(source + 2 * j + 8);
                    var evens = Avx.Shuffle(low, high, 0b10_00_10_00).AsDouble();
                    var odds = Avx.Shuffle(low, high, 0b11_01_11_01).AsDouble();
                    Avx.Store(target + j, Avx2.Permute4x64(evens, 0b11_01_10_00).AsSingle());
                    Avx.Store(target + columns + j, Avx2.Permute4x64(odds, 0b11_01_10_00).AsSingle());
                }
            }
            else
            {
                var stride = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * bitsPerSymbol;
                for (var i = 0; i < bitsPerSymbol; i++)
                    for (var j = 0; j < vectorColumns; j += 8)
                        Avx.Store(target + i * columns + j, Avx2.GatherVector256(source + i + j * bitsPerSymbol, stride, 4));
            }
            for (var i = 0; i < bitsPerSymbol; i++)
                for (var j = vectorColumns; j < columns; j++) target[i * columns + j] = source[i + j * bitsPerSymbol];
        }
    }

    private static int CheckInterleaverSizes(int source, int destination, int bitsPerSymbol)
    {
        if (source % bitsPerSymbol != 0) throw new ArgumentException($"E={source} is not a multiple of Q_m={bitsPerSymbol}");
        if (destination < source) throw new ArgumentException($"need {source} output slots, got {destination}");
        return source / bitsPerSymbol;
    }
}
