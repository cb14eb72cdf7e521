using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Receiver.Decoders.Iterative;

/// <summary>
/// Lane arithmetic of the inter-frame kernels (one frame per SIMD lane) over one width and one element type.
/// Kernels are generic over this interface, so the JIT specialises each choice with every call inlined:
/// float (the exact reference: the same operations as the scalar kernels), int16 and int8 with saturating
/// adds and subtracts, each at 256 and 512 bits.
/// </summary>
internal interface IFrameLaneOps<TVec, TElement> where TVec : struct where TElement : unmanaged, INumber<TElement>
{
    static abstract int Count { get; }

    /// <summary>True for the integer types, whose frames are scaled into the type's range first.</summary>
    static abstract bool FixedPoint { get; }

    /// <summary>
    /// Start value of the two running minima, so the largest check magnitude before alpha: float a saturation far
    /// above any LLR; integers max / (1 + alpha), at which a saturated posterior is a fixed point of the layered
    /// update (P - R_old + R_new = P): a larger message, once its posterior has clipped, would be subtracted
    /// from a posterior smaller than the sum it came from and flip the sign of the next row's input.
    /// </summary>
    static abstract TVec MagnitudeCap(float alpha);

    static abstract TVec Add(TVec left, TVec right);
    static abstract TVec Subtract(TVec left, TVec right);

    /// <summary>|v|, for integers capped at the type's maximum (|-128| is 127), so magnitudes compare as signed values.</summary>
    static abstract TVec Magnitude(TVec value);
    static abstract TVec Min(TVec left, TVec right);
    static abstract TVec Max(TVec left, TVec right);
    static abstract TVec Xor(TVec left, TVec right);
    static abstract TVec Or(TVec left, TVec right);
    static abstract TVec AndNot(TVec value, TVec mask);

    /// <summary>whenEqual where left == right, else otherwise.</summary>
    static abstract TVec SelectWhereEqual(TVec left, TVec right, TVec whenEqual, TVec otherwise);

    /// <summary>The factor <see cref="Normalize"/> multiplies by, for alpha in (0, 1].</summary>
    static abstract TVec NormalizationFactor(float alpha);

    /// <summary>Non-negative magnitudes times alpha (integers: rounded to nearest, in steps of 2^-15).</summary>
    static abstract TVec Normalize(TVec magnitude, TVec factor);

    /// <summary>The magnitude with the sign of signSource's sign bit.</summary>
    static abstract TVec WithSignOf(TVec magnitude, TVec signSource);

    /// <summary>A vector whose lane sign bits are set exactly where the lane is negative (hard decision 1).</summary>
    static abstract TVec NegativeSign(TVec value);

    /// <summary>Bit i set when lane i's sign bit is set.</summary>
    static abstract ulong SignBits(TVec value);

    /// <summary>One scaled LLR as a lane element: floats unchanged, integers rounded and saturated.</summary>
    static abstract TElement FromLlr(float scaled);
}

/// <summary>Extra float lane operations of the sum-product kernel.</summary>
internal interface IFloatLaneOps<TVec> : IFrameLaneOps<TVec, float> where TVec : struct
{
    static abstract TVec Broadcast(float value);
    static abstract TVec Multiply(TVec left, TVec right);
    static abstract TVec Divide(TVec left, TVec right);
    static abstract TVec Clamp(TVec value, TVec limit);
    static abstract TVec Floor(TVec value);

    /// <summary>value * 2^n for whole n (added to the exponent bits; no overflow check).</summary>
    static abstract TVec ScaleByPowerOfTwo(TVec value, TVec n);

    /// <summary>value = m 2^e with m in [sqrt(1/2), sqrt(2)), for finite positive normal values: returns m, e as a float.</summary>
    static abstract TVec SplitMantissa(TVec value, out TVec exponent);
}

/// <summary>8 float lanes (AVX2).</summary>
internal readonly struct Float256 : IFloatLaneOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static bool FixedPoint => false;
    public static Vector256<float> MagnitudeCap(float alpha) => Vector256.Create(MinSumSettings.Saturation);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Magnitude(Vector256<float> value) => Vector256.Abs(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> left, Vector256<float> right) => Vector256.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Xor(Vector256<float> left, Vector256<float> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Or(Vector256<float> left, Vector256<float> right) => left | right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> AndNot(Vector256<float> value, Vector256<float> mask) => Vector256.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> SelectWhereEqual(Vector256<float> left, Vector256<float> right, Vector256<float> whenEqual, Vector256<float> otherwise) => Vector256.ConditionalSelect(Vector256.Equals(left, right), whenEqual, otherwise);
    public static Vector256<float> NormalizationFactor(float alpha) => Vector256.Create(alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Normalize(Vector256<float> magnitude, Vector256<float> factor) => magnitude * factor;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> WithSignOf(Vector256<float> magnitude, Vector256<float> signSource) => magnitude | (signSource & Vector256.Create(-0f));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> NegativeSign(Vector256<float> value) => Vector256.LessThan(value, Vector256<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector256<float> value) => value.ExtractMostSignificantBits();
    public static float FromLlr(float scaled) => scaled;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Clamp(Vector256<float> value, Vector256<float> limit) => Vector256.Min(Vector256.Max(value, -limit), limit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Floor(Vector256<float> value) => Vector256.Floor(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ScaleByPowerOfTwo(Vector256<float> value, Vector256<float> n) => (value.AsInt32() + Vector256.ShiftLeft(Vector256.ConvertToInt32(n), 23)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SplitMantissa(Vector256<float> value, out Vector256<float> exponent)
    {
        var bits = value.AsInt32();
        var mantissa = ((bits & Vector256.Create(0x007F_FFFF)) | Vector256.Create(0x3F80_0000)).AsSingle();
        var high = Vector256.GreaterThan(mantissa, Vector256.Create(FastMath.Sqrt2));
        exponent = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(bits, 23) - Vector256.Create(127) - high.AsInt32());
        return Vector256.ConditionalSelect(high, mantissa * Vector256.Create(0.5f), mantissa);
    }
}

/// <summary>16 float lanes (AVX-512).</summary>
internal readonly struct Float512 : IFloatLaneOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static bool FixedPoint => false;
    public static Vector512<float> MagnitudeCap(float alpha) => Vector512.Create(MinSumSettings.Saturation);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Magnitude(Vector512<float> value) => Vector512.Abs(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> left, Vector512<float> right) => Vector512.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Xor(Vector512<float> left, Vector512<float> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Or(Vector512<float> left, Vector512<float> right) => left | right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> AndNot(Vector512<float> value, Vector512<float> mask) => Vector512.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> SelectWhereEqual(Vector512<float> left, Vector512<float> right, Vector512<float> whenEqual, Vector512<float> otherwise) => Vector512.ConditionalSelect(Vector512.Equals(left, right), whenEqual, otherwise);
    public static Vector512<float> NormalizationFactor(float alpha) => Vector512.Create(alpha);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Normalize(Vector512<float> magnitude, Vector512<float> factor) => magnitude * factor;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> WithSignOf(Vector512<float> magnitude, Vector512<float> signSource) => magnitude | (signSource & Vector512.Create(-0f));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> NegativeSign(Vector512<float> value) => Vector512.LessThan(value, Vector512<float>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector512<float> value) => value.ExtractMostSignificantBits();
    public static float FromLlr(float scaled) => scaled;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Clamp(Vector512<float> value, Vector512<float> limit) => Vector512.Min(Vector512.Max(value, -limit), limit);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Floor(Vector512<float> value) => Vector512.Floor(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ScaleByPowerOfTwo(Vector512<float> value, Vector512<float> n) => (value.AsInt32() + Vector512.ShiftLeft(Vector512.ConvertToInt32(n), 23)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SplitMantissa(Vector512<float> value, out Vector512<float> exponent)
    {
        var bits = value.AsInt32();
        var mantissa = ((bits & Vector512.Create(0x007F_FFFF)) | Vector512.Create(0x3F80_0000)).AsSingle();
        var high = Vector512.GreaterThan(mantissa, Vector512.Create(FastMath.Sqrt2));
        exponent = Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(bits, 23) - Vector512.Create(127) - high.AsInt32());
        return Vector512.ConditionalSelect(high, mantissa * Vector512.Create(0.5f), mantissa);
    }
}

/// <summary>16 int16 lanes (AVX2).</summary>
internal readonly struct Int16x256 : IFrameLaneOps<Vector256<short>, short>
{
    public static int Count => Vector256<short>.Count;
    public static bool FixedPoint => true;
    public static Vector256<short> MagnitudeCap(float alpha) => Vector256.Create((short)FixedPointScale.StableCap(short.MaxValue, alpha));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Add(Vector256<short> left, Vector256<short> right) => Vector256.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Subtract(Vector256<short> left, Vector256<short> right) => Vector256.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Magnitude(Vector256<short> value) => Vector256.Min(Vector256.Abs(value).AsUInt16(), Vector256.Create((ushort)short.MaxValue)).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Min(Vector256<short> left, Vector256<short> right) => Vector256.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Max(Vector256<short> left, Vector256<short> right) => Vector256.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Xor(Vector256<short> left, Vector256<short> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Or(Vector256<short> left, Vector256<short> right) => left | right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> AndNot(Vector256<short> value, Vector256<short> mask) => Vector256.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> SelectWhereEqual(Vector256<short> left, Vector256<short> right, Vector256<short> whenEqual, Vector256<short> otherwise) => Vector256.ConditionalSelect(Vector256.Equals(left, right), whenEqual, otherwise);
    public static Vector256<short> NormalizationFactor(float alpha) => Vector256.Create(FixedPointScale.Q15(alpha));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> Normalize(Vector256<short> magnitude, Vector256<short> factor) => FixedPointScale.MultiplyQ15(magnitude, factor);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> WithSignOf(Vector256<short> magnitude, Vector256<short> signSource) =>
        // PSIGNW negates where the source is negative and zeroes where it is 0; OR 1 rules out 0 (2 ops, no blend).
        Avx2.IsSupported ? Avx2.Sign(magnitude, signSource | Vector256<short>.One) : Vector256.ConditionalSelect(Vector256.IsNegative(signSource), -magnitude, magnitude);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<short> NegativeSign(Vector256<short> value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector256<short> value) => value.ExtractMostSignificantBits();
    public static short FromLlr(float scaled) => (short)Math.Clamp(MathF.Round(scaled), -short.MaxValue, short.MaxValue);
}

/// <summary>32 int16 lanes (AVX-512 BW).</summary>
internal readonly struct Int16x512 : IFrameLaneOps<Vector512<short>, short>
{
    public static int Count => Vector512<short>.Count;
    public static bool FixedPoint => true;
    public static Vector512<short> MagnitudeCap(float alpha) => Vector512.Create((short)FixedPointScale.StableCap(short.MaxValue, alpha));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Add(Vector512<short> left, Vector512<short> right) => Vector512.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Subtract(Vector512<short> left, Vector512<short> right) => Vector512.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Magnitude(Vector512<short> value) => Vector512.Min(Vector512.Abs(value).AsUInt16(), Vector512.Create((ushort)short.MaxValue)).AsInt16();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Min(Vector512<short> left, Vector512<short> right) => Vector512.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Max(Vector512<short> left, Vector512<short> right) => Vector512.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Xor(Vector512<short> left, Vector512<short> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Or(Vector512<short> left, Vector512<short> right) => left | right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> AndNot(Vector512<short> value, Vector512<short> mask) => Vector512.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> SelectWhereEqual(Vector512<short> left, Vector512<short> right, Vector512<short> whenEqual, Vector512<short> otherwise) => Vector512.ConditionalSelect(Vector512.Equals(left, right), whenEqual, otherwise);
    public static Vector512<short> NormalizationFactor(float alpha) => Vector512.Create(FixedPointScale.Q15(alpha));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> Normalize(Vector512<short> magnitude, Vector512<short> factor) => FixedPointScale.MultiplyQ15(magnitude, factor);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> WithSignOf(Vector512<short> magnitude, Vector512<short> signSource) => Vector512.ConditionalSelect(Vector512.IsNegative(signSource), -magnitude, magnitude);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<short> NegativeSign(Vector512<short> value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector512<short> value) => value.ExtractMostSignificantBits();
    public static short FromLlr(float scaled) => (short)Math.Clamp(MathF.Round(scaled), -short.MaxValue, short.MaxValue);
}

/// <summary>32 int8 lanes (AVX2).</summary>
internal readonly struct Int8x256 : IFrameLaneOps<Vector256<sbyte>, sbyte>
{
    public static int Count => Vector256<sbyte>.Count;
    public static bool FixedPoint => true;
    public static Vector256<sbyte> MagnitudeCap(float alpha) => Vector256.Create((sbyte)FixedPointScale.StableCap(sbyte.MaxValue, alpha));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Add(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Subtract(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Magnitude(Vector256<sbyte> value) => Vector256.Min(Vector256.Abs(value).AsByte(), Vector256.Create((byte)sbyte.MaxValue)).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Min(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Max(Vector256<sbyte> left, Vector256<sbyte> right) => Vector256.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Xor(Vector256<sbyte> left, Vector256<sbyte> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> Or(Vector256<sbyte> left, Vector256<sbyte> right) => left | right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> AndNot(Vector256<sbyte> value, Vector256<sbyte> mask) => Vector256.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> SelectWhereEqual(Vector256<sbyte> left, Vector256<sbyte> right, Vector256<sbyte> whenEqual, Vector256<sbyte> otherwise) => Vector256.ConditionalSelect(Vector256.Equals(left, right), whenEqual, otherwise);
    public static Vector256<sbyte> NormalizationFactor(float alpha) => Vector256.Create(FixedPointScale.Q15(alpha)).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Normalize(Vector256<sbyte> magnitude, Vector256<sbyte> factor)
    {
        var (low, high) = Vector256.Widen(magnitude);
        var q15 = factor.AsInt16();
        return Vector256.Narrow(FixedPointScale.MultiplyQ15(low, q15), FixedPointScale.MultiplyQ15(high, q15));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> WithSignOf(Vector256<sbyte> magnitude, Vector256<sbyte> signSource) =>
        // PSIGNB: see Int16x256.WithSignOf.
        Avx2.IsSupported ? Avx2.Sign(magnitude, signSource | Vector256<sbyte>.One) : Vector256.ConditionalSelect(Vector256.IsNegative(signSource), -magnitude, magnitude);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<sbyte> NegativeSign(Vector256<sbyte> value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector256<sbyte> value) => value.ExtractMostSignificantBits();
    public static sbyte FromLlr(float scaled) => (sbyte)Math.Clamp(MathF.Round(scaled), -sbyte.MaxValue, sbyte.MaxValue);
}

/// <summary>64 int8 lanes (AVX-512 BW).</summary>
internal readonly struct Int8x512 : IFrameLaneOps<Vector512<sbyte>, sbyte>
{
    public static int Count => Vector512<sbyte>.Count;
    public static bool FixedPoint => true;
    public static Vector512<sbyte> MagnitudeCap(float alpha) => Vector512.Create((sbyte)FixedPointScale.StableCap(sbyte.MaxValue, alpha));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Add(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.AddSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Subtract(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.SubtractSaturate(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Magnitude(Vector512<sbyte> value) => Vector512.Min(Vector512.Abs(value).AsByte(), Vector512.Create((byte)sbyte.MaxValue)).AsSByte();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Min(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Max(Vector512<sbyte> left, Vector512<sbyte> right) => Vector512.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Xor(Vector512<sbyte> left, Vector512<sbyte> right) => left ^ right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> Or(Vector512<sbyte> left, Vector512<sbyte> right) => left | right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> AndNot(Vector512<sbyte> value, Vector512<sbyte> mask) => Vector512.AndNot(value, mask);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> SelectWhereEqual(Vector512<sbyte> left, Vector512<sbyte> right, Vector512<sbyte> whenEqual, Vector512<sbyte> otherwise) => Vector512.ConditionalSelect(Vector512.Equals(left, right), whenEqual, otherwise);
    public static Vector512<sbyte> NormalizationFactor(float alpha) => Vector512.Create(FixedPointScale.Q15(alpha)).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<sbyte> Normalize(Vector512<sbyte> magnitude, Vector512<sbyte> factor)
    {
        var (low, high) = Vector512.Widen(magnitude);
        var q15 = factor.AsInt16();
        return Vector512.Narrow(FixedPointScale.MultiplyQ15(low, q15), FixedPointScale.MultiplyQ15(high, q15));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> WithSignOf(Vector512<sbyte> magnitude, Vector512<sbyte> signSource) => Vector512.ConditionalSelect(Vector512.IsNegative(signSource), -magnitude, magnitude);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<sbyte> NegativeSign(Vector512<sbyte> value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong SignBits(Vector512<sbyte> value) => value.ExtractMostSignificantBits();
    public static sbyte FromLlr(float scaled) => (sbyte)Math.Clamp(MathF.Round(scaled), -sbyte.MaxValue, sbyte.MaxValue);
}

/// <summary>Q15 multiplication of non-negative int16 lanes: round(m * f / 2^15), one PMULHRSW where the CPU has it.</summary>
internal static class FixedPointScale
{
    /// <summary>floor(max / (1 + alpha)): see <see cref="IFrameLaneOps{TVec, TElement}.MagnitudeCap"/>.</summary>
    public static int StableCap(int max, float alpha) => (int)(max / (1f + alpha));

    /// <summary>alpha in Q15, at most 32767 (alpha = 1 loses 1/32768, far below one LSB of any magnitude).</summary>
    public static short Q15(float alpha) => (short)Math.Clamp(MathF.Round(alpha * 32768f), 1f, short.MaxValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<short> MultiplyQ15(Vector256<short> magnitude, Vector256<short> factor)
    {
        if (Avx2.IsSupported) return Avx2.MultiplyHighRoundScale(magnitude, factor);
        var (low, high) = Vector256.Widen(magnitude);
        var (f, _) = Vector256.Widen(factor);
        var half = Vector256.Create(1 << 14);
        return Vector256.Narrow(Vector256.ShiftRightArithmetic(low * f + half, 15), Vector256.ShiftRightArithmetic(high * f + half, 15));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<short> MultiplyQ15(Vector512<short> magnitude, Vector512<short> factor)
    {
        if (Avx512BW.IsSupported) return Avx512BW.MultiplyHighRoundScale(magnitude, factor);
        var (low, high) = Vector512.Widen(magnitude);
        var (f, _) = Vector512.Widen(factor);
        var half = Vector512.Create(1 << 14);
        return Vector512.Narrow(Vector512.ShiftRightArithmetic(low * f + half, 15), Vector512.ShiftRightArithmetic(high * f + half, 15));
    }
}

/// <summary>
/// Constants of the sum-product lanes' exp and log: a few multiply-adds each, where the runtime's vector
/// Exp/Log for float go through double. 2^f: Taylor coefficients ln(2)^k / k!; ln(1 + z): Cephes logf.
/// </summary>
internal static class FastMath
{
    /// <summary>e^x for x in [-88, 0] (relative error about 3e-6).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Exp<TVec, TOps>(TVec value) where TVec : struct where TOps : struct, IFloatLaneOps<TVec>
    {
        // 2^t with t = x log2(e) = n + f, |f| <= 1/2: 2^f by its degree-5 Taylor polynomial, n added to the exponent bits.
        var t = TOps.Multiply(value, TOps.Broadcast(Log2E));
        var n = TOps.Floor(TOps.Add(t, TOps.Broadcast(0.5f)));
        var f = TOps.Subtract(t, n);
        var p = TOps.Broadcast(Exp2C5);
        p = TOps.Add(TOps.Multiply(p, f), TOps.Broadcast(Exp2C4));
        p = TOps.Add(TOps.Multiply(p, f), TOps.Broadcast(Exp2C3));
        p = TOps.Add(TOps.Multiply(p, f), TOps.Broadcast(Exp2C2));
        p = TOps.Add(TOps.Multiply(p, f), TOps.Broadcast(Exp2C1));
        p = TOps.Add(TOps.Multiply(p, f), TOps.Broadcast(1f));
        return TOps.ScaleByPowerOfTwo(p, n);
    }

    /// <summary>ln x for finite x &gt;= 1 (absolute error about 1e-7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Log<TVec, TOps>(TVec value) where TVec : struct where TOps : struct, IFloatLaneOps<TVec>
    {
        // ln m = ln(1 + z) by the Cephes logf polynomial, plus e ln 2.
        var z = TOps.Subtract(TOps.SplitMantissa(value, out var e), TOps.Broadcast(1f));
        var z2 = TOps.Multiply(z, z);
        var y = TOps.Broadcast(LogC0);
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC1));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC2));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC3));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC4));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC5));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC6));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC7));
        y = TOps.Add(TOps.Multiply(y, z), TOps.Broadcast(LogC8));
        y = TOps.Subtract(TOps.Multiply(TOps.Multiply(y, z), z2), TOps.Multiply(TOps.Broadcast(0.5f), z2));
        return TOps.Add(TOps.Add(z, y), TOps.Multiply(e, TOps.Broadcast(Ln2)));
    }


    public const float Log2E = 1.44269504f;
    public const float Ln2 = 0.693147181f;
    public const float Sqrt2 = 1.41421356f;
    public const float Exp2C1 = 0.693147181f;
    public const float Exp2C2 = 0.240226507f;
    public const float Exp2C3 = 0.0555041087f;
    public const float Exp2C4 = 0.00961812911f;
    public const float Exp2C5 = 0.00133335581f;
    public const float LogC0 = 7.0376836292e-2f;
    public const float LogC1 = -1.1514610310e-1f;
    public const float LogC2 = 1.1676998740e-1f;
    public const float LogC3 = -1.2420140846e-1f;
    public const float LogC4 = 1.4249322787e-1f;
    public const float LogC5 = -1.6668057665e-1f;
    public const float LogC6 = 2.0000714765e-1f;
    public const float LogC7 = -2.4999993993e-1f;
    public const float LogC8 = 3.3333331174e-1f;
}
