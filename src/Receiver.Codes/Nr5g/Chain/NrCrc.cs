using System.Runtime.Intrinsics;

namespace Receiver.Codes.Nr5g.Chain;

/// <summary>
/// Cyclic redundancy checks of TS 38.212 5.1: zero initial state, no reflection, no final XOR. For bits
/// a_0..a_{A-1} (a_0 the highest-order coefficient) the parity bits p_0..p_{L-1} make
/// a_0 D^{A+L-1} + ... + a_{A-1} D^L + p_0 D^{L-1} + ... + p_{L-1} divisible by g(D), so p_0 is the
/// remainder's D^{L-1} coefficient. Bits are 0/1 bytes. Stateless after construction: thread-safe.
/// </summary>
/// <remarks>Hand-written: System.IO.Hashing's CRCs are 32/64-bit over whole bytes, these are 6-24 bits over bit strings.</remarks>
public sealed class NrCrc
{
    /// <summary>gCRC24A(D) = D^24 + D^23 + D^18 + D^17 + D^14 + D^11 + D^10 + D^7 + D^6 + D^5 + D^4 + D^3 + D + 1 (transport blocks above 3824 bits).</summary>
    public static readonly NrCrc Crc24A = new("CRC24A", 24, 0x864CFB);

    /// <summary>gCRC24B(D) = D^24 + D^23 + D^6 + D^5 + D + 1 (code blocks of a segmented transport block).</summary>
    public static readonly NrCrc Crc24B = new("CRC24B", 24, 0x800063);

    /// <summary>gCRC24C(D) = D^24 + D^23 + D^21 + D^20 + D^17 + D^15 + D^13 + D^12 + D^8 + D^4 + D^2 + D + 1 (polar, listed for completeness).</summary>
    public static readonly NrCrc Crc24C = new("CRC24C", 24, 0xB2B117);

    /// <summary>gCRC16(D) = D^16 + D^12 + D^5 + 1 (transport blocks of at most 3824 bits).</summary>
    public static readonly NrCrc Crc16 = new("CRC16", 16, 0x1021);

    /// <summary>gCRC11(D) = D^11 + D^10 + D^9 + D^5 + 1.</summary>
    public static readonly NrCrc Crc11 = new("CRC11", 11, 0x621);

    /// <summary>gCRC6(D) = D^6 + D^5 + 1.</summary>
    public static readonly NrCrc Crc6 = new("CRC6", 6, 0x21);

    /// <summary>Each byte value with its bit order reversed.</summary>
    private static readonly byte[] ReversedBytes = Enumerable.Range(0, 256).Select(v =>
    {
        var reversed = 0;
        for (var b = 0; b < 8; b++) reversed |= ((v >> b) & 1) << (7 - b);
        return (byte)reversed;
    }).ToArray();

    private readonly uint _polynomial;
    private readonly uint _mask;
    private readonly uint[]? _byteTable;
    /// <summary>Slicing-by-4 tables on the register aligned to bit 31: entry k*256+b advances byte b (top byte) by 8(k+1) bits.</summary>
    private readonly uint[]? _sliceTables;

    private NrCrc(string name, int length, uint polynomial)
    {
        Name = name;
        Length = length;
        _polynomial = polynomial;
        _mask = (1u << length) - 1;
        if (length < 8) return;
        _byteTable = new uint[256];
        for (var value = 0u; value < 256; value++)
        {
            var register = value << (length - 8);
            for (var bit = 0; bit < 8; bit++)
                register = (register & (1u << (length - 1))) != 0 ? ((register << 1) ^ polynomial) & _mask : (register << 1) & _mask;
            _byteTable[value] = register;
        }
        var aligned = polynomial << (32 - length);
        uint Advance8(uint v)
        {
            for (var bit = 0; bit < 8; bit++) v = (v & 0x8000_0000u) != 0 ? (v << 1) ^ aligned : v << 1;
            return v;
        }
        _sliceTables = new uint[4 * 256];
        for (var value = 0u; value < 256; value++)
        {
            var v = Advance8(value << 24);
            for (var k = 0; k < 4; k++)
            {
                _sliceTables[k * 256 + value] = v;
                v = Advance8(v);
            }
        }
    }

    public string Name { get; }

    /// <summary>Parity bits L.</summary>
    public int Length { get; }

    /// <summary>Remainder of a(D) D^L mod g(D); bit L-1 is p_0. Zero over a block with its own parity appended means it checks.</summary>
    public uint Remainder(ReadOnlySpan<byte> bits)
    {
        var register = 0u;
        var i = 0;
        if (_byteTable is { } table)
        {
            var shift = Length - 8;
            if (Vector256.IsHardwareAccelerated && _sliceTables is { } slices)
            {
                // 32 bits per step (slicing by 4, register aligned to bit 31): the run's low bits gathered into a mask
                // (bit t = bit t of the run), then bit-reversed so the run's first bit is the word's most significant.
                var one = Vector256.Create((byte)1);
                var aligned = register << (32 - Length);
                for (; i + 32 <= bits.Length; i += 32)
                {
                    var mask = (Vector256.Create(bits.Slice(i, 32)) & one).AsUInt16() << 7;
                    var packed = mask.AsByte().ExtractMostSignificantBits();
                    var word = (uint)ReversedBytes[packed & 0xFF] << 24 | (uint)ReversedBytes[(packed >> 8) & 0xFF] << 16 |
                               (uint)ReversedBytes[(packed >> 16) & 0xFF] << 8 | ReversedBytes[packed >> 24];
                    var x = aligned ^ word;
                    aligned = slices[3 * 256 + (x >> 24)] ^ slices[2 * 256 + ((x >> 16) & 0xFF)] ^ slices[256 + ((x >> 8) & 0xFF)] ^ slices[x & 0xFF];
                }
                register = aligned >> (32 - Length);
            }
            for (; i + 8 <= bits.Length; i += 8)
            {
                var packed = (uint)((bits[i] & 1) << 7 | (bits[i + 1] & 1) << 6 | (bits[i + 2] & 1) << 5 | (bits[i + 3] & 1) << 4 |
                                    (bits[i + 4] & 1) << 3 | (bits[i + 5] & 1) << 2 | (bits[i + 6] & 1) << 1 | (bits[i + 7] & 1));
                register = ((register << 8) & _mask) ^ table[((register >> shift) ^ packed) & 0xFF];
            }
        }
        var top = 1u << (Length - 1);
        for (; i < bits.Length; i++)
        {
            var feedback = ((register & top) != 0) ^ ((bits[i] & 1) != 0);
            register = (register << 1) & _mask;
            if (feedback) register ^= _polynomial;
        }
        return register;
    }

    /// <summary>Writes the L parity bits p_0..p_{L-1} of <paramref name="bits"/> into <paramref name="parity"/>.</summary>
    public void Attach(ReadOnlySpan<byte> bits, Span<byte> parity)
    {
        if (parity.Length < Length) throw new ArgumentException($"{Name}: need {Length} parity slots, got {parity.Length}", nameof(parity));
        var remainder = Remainder(bits);
        for (var j = 0; j < Length; j++) parity[j] = (byte)((remainder >> (Length - 1 - j)) & 1);
    }

    /// <summary>True when bits ending in their L parity bits check.</summary>
    public bool Check(ReadOnlySpan<byte> bitsWithParity) => bitsWithParity.Length >= Length && Remainder(bitsWithParity) == 0;
}
