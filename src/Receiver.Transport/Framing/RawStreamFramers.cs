using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Receiver.Common;

namespace Receiver.Transport.Framing;

/// <summary>
/// gr-float: float32 items in host order with message boundaries unrelated to frames; items are re-aligned
/// into frames of the code's n LLRs across messages and numbered per stream. A message whose length is not
/// a multiple of 4 is dropped as malformed (GNU Radio rejects those too) and the stream continues as if it
/// had not been sent: a raw stream has no offsets, so items lost upstream shift the alignment (use gr-tagged
/// where that matters).
/// </summary>
public sealed class RawFloatFramer : MessageFramer
{
    private readonly FloatFrameFiller _filler;

    internal RawFloatFramer(IngestOptions options, ICodeDirectory codes, int codeIndex, FramePool pool, ReceiverMetrics metrics, ILogger? logger)
        : base(options, pool, metrics, logger)
        => _filler = new FloatFrameFiller(this, codeIndex, codes.NameOf(codeIndex), codes.FrameLength(codeIndex));

    public override void OnMessage(in ReadOnlySequence<byte> message)
    {
        if (message.Length % sizeof(float) != 0 || message.IsEmpty)
        {
            Drop(DropReason.Malformed, "gr-float message empty or its length not a multiple of 4, bytes", message.Length);
            return;
        }
        foreach (var segment in message) _filler.Append(segment.Span);
    }

    public override void OnPeerLost() => _filler.DropPartial();

    public override void OnCompleted() => _filler.DiscardAtEnd();
}

/// <summary>
/// gr-char: int8 soft bits, one item per byte, LLR = value * <see cref="IngestOptions.CharScale"/> (then the
/// sign convention); re-aligned into frames of n across messages like gr-float. Int8 values are always finite.
/// </summary>
public sealed class RawCharFramer : MessageFramer
{
    private readonly string _codeName;
    private readonly int _codeIndex;
    private readonly int _frameLength;
    private readonly float _scale;
    private Frame? _current;
    private int _filled;
    private long _sequence;

    internal RawCharFramer(IngestOptions options, ICodeDirectory codes, int codeIndex, FramePool pool, ReceiverMetrics metrics, ILogger? logger)
        : base(options, pool, metrics, logger)
    {
        _codeIndex = codeIndex;
        _codeName = codes.NameOf(codeIndex);
        _frameLength = codes.FrameLength(codeIndex);
        // The sign convention folds into the scale: one multiply per item.
        _scale = Negate ? -options.CharScale : options.CharScale;
    }

    public override void OnMessage(in ReadOnlySequence<byte> message)
    {
        if (message.IsEmpty)
        {
            Drop(DropReason.Malformed, "gr-char message is empty, bytes", 0);
            return;
        }
        foreach (var segment in message)
        {
            var items = MemoryMarshal.Cast<byte, sbyte>(segment.Span);
            while (!items.IsEmpty)
            {
                if (_current is null)
                {
                    _current = Pool.Rent(_frameLength);
                    _current.CodeIndex = _codeIndex;
                    _current.Sequence = _sequence++;
                }
                var take = Math.Min(items.Length, _frameLength - _filled);
                LlrKernels.WidenInt8(items[..take], _current.Llrs.AsSpan(_filled), _scale);
                _filled += take;
                items = items[take..];
                if (_filled == _frameLength)
                {
                    var frame = _current;
                    _current = null;
                    _filled = 0;
                    EmitFinished(frame, _codeName);
                }
            }
        }
    }

    public override void OnPeerLost()
    {
        var sequence = _current?.Sequence ?? 0;
        var items = _filled;
        if (ReleasePartial()) Drop(DropReason.Truncated, $"sender went away mid-frame ({items} items), sequence", sequence);
    }

    public override void OnCompleted()
    {
        var items = _filled;
        if (ReleasePartial()) Discard("partial_frame", "items of a partial frame discarded at the end of the stream", items);
    }

    private bool ReleasePartial()
    {
        if (_current is null) return false;
        Pool.Return(_current);
        _current = null;
        _filled = 0;
        return true;
    }
}
