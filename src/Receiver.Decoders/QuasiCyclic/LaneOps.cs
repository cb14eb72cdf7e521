using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Receiver.Decoders.QuasiCyclic;

/// <summary>
/// The fixed-point lane operations the QC layered kernel needs, over one SIMD width and one element
/// type. The kernel is generic over this interface, so the JIT specialises it per choice with every
/// call inlined: int8 <see cref="Lanes512"/> / <see cref="Lanes256"/> and int16 <see cref="Wide512"/> /
/// <see cref="Wide256"/> (AVX-512, else AVX2 or the portable software path).
/// Magnitudes are read as unsigned, so |min value| stays exact.
/// </summary>
internal unsafe interface ILaneOps<TVec, TElement> where TVec : struct where TElement : unmanaged
{
    static abstract int Count { get; }

    /// <summary>Largest magnitude of a posterior or message (127 or 32767).</summary>
    static abstract int MaxMagnitude { get; }

    static abstract TVec Load(TElement* source);
    static abstract void Store(TElement* destination, TVec value);
    static abstract TVec Broadcast(int value);
    static abstract TVec AddSaturate(TVec left, TVec right);
    static abstract TVec SubtractSaturate(TVec left, TVec right);
    static abstract TVec Xor(TVec left, TVec right);
    static abstract TVec Negate(TVec value);
    static abstract TVec Magnitude(TVec value);
    static abstract TVec MinUnsigned(TVec left, TVec right);
    static abstract TVec MaxUnsigned(TVec left, TVec right);
    static abstract TVec LessThanUnsigned(TVec left, TVec right);
    static abstract TVec EqualsMask(TVec left, TVec right);
    static abstract TVec NegativeMask(TVec value);
    static abstract TVec Select(TVec mask, TVec whenSet, TVec whenClear);

    /// <summary>All-ones in lanes i &gt;= first, zero below.</summary>
    static abstract TVec LanesFrom(int first);

    /// <summary>Bit i set when lane i is negative.</summary>
    static abstract ulong SignBits(TVec value);

    /// <summary>Writes Count 0/1 bytes: 1 where the lane is negative (hard decision bit 1).</summary>
    static abstract void StoreHardBits(byte* destination, TVec value);

    /// <summary>Unsigned magnitudes 0..MaxMagnitude times multiplier/256, rounded to nearest; for int8, table[m] holds that value for every m (128 entries).</summary>
    static abstract TVec Scale(TVec magnitude, ushort multiplier, sbyte* table);

    /// <summary>Count floats scaled, rounded and saturated to +-MaxMagnitude.</summary>
    static abstract TVec Quantize(float* source, float scale);
}

/// <summary>64 int8 lanes (AVX-512 BW).</summary>
internal readonly unsafe struct Lanes512 : ILaneOps<Vector512<sbyte>, sbyte>
{
    public static int Count => Vector512<sbyte>.Count;
    public static int MaxMagnitude => sbyte.MaxValue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Load(sbyte* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(sbyte* destination, Vector512<sbyte> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Broadcast(int value) => Vector512.Create((sbyte)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> AddSaturate(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> SubtractSaturate(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Xor(Vector512<sbyte> left, Vector512<sbyte> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Negate(Vector512<sbyte> value) => -value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Magnitude(Vector512<sbyte> value) => Vector512.Abs(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> MinUnsigned(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.Min(left.AsByte(), right.AsByte()).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> MaxUnsigned(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.Max(left.AsByte(), right.AsByte()).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> LessThanUnsigned(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.LessThan(left.AsByte(), right.AsByte()).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> EqualsMask(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.Equals(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> NegativeMask(Vector512<sbyte> value) => Vector512.LessThan(value, Vector512<sbyte>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Select(Vector512<sbyte> mask, Vector512<sbyte> whenSet, Vector512<sbyte> whenClear) => Vector512.ConditionalSelect(mask, whenSet, whenClear);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> LanesFrom(int first) => Vector512.GreaterThanOrEqual(Vector512<sbyte>.Indices, Vector512.Create((sbyte)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector512<sbyte> value) => value.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreHardBits(byte* destination, Vector512<sbyte> value) => Vector512.ShiftRightLogical(value.AsByte(), 7).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Scale(Vector512<sbyte> magnitude, ushort multiplier, sbyte* table)
    {
        // One two-table byte permute (VPERMI2B) looks all 64 lanes up at once.
        if (Avx512Vbmi.IsSupported)
            return Avx512Vbmi.PermuteVar64x8x2(Vector512.Load(table), magnitude, Vector512.Load(table + 64));

        var (low, high) = Vector512.Widen(magnitude.AsByte());
        var factor = Vector512.Create(multiplier);
        var half = Vector512.Create((ushort)128);
        low = Vector512.ShiftRightLogical(low * factor + half, 8);
        high = Vector512.ShiftRightLogical(high * factor + half, 8);
        return Vector512.Narrow(low, high).AsSByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Quantize(float* source, float scale)
    {
        var factor = Vector512.Create(scale);
        var limit = Vector512.Create(127f);
        var a = Vector512.ConvertToInt32(Vector512.Round(Vector512.Clamp(Vector512.Load(source) * factor, -limit, limit)));
        var b = Vector512.ConvertToInt32(Vector512.Round(Vector512.Clamp(Vector512.Load(source + 16) * factor, -limit, limit)));
        var c = Vector512.ConvertToInt32(Vector512.Round(Vector512.Clamp(Vector512.Load(source + 32) * factor, -limit, limit)));
        var d = Vector512.ConvertToInt32(Vector512.Round(Vector512.Clamp(Vector512.Load(source + 48) * factor, -limit, limit)));
        return Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(c, d));
    }
}

/// <summary>32 int8 lanes (AVX2, or the portable software path).</summary>
internal readonly unsafe struct Lanes256 : ILaneOps<Vector256<sbyte>, sbyte>
{
    public static int Count => Vector256<sbyte>.Count;
    public static int MaxMagnitude => sbyte.MaxValue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Load(sbyte* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(sbyte* destination, Vector256<sbyte> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Broadcast(int value) => Vector256.Create((sbyte)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> AddSaturate(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> SubtractSaturate(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Xor(Vector256<sbyte> left, Vector256<sbyte> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Negate(Vector256<sbyte> value) => -value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Magnitude(Vector256<sbyte> value) => Vector256.Abs(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> MinUnsigned(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.Min(left.AsByte(), right.AsByte()).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> MaxUnsigned(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.Max(left.AsByte(), right.AsByte()).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> LessThanUnsigned(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.LessThan(left.AsByte(), right.AsByte()).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> EqualsMask(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.Equals(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> NegativeMask(Vector256<sbyte> value) => Vector256.LessThan(value, Vector256<sbyte>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Select(Vector256<sbyte> mask, Vector256<sbyte> whenSet, Vector256<sbyte> whenClear) => Vector256.ConditionalSelect(mask, whenSet, whenClear);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> LanesFrom(int first) => Vector256.GreaterThanOrEqual(Vector256<sbyte>.Indices, Vector256.Create((sbyte)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector256<sbyte> value) => value.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreHardBits(byte* destination, Vector256<sbyte> value) => Vector256.ShiftRightLogical(value.AsByte(), 7).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Scale(Vector256<sbyte> magnitude, ushort multiplier, sbyte* table)
    {
        var (low, high) = Vector256.Widen(magnitude.AsByte());
        var factor = Vector256.Create(multiplier);
        var half = Vector256.Create((ushort)128);
        low = Vector256.ShiftRightLogical(low * factor + half, 8);
        high = Vector256.ShiftRightLogical(high * factor + half, 8);
        return Vector256.Narrow(low, high).AsSByte();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Quantize(float* source, float scale)
    {
        var factor = Vector256.Create(scale);
        var limit = Vector256.Create(127f);
        var a = Vector256.ConvertToInt32(Vector256.Round(Vector256.Clamp(Vector256.Load(source) * factor, -limit, limit)));
        var b = Vector256.ConvertToInt32(Vector256.Round(Vector256.Clamp(Vector256.Load(source + 8) * factor, -limit, limit)));
        var c = Vector256.ConvertToInt32(Vector256.Round(Vector256.Clamp(Vector256.Load(source + 16) * factor, -limit, limit)));
        var d = Vector256.ConvertToInt32(Vector256.Round(Vector256.Clamp(Vector256.Load(source + 24) * factor, -limit, limit)));
        return Vector256.Narrow(Vector256.Narrow(a, b), Vector256.Narrow(c, d));
    }
}

/// <summary>32 int16 lanes (AVX-512 BW): posteriors with room for many rows' messages.</summary>
internal readonly unsafe struct Wide512 : ILaneOps<Vector512<short>, short>
{
    public static int Count => Vector512<short>.Count;
    public static int MaxMagnitude => short.MaxValue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Load(short* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(short* destination, Vector512<short> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Broadcast(int value) => Vector512.Create((short)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> AddSaturate(Vector512<short> left, Vector512<short> right) => Vector512.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> SubtractSaturate(Vector512<short> left, Vector512<short> right) => Vector512.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Xor(Vector512<short> left, Vector512<short> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Negate(Vector512<short> value) => -value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Magnitude(Vector512<short> value) => Vector512.Abs(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> MinUnsigned(Vector512<short> left, Vector512<short> right) => Vector512.Min(left.AsUInt16(), right.AsUInt16()).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> MaxUnsigned(Vector512<short> left, Vector512<short> right) => Vector512.Max(left.AsUInt16(), right.AsUInt16()).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> LessThanUnsigned(Vector512<short> left, Vector512<short> right) => Vector512.LessThan(left.AsUInt16(), right.AsUInt16()).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> EqualsMask(Vector512<short> left, Vector512<short> right) => Vector512.Equals(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> NegativeMask(Vector512<short> value) => Vector512.LessThan(value, Vector512<short>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Select(Vector512<short> mask, Vector512<short> whenSet, Vector512<short> whenClear) => Vector512.ConditionalSelect(mask, whenSet, whenClear);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> LanesFrom(int first) => Vector512.GreaterThanOrEqual(Vector512<short>.Indices, Vector512.Create((short)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector512<short> value) => value.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreHardBits(byte* destination, Vector512<short> value) => Vector256.Narrow(Vector512.ShiftRightLogical(value.AsUInt16(), 15).GetLower(), Vector512.ShiftRightLogical(value.AsUInt16(), 15).GetUpper()).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<short> Scale(Vector512<short> magnitude, ushort multiplier, sbyte* table)
    {
        var (low, high) = Vector512.Widen(magnitude.AsUInt16());
        var factor = Vector512.Create((uint)multiplier);
        var half = Vector512.Create(128u);
        low = Vector512.ShiftRightLogical(low * factor + half, 8);
        high = Vector512.ShiftRightLogical(high * factor + half, 8);
        return Vector512.Narrow(low, high).AsInt16();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<short> Quantize(float* source, float scale)
    {
        var factor = Vector512.Create(scale);
        var limit = Vector512.Create((float)short.MaxValue);
        var a = Vector512.ConvertToInt32(Vector512.Round(Vector512.Clamp(Vector512.Load(source) * factor, -limit, limit)));
        var b = Vector512.ConvertToInt32(Vector512.Round(Vector512.Clamp(Vector512.Load(source + 16) * factor, -limit, limit)));
        return Vector512.Narrow(a, b);
    }
}

/// <summary>16 int16 lanes (AVX2, or the portable software path).</summary>
internal readonly unsafe struct Wide256 : ILaneOps<Vector256<short>, short>
{
    public static int Count => Vector256<short>.Count;
    public static int MaxMagnitude => short.MaxValue;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Load(short* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(short* destination, Vector256<short> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Broadcast(int value) => Vector256.Create((short)value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> AddSaturate(Vector256<short> left, Vector256<short> right) => Vector256.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> SubtractSaturate(Vector256<short> left, Vector256<short> right) => Vector256.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Xor(Vector256<short> left, Vector256<short> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Negate(Vector256<short> value) => -value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Magnitude(Vector256<short> value) => Vector256.Abs(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> MinUnsigned(Vector256<short> left, Vector256<short> right) => Vector256.Min(left.AsUInt16(), right.AsUInt16()).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> MaxUnsigned(Vector256<short> left, Vector256<short> right) => Vector256.Max(left.AsUInt16(), right.AsUInt16()).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> LessThanUnsigned(Vector256<short> left, Vector256<short> right) => Vector256.LessThan(left.AsUInt16(), right.AsUInt16()).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> EqualsMask(Vector256<short> left, Vector256<short> right) => Vector256.Equals(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> NegativeMask(Vector256<short> value) => Vector256.LessThan(value, Vector256<short>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Select(Vector256<short> mask, Vector256<short> whenSet, Vector256<short> whenClear) => Vector256.ConditionalSelect(mask, whenSet, whenClear);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> LanesFrom(int first) => Vector256.GreaterThanOrEqual(Vector256<short>.Indices, Vector256.Create((short)first));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector256<short> value) => value.ExtractMostSignificantBits();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreHardBits(byte* destination, Vector256<short> value) => Vector128.Narrow(Vector256.ShiftRightLogical(value.AsUInt16(), 15).GetLower(), Vector256.ShiftRightLogical(value.AsUInt16(), 15).GetUpper()).Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> Scale(Vector256<short> magnitude, ushort multiplier, sbyte* table)
    {
        var (low, high) = Vector256.Widen(magnitude.AsUInt16());
        var factor = Vector256.Create((uint)multiplier);
        var half = Vector256.Create(128u);
        low = Vector256.ShiftRightLogical(low * factor + half, 8);
        high = Vector256.ShiftRightLogical(high * factor + half, 8);
        return Vector256.Narrow(low, high).AsInt16();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> Quantize(float* source, float scale)
    {
        var factor = Vector256.Create(scale);
        var limit = Vector256.Create((float)short.MaxValue);
        var a = Vector256.ConvertToInt32(Vector256.Round(Vector256.Clamp(Vector256.Load(source) * factor, -limit, limit)));
        var b = Vector256.ConvertToInt32(Vector256.Round(Vector256.Clamp(Vector256.Load(source + 8) * factor, -limit, limit)));
        return Vector256.Narrow(a, b);
    }
}
