using System.Buffers;
using System.Runtime.InteropServices;
using MessagePack;
using Receiver.Decoders;

namespace Receiver.Pipeline.Distributed;

/// <summary>
/// The two messages between a front end and its decoding workers, each a MessagePack array written and read with
/// MessagePack-CSharp's low-level writer and reader. Work (front end to worker): [ticket u64, code str, llr bin]
/// (float32 little-endian canonical LLRs). Result (worker to front end): [ticket u64, outcome u8, iterations i32,
/// unsatisfied checks i32, stage u8, bits bin] (the decoded graph codeword, one 0/1 byte per bit). The ticket is
/// the front end's dispatch sequence number; a worker sends it back unchanged.
/// </summary>
public static class WorkEnvelopes
{
    private const int WorkFields = 3;
    private const int ResultFields = 6;

    public static void WriteWork(IBufferWriter<byte> output, long ticket, string code, ReadOnlySpan<float> llrs)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("work envelopes carry little-endian floats");
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(WorkFields);
        writer.Write(unchecked((ulong)ticket));
        writer.Write(code);
        writer.Write(MemoryMarshal.AsBytes(llrs));
        writer.Flush();
    }

    /// <summary>Parses a work message; <paramref name="llrBytes"/> points into it. False with a one-line error when malformed.</summary>
    public static bool TryReadWork(ReadOnlyMemory<byte> message, out long ticket, out string code, out ReadOnlySequence<byte> llrBytes, out string? error)
    {
        ticket = 0;
        code = "";
        llrBytes = default;
        try
        {
            var reader = new MessagePackReader(message);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != WorkFields) { error = $"work message is not a {WorkFields}-element MessagePack array"; return false; }
            ticket = unchecked((long)reader.ReadUInt64());
            code = reader.ReadString() ?? "";
            llrBytes = reader.ReadBytes() ?? default;
            if (llrBytes.Length % sizeof(float) != 0) { error = $"work message llr holds {llrBytes.Length} bytes, not a whole number of float32"; return false; }
            error = null;
            return true;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            error = $"work message: {e.Message}";
            return false;
        }
    }

    public static void WriteResult(IBufferWriter<byte> output, long ticket, DecodeStatus status, DecodeStage stage, ReadOnlySpan<byte> graphBits)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(ResultFields);
        writer.Write(unchecked((ulong)ticket));
        writer.Write((byte)status.Outcome);
        writer.Write(status.Iterations);
        writer.Write(status.UnsatisfiedChecks);
        writer.Write((byte)stage);
        writer.Write(graphBits);
        writer.Flush();
    }

    /// <summary>Parses a result message; <paramref name="bits"/> points into it. False with a one-line error when malformed.</summary>
    public static bool TryReadResult(ReadOnlyMemory<byte> message, out long ticket, out DecodeStatus status, out DecodeStage stage, out ReadOnlySequence<byte> bits, out string? error)
    {
        ticket = 0;
        status = default;
        stage = default;
        bits = default;
        try
        {
            var reader = new MessagePackReader(message);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != ResultFields) { error = $"result message is not a {ResultFields}-element MessagePack array"; return false; }
            ticket = unchecked((long)reader.ReadUInt64());
            var outcome = (DecodeOutcome)reader.ReadByte();
            var iterations = reader.ReadInt32();
            var unsatisfied = reader.ReadInt32();
            stage = (DecodeStage)reader.ReadByte();
            bits = reader.ReadBytes() ?? default;
            if (!Enum.IsDefined(outcome) || !Enum.IsDefined(stage)) { error = $"result message has outcome {(int)outcome} / stage {(int)stage}, not known values"; return false; }
            status = new DecodeStatus(outcome, iterations, unsatisfied);
            error = null;
            return true;
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            error = $"result message: {e.Message}";
            return false;
        }
    }
}
