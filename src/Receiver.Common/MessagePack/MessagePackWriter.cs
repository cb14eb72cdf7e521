using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Receiver.Common.MessagePack;

/// <summary>
/// Writes MessagePack values (the subset the project's envelopes use) to an <see cref="IBufferWriter{T}"/>.
/// Integers take their smallest encoding, as msgpack-python and the spec recommend; strings are UTF-8.
/// A value type holding only the output, so writing does not allocate.
/// </summary>
public readonly struct MessagePackWriter(IBufferWriter<byte> output)
{
    public void WriteNil() => WriteByte(MessagePackCode.Nil);

    public void Write(bool value) => WriteByte(value ? MessagePackCode.True : MessagePackCode.False);

    public void Write(long value)
    {
        if (value >= 0) { Write((ulong)value); return; }
        if (value >= -32) { WriteByte(unchecked((byte)(sbyte)value)); return; }
        if (value >= sbyte.MinValue)
        {
            var span = output.GetSpan(2);
            span[0] = MessagePackCode.Int8;
            span[1] = unchecked((byte)(sbyte)value);
            output.Advance(2);
        }
        else if (value >= short.MinValue)
        {
            var span = output.GetSpan(3);
            span[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            output.Advance(3);
        }
        else if (value >= int.MinValue)
        {
            var span = output.GetSpan(5);
            span[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            output.Advance(5);
        }
        else
        {
            var span = output.GetSpan(9);
            span[0] = MessagePackCode.Int64;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
            output.Advance(9);
        }
    }

    public void Write(ulong value)
    {
        if (value <= MessagePackCode.MaxPositiveFixInt) { WriteByte((byte)value); return; }
        if (value <= byte.MaxValue)
        {
            var span = output.GetSpan(2);
            span[0] = MessagePackCode.UInt8;
            span[1] = (byte)value;
            output.Advance(2);
        }
        else if (value <= ushort.MaxValue)
        {
            var span = output.GetSpan(3);
            span[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            output.Advance(3);
        }
        else if (value <= uint.MaxValue)
        {
            var span = output.GetSpan(5);
            span[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
            output.Advance(5);
        }
        else
        {
            var span = output.GetSpan(9);
            span[0] = MessagePackCode.UInt64;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            output.Advance(9);
        }
    }

    public void Write(int value) => Write((long)value);

    public void Write(uint value) => Write((ulong)value);

    /// <summary>float 32 (0xca).</summary>
    public void Write(float value)
    {
        var span = output.GetSpan(5);
        span[0] = MessagePackCode.Float32;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
        output.Advance(5);
    }

    /// <summary>float 64 (0xcb).</summary>
    public void Write(double value)
    {
        var span = output.GetSpan(9);
        span[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    /// <summary>str (fixstr/str8/16/32) holding the UTF-8 bytes of <paramref name="value"/>; null writes nil.</summary>
    public void Write(string? value)
    {
        if (value is null) { WriteNil(); return; }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(byteCount);
        var span = output.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(byteCount);
    }

    /// <summary>str holding already-encoded UTF-8 bytes.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        WriteRaw(utf8);
    }

    public void WriteStringHeader(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        if (byteCount <= 31) WriteByte((byte)(MessagePackCode.MinFixStr | byteCount));
        else if (byteCount <= byte.MaxValue) WriteHeader8(MessagePackCode.Str8, (byte)byteCount);
        else if (byteCount <= ushort.MaxValue) WriteHeader16(MessagePackCode.Str16, (ushort)byteCount);
        else WriteHeader32(MessagePackCode.Str32, (uint)byteCount);
    }

    /// <summary>bin 8/16/32 holding <paramref name="bytes"/>.</summary>
    public void WriteBinary(ReadOnlySpan<byte> bytes)
    {
        WriteBinaryHeader(bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>A bin header; the caller then writes exactly <paramref name="byteCount"/> bytes to the output.</summary>
    public void WriteBinaryHeader(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        if (byteCount <= byte.MaxValue) WriteHeader8(MessagePackCode.Bin8, (byte)byteCount);
        else if (byteCount <= ushort.MaxValue) WriteHeader16(MessagePackCode.Bin16, (ushort)byteCount);
        else WriteHeader32(MessagePackCode.Bin32, (uint)byteCount);
    }

    /// <summary>An array header; <paramref name="count"/> values follow.</summary>
    public void WriteArrayHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= 15) WriteByte((byte)(MessagePackCode.MinFixArray | count));
        else if (count <= ushort.MaxValue) WriteHeader16(MessagePackCode.Array16, (ushort)count);
        else WriteHeader32(MessagePackCode.Array32, (uint)count);
    }

    /// <summary>A map header; <paramref name="count"/> key/value pairs follow.</summary>
    public void WriteMapHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= 15) WriteByte((byte)(MessagePackCode.MinFixMap | count));
        else if (count <= ushort.MaxValue) WriteHeader16(MessagePackCode.Map16, (ushort)count);
        else WriteHeader32(MessagePackCode.Map32, (uint)count);
    }

    /// <summary>Copies bytes to the output as they are (the body after a bin or str header).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private void WriteHeader8(byte code, byte length)
    {
        var span = output.GetSpan(2);
        span[0] = code;
        span[1] = length;
        output.Advance(2);
    }

    private void WriteHeader16(byte code, ushort length)
    {
        var span = output.GetSpan(3);
        span[0] = code;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], length);
        output.Advance(3);
    }

    private void WriteHeader32(byte code, uint length)
    {
        var span = output.GetSpan(5);
        span[0] = code;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], length);
        output.Advance(5);
    }
}
