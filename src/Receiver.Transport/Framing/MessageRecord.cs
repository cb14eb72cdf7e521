using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace Receiver.Transport.Framing;

/// <summary>
/// How the ingest receive loop hands ZeroMQ messages to the framer through a <see cref="Pipe"/> so message
/// boundaries survive: each message is a record <c>[u32 little-endian length][message bytes]</c>.
/// A length with <see cref="OversizedFlag"/> set is a marker without payload: the receive loop saw a
/// message over the ingest's limit and did not copy it (low 31 bits: its length, saturated).
/// </summary>
public static class MessageRecord
{
    public const int HeaderSize = sizeof(uint);

    /// <summary>Largest message length a record carries.</summary>
    public const int MaxLength = int.MaxValue;

    public const uint OversizedFlag = 0x8000_0000;

    /// <summary>Writes one message as a record (not flushed: the caller flushes after a burst).</summary>
    public static void Write(PipeWriter writer, ReadOnlySpan<byte> message)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(HeaderSize), (uint)message.Length);
        writer.Advance(HeaderSize);
        writer.Write(message);
    }

    /// <summary>
    /// Writes the message, or only an oversized marker when it is longer than <paramref name="maxMessageBytes"/>
    /// so an oversized message is never buffered. Returns false when it wrote the marker.
    /// </summary>
    public static bool Write(PipeWriter writer, ReadOnlySpan<byte> message, int maxMessageBytes)
    {
        if (message.Length <= maxMessageBytes) { Write(writer, message); return true; }
        WriteOversizedMarker(writer, message.Length);
        return false;
    }

    /// <summary>A record saying "a message of this many bytes arrived and was too large".</summary>
    public static void WriteOversizedMarker(PipeWriter writer, long messageLength)
    {
        var length = (uint)Math.Min(messageLength, int.MaxValue) | OversizedFlag;
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(HeaderSize), length);
        writer.Advance(HeaderSize);
    }

    /// <summary>Writes records into a plain buffer (tests, fixtures, the in-process source).</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> message)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(HeaderSize), (uint)message.Length);
        output.Advance(HeaderSize);
        output.Write(message);
    }
}
