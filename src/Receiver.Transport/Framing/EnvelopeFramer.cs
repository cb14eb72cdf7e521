using System.Buffers;
using Microsoft.Extensions.Logging;
using Receiver.Common;

namespace Receiver.Transport.Framing;

/// <summary>
/// framed: each message is one <see cref="FrameEnvelope"/>. The code is resolved through the
/// <see cref="ICodeDirectory"/> (unknown -> unknown_code); the LLR count must equal the code's frame length
/// (else malformed); the envelope's seq and t_ns become the frame's Sequence and SourceTimestampNs.
/// </summary>
public sealed class EnvelopeFramer : MessageFramer
{
    private readonly ICodeDirectory _codes;
    private byte[] _scratch = [];

    internal EnvelopeFramer(IngestOptions options, ICodeDirectory codes, FramePool pool, ReceiverMetrics metrics, ILogger? logger)
        : base(options, pool, metrics, logger) => _codes = codes;

    public override void OnMessage(in ReadOnlySequence<byte> message)
    {
        ReadOnlySpan<byte> bytes;
        if (message.IsSingleSegment) bytes = message.FirstSpan;
        else
        {
            // A record split across pipe segments: parse from a reused contiguous copy.
            if (_scratch.Length < message.Length) _scratch = new byte[Math.Max(message.Length, 2L * _scratch.Length)];
            message.CopyTo(_scratch);
            bytes = _scratch.AsSpan(0, (int)message.Length);
        }
        if (!FrameEnvelope.TryRead(bytes, out var header, out var llrBytes, out var error))
        {
            Drop(DropReason.Malformed, error!, bytes.Length);
            return;
        }
        if (!_codes.TryGetIndex(header.Code, out var codeIndex))
        {
            Drop(DropReason.UnknownCode, "envelope names an unconfigured code, seq", header.Sequence);
            return;
        }
        var length = _codes.FrameLength(codeIndex);
        if (llrBytes.Length != length * sizeof(float))
        {
            Drop(DropReason.Malformed, "envelope LLR count differs from the code's frame length, count", llrBytes.Length / sizeof(float));
            return;
        }
        var frame = Pool.Rent(length);
        frame.CodeIndex = codeIndex;
        frame.Sequence = header.Sequence;
        frame.SourceTimestampNs = header.TimestampNs;
        CopyLlrBytes(llrBytes, frame, 0);
        Emit(frame, _codes.NameOf(codeIndex));
    }
}
