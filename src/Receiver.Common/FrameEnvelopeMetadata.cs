using System.Buffers;
using MessagePack;

namespace Receiver.Common;

/// <summary>One decoded frame's entry in the publisher's metadata stream.</summary>
/// <param name="Sequence">The frame's sequence number (from its envelope or counted by the framer).</param>
/// <param name="Code">Code name.</param>
/// <param name="Status">Decode status (e.g. the <c>DecodeStatus</c> name).</param>
/// <param name="Iterations">Decoder iterations used.</param>
/// <param name="LatencyUs">From the socket receive of the frame's bytes to its output being formatted, in microseconds.</param>
/// <param name="Stage">The decoder-chain stage that produced the output ("syndrome_check", "main", "fallback": the metrics' stage tags).</param>
public readonly record struct DecodedMetadata(long Sequence, string Code, string Status, int Iterations, double LatencyUs, string Stage);

/// <summary>
/// The metadata stream's MessagePack map: <c>{seq: uint64, code: str, status: str, iterations: int,
/// latency_us: float64, stage: str}</c>. Readers skip keys they do not know.
/// </summary>
public static class MetadataEnvelope
{
    /// <summary>Writes one metadata map; does not allocate.</summary>
    public static void Write(IBufferWriter<byte> output, long seq, string code, string status, int iterations, double latencyUs, string stage)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(6);
        writer.WriteString("seq"u8);
        writer.Write(unchecked((ulong)seq));
        writer.WriteString("code"u8);
        writer.Write(code);
        writer.WriteString("status"u8);
        writer.Write(status);
        writer.WriteString("iterations"u8);
        writer.Write(iterations);
        writer.WriteString("latency_us"u8);
        writer.Write(latencyUs);
        writer.WriteString("stage"u8);
        writer.Write(stage);
        writer.Flush();
    }

    public static void Write(IBufferWriter<byte> output, in DecodedMetadata metadata) =>
        Write(output, metadata.Sequence, metadata.Code, metadata.Status, metadata.Iterations, metadata.LatencyUs, metadata.Stage);

    /// <summary>Parses one metadata map (tests and clients; allocates the strings). Missing fields keep their defaults.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> message, out DecodedMetadata metadata, out string? error)
    {
        metadata = default;
        var reader = new MessagePackReader(message);
        ulong seq = 0;
        long iterations = 0;
        double latency = 0;
        string? code = "", status = "", stage = "";
        var key = "map";
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Map) { error = "metadata is not a MessagePack map"; return false; }
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                key = reader.ReadString() ?? "";
                switch (key)
                {
                    case "seq": seq = reader.ReadUInt64(); break;
                    case "code": code = reader.ReadString(); break;
                    case "status": status = reader.ReadString(); break;
                    case "iterations": iterations = reader.ReadInt64(); break;
                    case "latency_us": latency = reader.ReadDouble(); break;
                    case "stage": stage = reader.ReadString(); break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            error = $"metadata field '{key}' has the wrong type or is truncated";
            return false;
        }
        metadata = new DecodedMetadata(unchecked((long)seq), code ?? "", status ?? "", (int)iterations, latency, stage ?? "");
        error = null;
        return true;
    }
}
