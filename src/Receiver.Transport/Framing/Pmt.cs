using System.Buffers;

namespace Receiver.Transport.Framing;

/// <summary>
/// Just enough of GNU Radio's PMT serialization (pmt_serialize.cc, big-endian) to read tag keys and skip any
/// tag value: #t 0x00, #f 0x01, symbol 0x02 (u16 length + bytes), int32 0x03, double 0x04, complex 0x05,
/// nil 0x06, pair 0x07, vector 0x08 (u32 count), dict 0x09 (car, cdr), uniform vector 0x0a (u8 type, u32 count,
/// u8 npad, pad, items), uint64 0x0b, tuple 0x0c (u32 count), int64 0x0d.
/// </summary>
public static class Pmt
{
    public const byte True = 0x00, False = 0x01, Symbol = 0x02, Int32 = 0x03, Double = 0x04, Complex = 0x05, Null = 0x06,
        Pair = 0x07, Vector = 0x08, Dict = 0x09, UniformVector = 0x0a, UInt64 = 0x0b, Tuple = 0x0c, Int64 = 0x0d;

    /// <summary>Reads a symbol and says whether it equals <paramref name="expected"/> (UTF-8). False when the next PMT is no symbol or is truncated.</summary>
    public static bool TryReadSymbol(ref SequenceReader<byte> reader, ReadOnlySpan<byte> expected, out bool matches)
    {
        matches = false;
        var start = reader.Consumed;
        if (!reader.TryRead(out var type) || type != Symbol || !reader.TryReadBigEndian(out short rawLength))
        {
            reader.Rewind(reader.Consumed - start);
            return false;
        }
        var length = (ushort)rawLength;
        if (reader.Remaining < length)
        {
            reader.Rewind(reader.Consumed - start);
            return false;
        }
        matches = length == expected.Length && reader.IsNext(expected);
        reader.Advance(length);
        return true;
    }

    /// <summary>Skips one serialized PMT of any supported type (iterative: nesting cannot overflow the stack). False when truncated or of an unknown type.</summary>
    public static bool TrySkip(ref SequenceReader<byte> reader)
    {
        long pending = 1;
        while (pending-- > 0)
        {
            if (!reader.TryRead(out var type)) return false;
            long skip;
            switch (type)
            {
                case True or False or Null: skip = 0; break;
                case Symbol:
                    if (!reader.TryReadBigEndian(out short symbolLength)) return false;
                    skip = (ushort)symbolLength;
                    break;
                case Int32: skip = 4; break;
                case Double or UInt64 or Int64: skip = 8; break;
                case Complex: skip = 16; break;
                case Pair or Dict: skip = 0; pending += 2; break;
                case Vector or Tuple:
                    if (!reader.TryReadBigEndian(out int count) || count < 0) return false;
                    skip = 0;
                    pending += count;
                    break;
                case UniformVector:
                    if (!reader.TryRead(out var itemType) || !reader.TryReadBigEndian(out int items) || items < 0 || !reader.TryRead(out var padding)) return false;
                    var itemSize = UniformItemSize(itemType);
                    if (itemSize == 0) return false;
                    skip = padding + (long)items * itemSize;
                    break;
                default: return false;
            }
            if (reader.Remaining < skip || pending > reader.Remaining - skip) return false;
            reader.Advance(skip);
        }
        return true;
    }

    private static int UniformItemSize(byte itemType) => itemType switch
    {
        0x00 or 0x01 => 1, // u8, s8
        0x02 or 0x03 => 2, // u16, s16
        0x04 or 0x05 or 0x08 => 4, // u32, s32, f32
        0x06 or 0x07 or 0x09 or 0x0a => 8, // u64, s64, f64, c32
        0x0b => 16, // c64
        _ => 0,
    };
}
