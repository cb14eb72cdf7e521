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

    internal EnvelopeFramer(IngestOptions options, ICodeDirectory codes, FramePool pool, ReceiverMetrics metrics, ILogger? logger)
        : base(options, pool, metrics, logger) => _codes = codes;

    public override void OnMessage(in ReadOnlySequence<byte> message)
    {
        if (!FrameEnvelope.TryRead(message, out var header, out var llrBytes, out var error))
        {
            Drop(DropReason.Malformed, error!, message.Length);
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
        llrBytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(frame.Llrs.AsSpan()));
        Emit(frame, _codes.NameOf(codeIndex));
    }
}
