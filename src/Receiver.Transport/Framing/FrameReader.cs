using System.Buffers;
using System.IO.Pipelines;
using Receiver.Common;

namespace Receiver.Transport.Framing;

/// <summary>
/// The parsing loop of an ingest (STYLE.md section 3): reads <see cref="MessageRecord"/>s from the pipe the
/// receive loop fills, hands each whole message to the framer and writes the frames it makes to the sink.
/// Record lengths over <see cref="IngestOptions.MaxMessageBytes"/> are counted malformed and their bytes
/// skipped as they arrive, never buffered whole. To drain on shutdown, complete the pipe's writer: the loop
/// then hands on every frame and returns; cancelling instead drops frames not yet handed on (counted as shutdown).
/// </summary>
public sealed class FrameReader(MessageFramer framer, IFrameSink sink)
{
    /// <summary>Frames parsed before they are handed on: small messages share one pass, big ones go out at once.</summary>
    private const int HandOffFrames = 32;

    private readonly int _maxMessageBytes = framer.Options.MaxMessageBytes;
    private long _skipRemaining;

    public MessageFramer Framer => framer;

    /// <summary>Runs until the writer completes (drained) or <paramref name="cancellationToken"/> fires; completes the reader.</summary>
    public async Task RunAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var handedOn = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                var needMore = Parse(buffer, out var consumed);
                reader.AdvanceTo(consumed, needMore ? buffer.End : consumed);

                for (handedOn = 0; handedOn < framer.Pending.Count; handedOn++)
                    await sink.WriteAsync(framer.Pending[handedOn], cancellationToken).ConfigureAwait(false);
                framer.Pending.Clear();
                handedOn = 0;

                if (needMore && (result.IsCompleted || result.IsCanceled))
                {
                    var leftover = buffer.Slice(consumed).Length;
                    if (leftover > 0 && _skipRemaining == 0) framer.OnTruncated(leftover);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Frames not handed on when the loop was cancelled: the sink never owned them.
            if (framer.Pending.Count > 0) framer.DropPendingOnShutdown(handedOn);
        }
        finally
        {
            framer.OnCompleted();
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes whole records from the buffer. Stops once <see cref="HandOffFrames"/> frames are pending (bounded
    /// memory, and they go out without waiting for the rest of the buffer) or when the next record is
    /// incomplete; returns true in the latter case (examined = end).
    /// </summary>
    private bool Parse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            while (true)
            {
                if (_skipRemaining > 0)
                {
                    var skip = Math.Min(_skipRemaining, reader.Remaining);
                    reader.Advance(skip);
                    _skipRemaining -= skip;
                    if (_skipRemaining > 0) return true;
                }
                if (!reader.TryReadLittleEndian(out int rawLength)) return true;
                var length = (uint)rawLength;
                if ((length & MessageRecord.OversizedFlag) != 0)
                {
                    framer.OnOversized(length & ~MessageRecord.OversizedFlag);
                    continue;
                }
                if (length > _maxMessageBytes)
                {
                    // Cap before buffering (Kestrel's request-line limit): skip the body as it streams in.
                    framer.OnOversized(length);
                    _skipRemaining = length;
                    continue;
                }
                if (reader.Remaining < length)
                {
                    reader.Rewind(MessageRecord.HeaderSize);
                    return true;
                }
                var message = reader.UnreadSequence.Slice(0, length);
                reader.Advance(length);
                framer.OnMessage(message);
                if (framer.Pending.Count >= HandOffFrames) return false;
            }
        }
        finally
        {
            consumed = reader.Position;
        }
    }
}
