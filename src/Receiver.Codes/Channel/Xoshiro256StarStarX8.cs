using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Receiver.Codes.Channel;

/// <summary>
/// Eight interleaved xoshiro256** generators in one <see cref="Vector512{T}"/> state, so one step
/// yields 512 random bits and Gaussian samples come out of a vectorised Box-Muller transform.
/// The lanes are seeded from one 64-bit seed through SplitMix64; a given seed gives the same
/// stream on every machine. Not thread-safe: one instance per thread.
/// </summary>
public sealed class Xoshiro256StarStarX8
{
    private const double TwoPi = 2.0 * Math.PI;
    private const double UnitScale = 1.0 / (1UL << 53);

    private Vector512<ulong> _s0, _s1, _s2, _s3;

    public Xoshiro256StarStarX8(ulong seed) => Reseed(seed);

    /// <summary>Restarts the stream; costs 32 SplitMix64 steps, cheap enough to do per frame.</summary>
    public void Reseed(ulong seed)
    {
        Span<ulong> state = stackalloc ulong[32];
        var x = seed;
        foreach (ref var word in state) word = SplitMix64(ref x);
        _s0 = Vector512.Create<ulong>(state[..8]);
        _s1 = Vector512.Create<ulong>(state[8..16]);
        _s2 = Vector512.Create<ulong>(state[16..24]);
        _s3 = Vector512.Create<ulong>(state[24..32]);
    }

    /// <summary>SplitMix64 step: the standard seeder for xoshiro, also a good 64-bit mixer.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 8 x 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<ulong> Next()
    {
        var s1 = _s1;
        var times5 = (s1 << 2) + s1;
        var rotated = (times5 << 7) | (times5 >>> 57);
        var result = (rotated << 3) + rotated;
        var t = s1 << 17;
        _s2 ^= _s0;
        _s3 ^= s1;
        _s1 = s1 ^ _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = (_s3 << 45) | (_s3 >>> 19);
        return result;
    }

    /// <summary>Fills with independent fair 0/1 bytes (bit j of each random word becomes byte j).</summary>
    public void FillBits(Span<byte> bits)
    {
        Span<ulong> words = stackalloc ulong[8];
        var i = 0;
        while (i < bits.Length)
        {
            Next().CopyTo(words);
            foreach (var word in words)
            {
                var take = Math.Min(64, bits.Length - i);
                var w = word;
                var j = 0;
                for (; j + 8 <= take; j += 8, w >>= 8)
                    BinaryPrimitives.WriteUInt64LittleEndian(bits.Slice(i + j, 8), ByteToBits[(int)(w & 0xFF)]);
                for (; j < take; j++, w >>= 1) bits[i + j] = (byte)(w & 1);
                i += take;
                if (i == bits.Length) return;
            }
        }
    }

    /// <summary>For each byte value, the 8 bytes (little-endian) holding its bits 0..7 as 0/1.</summary>
    private static readonly ulong[] ByteToBits = BuildByteToBits();

    private static ulong[] BuildByteToBits()
    {
        var table = new ulong[256];
        for (var b = 0; b < 256; b++)
            for (var j = 0; j < 8; j++)
                table[b] |= (ulong)((b >> j) & 1) << (8 * j);
        return table;
    }

    /// <summary>Eight uniforms in (0, 1] with 53-bit resolution (never 0, so the logarithm stays finite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<double> NextUnitOpenAtZero()
        => Vector512.Create(1.0) - Vector512.ConvertToDouble(Next() >>> 11) * Vector512.Create(UnitScale);

    /// <summary>Fills with independent standard normal samples (Box-Muller, 16 per step; tails reach 8.5 sigma).</summary>
    public void FillStandardNormal(Span<double> destination)
    {
        var i = 0;
        for (; i + 16 <= destination.Length; i += 16)
        {
            var (a, b) = NextNormalPair();
            a.CopyTo(destination.Slice(i, 8));
            b.CopyTo(destination.Slice(i + 8, 8));
        }
        if (i < destination.Length)
        {
            Span<double> tail = stackalloc double[16];
            var (a, b) = NextNormalPair();
            a.CopyTo(tail);
            b.CopyTo(tail[8..]);
            tail[..(destination.Length - i)].CopyTo(destination[i..]);
        }
    }

    /// <summary>Fills with Rayleigh amplitudes h = sqrt(-ln U), so h^2 is exponential and E[h^2] = 1.</summary>
    public void FillRayleigh(Span<double> destination)
    {
        var i = 0;
        for (; i + 8 <= destination.Length; i += 8)
            NextRayleigh().CopyTo(destination.Slice(i, 8));
        if (i < destination.Length)
        {
            Span<double> tail = stackalloc double[8];
            NextRayleigh().CopyTo(tail);
            tail[..(destination.Length - i)].CopyTo(destination[i..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<double> NextRayleigh() => Vector512.Sqrt(-Vector512.Log(NextUnitOpenAtZero()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector512<double> Cos, Vector512<double> Sin) NextNormalPair()
    {
        var radius = Vector512.Sqrt(Vector512.Create(-2.0) * Vector512.Log(NextUnitOpenAtZero()));
        var angle = Vector512.ConvertToDouble(Next() >>> 11) * Vector512.Create(UnitScale * TwoPi);
        var (sin, cos) = Vector512.SinCos(angle);
        return (radius * cos, radius * sin);
    }
}
