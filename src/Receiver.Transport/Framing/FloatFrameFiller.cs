using Receiver.Common;

namespace Receiver.Transport.Framing;

public abstract partial class MessageFramer
{
    /// <summary>
    /// Re-aligns float32 LLR bytes into frames of one code across messages and numbers the frames per
    /// stream; gr-float and gr-tagged share it (they differ only in where alignment comes from).
    /// </summary>
    protected sealed class FloatFrameFiller(MessageFramer owner, int codeIndex, string codeName, int frameLength)
    {
        private readonly int _frameBytes = frameLength * sizeof(float);
        private Frame? _current;
        private int _filledBytes;
        private long _sequence;

        /// <summary>Sequence number of the frame started last.</summary>
        public long LastSequence => _sequence - 1;

        /// <summary>Items in the partly filled frame.</summary>
        public int PartialItems => _filledBytes / sizeof(float);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                if (_current is null)
                {
                    _current = owner.Pool.Rent(frameLength);
                    _current.CodeIndex = codeIndex;
                    _current.Sequence = _sequence++;
                }
                var take = Math.Min(bytes.Length, _frameBytes - _filledBytes);
                CopyLlrBytes(bytes[..take], _current, _filledBytes);
                _filledBytes += take;
                bytes = bytes[take..];
                if (_filledBytes == _frameBytes)
                {
                    var frame = _current;
                    _current = null;
                    _filledBytes = 0;
                    owner.Emit(frame, codeName);
                }
            }
        }

        /// <summary>Returns a partly filled frame to the pool; true when there was one.</summary>
        public bool Discard()
        {
            if (_current is null) return false;
            owner.Pool.Return(_current);
            _current = null;
            _filledBytes = 0;
            return true;
        }

        /// <summary>The sender went away: a partly filled frame is dropped (reason truncated).</summary>
        public void DropPartial()
        {
            var items = PartialItems;
            var sequence = _current?.Sequence ?? 0;
            if (Discard()) owner.Drop(DropReason.Truncated, $"sender went away mid-frame ({items} items), sequence", sequence);
        }

        /// <summary>The stream ended: a partly filled frame's items are counted discarded.</summary>
        public void DiscardAtEnd()
        {
            var items = PartialItems;
            if (Discard()) owner.Discard("partial_frame", "items of a partial frame discarded at the end of the stream", items);
        }
    }
}
