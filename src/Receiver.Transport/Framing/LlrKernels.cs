using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Receiver.Transport.Framing;

/// <summary>SIMD kernels the framers run once per frame: sign conversion with the finite check, int8 widening.</summary>
public static class LlrKernels
{
    /// <summary>
    /// Negates the LLRs in place when <paramref name="negate"/> and reports whether all are finite
    /// (x - x is 0 for finite x, NaN for NaN and infinities), in one pass.
    /// </summary>
    public static bool FinishInPlace(Span<float> llrs, bool negate)
    {
        ref var start = ref MemoryMarshal.GetReference(llrs);
        var length = llrs.Length;
        var i = 0;
        var signMask = negate ? -0f : 0f;
        var finite = true;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            var flip = Vector512.Create(signMask);
            var allFinite = Vector512<float>.AllBitsSet;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref start, (nuint)i);
                allFinite &= Vector512.Equals(v - v, Vector512<float>.Zero);
                (v ^ flip).StoreUnsafe(ref start, (nuint)i);
            }
            finite = allFinite.AsUInt32() == Vector512<uint>.AllBitsSet; // compare bits: all-ones is a NaN as float
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            var flip = Vector256.Create(signMask);
            var allFinite = Vector256<float>.AllBitsSet;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                allFinite &= Vector256.Equals(v - v, Vector256<float>.Zero);
                (v ^ flip).StoreUnsafe(ref start, (nuint)i);
            }
            finite = allFinite.AsUInt32() == Vector256<uint>.AllBitsSet;
        }
        for (; i < length; i++)
        {
            ref var x = ref Unsafe.Add(ref start, i);
            finite &= float.IsFinite(x);
            if (negate) x = -x;
        }
        return finite;
    }

    /// <summary>destination[i] = source[i] * scale (int8 soft bits to float LLRs).</summary>
    public static void WidenInt8(ReadOnlySpan<sbyte> source, Span<float> destination, float scale)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var length = source.Length;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var factor = Vector512.Create(scale);
            for (; i <= length - Vector512<sbyte>.Count; i += Vector512<sbyte>.Count)
            {
                var (low16, high16) = Vector512.Widen(Vector512.LoadUnsafe(ref src, (nuint)i));
                var (a, b) = Vector512.Widen(low16);
                var (c, d) = Vector512.Widen(high16);
                (Vector512.ConvertToSingle(a) * factor).StoreUnsafe(ref dst, (nuint)i);
                (Vector512.ConvertToSingle(b) * factor).StoreUnsafe(ref dst, (nuint)(i + 16));
                (Vector512.ConvertToSingle(c) * factor).StoreUnsafe(ref dst, (nuint)(i + 32));
                (Vector512.ConvertToSingle(d) * factor).StoreUnsafe(ref dst, (nuint)(i + 48));
            }
        }
        for (; i < length; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i) * scale;
    }
}
