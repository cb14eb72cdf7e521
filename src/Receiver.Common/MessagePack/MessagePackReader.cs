using System.Buffers.Binary;
using System.Text;

namespace Receiver.Common.MessagePack;

/// <summary>
/// Reads MessagePack values from a contiguous buffer without allocating (strings and bin come back as
/// spans into the buffer). Every <c>TryRead</c> returns false and leaves the position unchanged when the
/// next value is of another type or truncated, so untrusted input never throws.
/// </summary>
public ref struct MessagePackReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Consumed => _position;

    public readonly bool End => _position >= _buffer.Length;

    private readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    /// <summary>The type of the next value (<see cref="MessagePackType.Unknown"/> at the end or for 0xc1).</summary>
    public readonly MessagePackType NextType
    {
        get
        {
            if (End) return MessagePackType.Unknown;
            var code = _buffer[_position];
            return code switch
            {
                <= MessagePackCode.MaxPositiveFixInt => MessagePackType.Integer,
                <= MessagePackCode.MaxFixMap => MessagePackType.Map,
                <= MessagePackCode.MaxFixArray => MessagePackType.Array,
                <= MessagePackCode.MaxFixStr => MessagePackType.String,
                MessagePackCode.Nil => MessagePackType.Nil,
                MessagePackCode.False or MessagePackCode.True => MessagePackType.Boolean,
                MessagePackCode.Bin8 or MessagePackCode.Bin16 or MessagePackCode.Bin32 => MessagePackType.Binary,
                MessagePackCode.Ext8 or MessagePackCode.Ext16 or MessagePackCode.Ext32 => MessagePackType.Extension,
                MessagePackCode.Float32 or MessagePackCode.Float64 => MessagePackType.Float,
                >= MessagePackCode.UInt8 and <= MessagePackCode.Int64 => MessagePackType.Integer,
                >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16 => MessagePackType.Extension,
                MessagePackCode.Str8 or MessagePackCode.Str16 or MessagePackCode.Str32 => MessagePackType.String,
                MessagePackCode.Array16 or MessagePackCode.Array32 => MessagePackType.Array,
                MessagePackCode.Map16 or MessagePackCode.Map32 => MessagePackType.Map,
                >= MessagePackCode.MinNegativeFixInt => MessagePackType.Integer,
                _ => MessagePackType.Unknown,
            };
        }
    }

    public bool TryReadNil()
    {
        if (End || _buffer[_position] != MessagePackCode.Nil) return false;
        _position++;
        return true;
    }

    public bool TryReadBoolean(out bool value)
    {
        value = false;
        if (End) return false;
        switch (_buffer[_position])
        {
            case MessagePackCode.True: value = true; break;
            case MessagePackCode.False: break;
            default: return false;
        }
        _position++;
        return true;
    }

    /// <summary>Any integer encoding whose value fits a long.</summary>
    public bool TryReadInt64(out long value)
    {
        value = 0;
        if (!TryPeekInteger(out var magnitude, out var negative, out var length)) return false;
        if (!negative && magnitude > long.MaxValue) return false;
        value = negative ? unchecked((long)magnitude) : (long)magnitude;
        _position += length;
        return true;
    }

    /// <summary>Any integer encoding whose value is non-negative.</summary>
    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryPeekInteger(out var raw, out var negative, out var length) || negative) return false;
        value = raw;
        _position += length;
        return true;
    }

    /// <summary>float 32 or float 64, or any integer (converted).</summary>
    public bool TryReadDouble(out double value)
    {
        value = 0;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        switch (rest[0])
        {
            case MessagePackCode.Float32:
                if (rest.Length < 5) return false;
                value = BinaryPrimitives.ReadSingleBigEndian(rest[1..]);
                _position += 5;
                return true;
            case MessagePackCode.Float64:
                if (rest.Length < 9) return false;
                value = BinaryPrimitives.ReadDoubleBigEndian(rest[1..]);
                _position += 9;
                return true;
        }
        if (!TryPeekInteger(out var raw, out var negative, out var length)) return false;
        value = negative ? unchecked((long)raw) : (double)raw;
        _position += length;
        return true;
    }

    /// <summary>The UTF-8 bytes of a str value (fixstr, str 8/16/32).</summary>
    public bool TryReadStringSpan(out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        var code = rest[0];
        int header;
        long length;
        if (code is >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr) { header = 1; length = code & 0x1f; }
        else if (!TryReadLengthHeader(rest, code, MessagePackCode.Str8, MessagePackCode.Str16, MessagePackCode.Str32, out header, out length)) return false;
        if (rest.Length - header < length) return false;
        utf8 = rest.Slice(header, (int)length);
        _position += header + (int)length;
        return true;
    }

    /// <summary>A str value decoded to a new string (tests and cold paths; hot paths use <see cref="TryReadStringSpan"/>).</summary>
    public bool TryReadString(out string? value)
    {
        value = null;
        if (TryReadNil()) return true;
        var start = _position;
        if (!TryReadStringSpan(out var utf8)) return false;
        try { value = StrictUtf8.GetString(utf8); }
        catch (DecoderFallbackException) { _position = start; return false; }
        return true;
    }

    /// <summary>The bytes of a bin value (bin 8/16/32).</summary>
    public bool TryReadBinary(out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        if (!TryReadLengthHeader(rest, rest[0], MessagePackCode.Bin8, MessagePackCode.Bin16, MessagePackCode.Bin32, out var header, out var length)) return false;
        if (rest.Length - header < length) return false;
        bytes = rest.Slice(header, (int)length);
        _position += header + (int)length;
        return true;
    }

    /// <summary>An array header (fixarray, array 16/32); <paramref name="count"/> values follow.</summary>
    public bool TryReadArrayHeader(out int count)
    {
        count = 0;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        var code = rest[0];
        int header;
        long length;
        if (code is >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray) { header = 1; length = code & 0x0f; }
        else if (!TryReadLengthHeader(rest, code, 0, MessagePackCode.Array16, MessagePackCode.Array32, out header, out length)) return false;
        // Each element takes at least one byte: a count beyond the bytes left is malformed, not a reason to loop.
        if (length > rest.Length - header) return false;
        count = (int)length;
        _position += header;
        return true;
    }

    /// <summary>A map header (fixmap, map 16/32); <paramref name="count"/> key/value pairs follow.</summary>
    public bool TryReadMapHeader(out int count)
    {
        count = 0;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        var code = rest[0];
        int header;
        long length;
        if (code is >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap) { header = 1; length = code & 0x0f; }
        else if (!TryReadLengthHeader(rest, code, 0, MessagePackCode.Map16, MessagePackCode.Map32, out header, out length)) return false;
        if (2 * length > rest.Length - header) return false;
        count = (int)length;
        _position += header;
        return true;
    }

    /// <summary>
    /// Skips one complete value of any type (nested arrays and maps included, iteratively so hostile nesting
    /// cannot overflow the stack). False, position unchanged, when the value is truncated or invalid.
    /// </summary>
    public bool TrySkip()
    {
        var start = _position;
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            if (!TrySkipOne(out var children)) { _position = start; return false; }
            pending += children;
            if (pending > _buffer.Length - _position) { _position = start; return false; }
        }
        return true;
    }

    private bool TrySkipOne(out long children)
    {
        children = 0;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        var code = rest[0];
        switch (NextType)
        {
            case MessagePackType.Nil:
            case MessagePackType.Boolean:
                _position++;
                return true;
            case MessagePackType.Integer:
                return TryReadInt64(out _) || TryReadUInt64(out _);
            case MessagePackType.Float:
                return TryReadDouble(out _);
            case MessagePackType.String:
                return TryReadStringSpan(out _);
            case MessagePackType.Binary:
                return TryReadBinary(out _);
            case MessagePackType.Array:
                if (!TryReadArrayHeader(out var items)) return false;
                children = items;
                return true;
            case MessagePackType.Map:
                if (!TryReadMapHeader(out var pairs)) return false;
                children = 2L * pairs;
                return true;
            case MessagePackType.Extension:
                return TrySkipExtension(rest, code);
            default:
                return false;
        }
    }

    private bool TrySkipExtension(ReadOnlySpan<byte> rest, byte code)
    {
        long total;
        if (code is >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16) total = 2 + (1 << (code - MessagePackCode.FixExt1));
        else
        {
            if (!TryReadLengthHeader(rest, code, MessagePackCode.Ext8, MessagePackCode.Ext16, MessagePackCode.Ext32, out var header, out var length)) return false;
            total = header + 1 + length; // one type byte after the length
        }
        if (rest.Length < total) return false;
        _position += (int)total;
        return true;
    }

    private readonly bool TryPeekInteger(out ulong raw, out bool negative, out int length)
    {
        raw = 0;
        negative = false;
        length = 0;
        var rest = Rest;
        if (rest.IsEmpty) return false;
        var code = rest[0];
        if (code <= MessagePackCode.MaxPositiveFixInt) { raw = code; length = 1; return true; }
        if (code >= MessagePackCode.MinNegativeFixInt) { raw = unchecked((ulong)(long)(sbyte)code); negative = true; length = 1; return true; }
        length = code switch
        {
            MessagePackCode.UInt8 or MessagePackCode.Int8 => 2,
            MessagePackCode.UInt16 or MessagePackCode.Int16 => 3,
            MessagePackCode.UInt32 or MessagePackCode.Int32 => 5,
            MessagePackCode.UInt64 or MessagePackCode.Int64 => 9,
            _ => 0,
        };
        if (length == 0 || rest.Length < length) { length = 0; return false; }
        var body = rest[1..];
        long signed;
        switch (code)
        {
            case MessagePackCode.UInt8: raw = body[0]; return true;
            case MessagePackCode.UInt16: raw = BinaryPrimitives.ReadUInt16BigEndian(body); return true;
            case MessagePackCode.UInt32: raw = BinaryPrimitives.ReadUInt32BigEndian(body); return true;
            case MessagePackCode.UInt64: raw = BinaryPrimitives.ReadUInt64BigEndian(body); return true;
            case MessagePackCode.Int8: signed = (sbyte)body[0]; break;
            case MessagePackCode.Int16: signed = BinaryPrimitives.ReadInt16BigEndian(body); break;
            case MessagePackCode.Int32: signed = BinaryPrimitives.ReadInt32BigEndian(body); break;
            default: signed = BinaryPrimitives.ReadInt64BigEndian(body); break;
        }
        raw = unchecked((ulong)signed);
        negative = signed < 0;
        return true;
    }

    private static bool TryReadLengthHeader(ReadOnlySpan<byte> rest, byte code, byte code8, byte code16, byte code32, out int header, out long length)
    {
        header = 0;
        length = 0;
        if (code8 != 0 && code == code8)
        {
            if (rest.Length < 2) return false;
            header = 2;
            length = rest[1];
        }
        else if (code == code16)
        {
            if (rest.Length < 3) return false;
            header = 3;
            length = BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
        }
        else if (code == code32)
        {
            if (rest.Length < 5) return false;
            header = 5;
            length = BinaryPrimitives.ReadUInt32BigEndian(rest[1..]);
        }
        else return false;
        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
