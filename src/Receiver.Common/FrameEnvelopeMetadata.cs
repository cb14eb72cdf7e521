using System.Buffers;
using Receiver.Common.MessagePack;

namespace Receiver.Common;

/// <summary>One decoded frame's entry in the publisher's metadata stream.</summary>
/// <param name="Sequence">The frame's sequence number (from its envelope or counted by the framer).</param>
/// <param name="Code">Code name.</param>
/// <param name="Status">Decode status (e.g. the <c>DecodeStatus</c> name).</param>
/// <param name="Iterations">Decoder iterations used.</param>
/// <param name="LatencyUs">Ingest-to-publish latency in microseconds.</param>
/// <param name="Stage">The decoder-chain stage that produced the output (e.g. "syndrome", "main", "fallback").</param>
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
    }

    public static void Write(IBufferWriter<byte> output, in DecodedMetadata metadata) =>
        Write(output, metadata.Sequence, metadata.Code, metadata.Status, metadata.Iterations, metadata.LatencyUs, metadata.Stage);

    /// <summary>Parses one metadata map (tests and clients; allocates the strings). Missing fields keep their defaults.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out DecodedMetadata metadata, out string? error)
    {
        metadata = default;
        var reader = new MessagePackReader(message);
        if (!reader.TryReadMapHeader(out var count)) { error = "metadata is not a MessagePack map"; return false; }
        ulong seq = 0;
        long iterations = 0;
        double latency = 0;
        string? code = "", status = "", stage = "";
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadString(out var key)) { error = "metadata key is not a string"; return false; }
            var ok = key switch
            {
                "seq" => reader.TryReadUInt64(out seq),
                "code" => reader.TryReadString(out code),
                "status" => reader.TryReadString(out status),
                "iterations" => reader.TryReadInt64(out iterations),
                "latency_us" => reader.TryReadDouble(out latency),
                "stage" => reader.TryReadString(out stage),
                _ => reader.TrySkip(),
            };
            if (!ok) { error = $"metadata field '{key}' has the wrong type or is truncated"; return false; }
        }
        metadata = new DecodedMetadata(unchecked((long)seq), code ?? "", status ?? "", (int)iterations, latency, stage ?? "");
        error = null;
        return true;
    }
}
