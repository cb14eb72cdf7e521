using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Receiver.Common;

namespace Receiver.Transport.Framing;

/// <summary>
/// gr-tagged: gr-zeromq with pass_tags=True (GNU Radio 3.10 tag_headers.cc). Each message starts with a header in
/// host order (little-endian): u16 magic 0x5FF0, u8 version 1, u64 absolute offset of its first item, u64 ntags,
/// then per tag u64 absolute offset and key, value, srcid as big-endian PMTs; float32 items follow.
/// A frame starts at each item tagged with <see cref="IngestOptions.TagKey"/>; frames then follow back to back
/// until the next tag re-aligns (a frame cut short by a tag is dropped malformed). Items before the first tag are
/// discarded and counted (<see cref="ReceiverMetrics.ItemsDiscarded"/>, reason unaligned). An offset jump reveals lost
/// messages: the items are counted on <see cref="ReceiverMetrics.UpstreamItemsLost"/>, a frame spanning the gap is
/// dropped malformed and framing waits for the next tag. A jump of <see cref="MaxPlausibleGap"/> items or more, or an
/// offset going backwards, is a sender restart or a corrupt header, not a loss: counted on
/// <see cref="ReceiverMetrics.StreamEvents"/> (offset_reset, offset_backwards), so the loss counter only ever grows.
/// Wrong magic or version and truncated headers are malformed.
/// </summary>
public sealed class TaggedFramer : MessageFramer
{
    public const ushort Magic = 0x5FF0;
    public const byte Version = 1;

    /// <summary>magic, version, offset, ntags.</summary>
    public const int FixedHeaderSize = 2 + 1 + 8 + 8;

    /// <summary>Larger forward jumps are taken as a reset: 2^48 items is months of a 10 Msps stream.</summary>
    public const ulong MaxPlausibleGap = 1UL << 48;

    private readonly string _codeName;
    private readonly FloatFrameFiller _filler;
    private readonly byte[] _tagKey;
    private readonly List<ulong> _alignTags = new(16);
    private bool _aligned;
    private ulong? _expectedOffset;
    private long _unalignedItems, _itemsLost;

    internal TaggedFramer(IngestOptions options, ICodeDirectory codes, int codeIndex, FramePool pool, ReceiverMetrics metrics, ILogger? logger)
        : base(options, pool, metrics, logger)
    {
        _codeName = codes.NameOf(codeIndex);
        _filler = new FloatFrameFiller(this, codeIndex, _codeName, codes.FrameLength(codeIndex));
        _tagKey = Encoding.UTF8.GetBytes(options.TagKey);
    }

    /// <summary>Items discarded because no alignment tag had been seen (stream start, after a gap).</summary>
    public long UnalignedItems => Volatile.Read(ref _unalignedItems);

    /// <summary>Items missing upstream according to the header offsets.</summary>
    public long ItemsLost => Volatile.Read(ref _itemsLost);

    public override void OnMessage(in ReadOnlySequence<byte> message)
    {
        var reader = new SequenceReader<byte>(message);
        if (!TryReadHeader(ref reader, out var offset)) return;
        var items = reader.UnreadSequence;
        if (items.Length % sizeof(float) != 0)
        {
            Drop(DropReason.Malformed, "gr-tagged payload length not a multiple of 4, bytes", items.Length);
            return;
        }
        var itemCount = (ulong)(items.Length / sizeof(float));
        CheckContinuity(offset);
        _expectedOffset = offset + itemCount;

        _alignTags.Sort();
        ulong position = 0;
        foreach (var tagOffset in _alignTags)
        {
            if (tagOffset < offset + position || tagOffset >= offset + itemCount) continue; // duplicates, or outside this message
            var relative = tagOffset - offset;
            Append(items.Slice((long)position * sizeof(float), (long)(relative - position) * sizeof(float)));
            position = relative;
            Realign();
        }
        Append(items.Slice((long)position * sizeof(float)));
    }

    private bool TryReadHeader(ref SequenceReader<byte> reader, out ulong offset)
    {
        offset = 0;
        if (reader.Remaining < FixedHeaderSize) { Drop(DropReason.Malformed, "gr-tagged message shorter than the tag header, bytes", reader.Remaining); return false; }
        reader.TryReadLittleEndian(out short magic);
        reader.TryRead(out var version);
        reader.TryReadLittleEndian(out long rawOffset);
        reader.TryReadLittleEndian(out long rawTagCount);
        if ((ushort)magic != Magic) { Drop(DropReason.Malformed, "gr-tagged header has a wrong magic", (ushort)magic); return false; }
        if (version != Version) { Drop(DropReason.Malformed, "gr-tagged header has an unsupported version", version); return false; }
        offset = (ulong)rawOffset;
        var tagCount = (ulong)rawTagCount;
        // A tag takes at least 8 + 3 one-byte PMTs.
        if (tagCount > (ulong)(reader.Remaining / 11)) { Drop(DropReason.Malformed, "gr-tagged header announces more tags than bytes, ntags", rawTagCount); return false; }
        _alignTags.Clear();
        for (ulong i = 0; i < tagCount; i++)
        {
            if (!reader.TryReadLittleEndian(out long tagOffset)) { Drop(DropReason.Malformed, "gr-tagged tag truncated, tag", (long)i); return false; }
            bool isKey;
            if (!Pmt.TryReadSymbol(ref reader, _tagKey, out isKey))
            {
                isKey = false;
                if (!Pmt.TrySkip(ref reader)) { Drop(DropReason.Malformed, "gr-tagged tag key is not a valid PMT, tag", (long)i); return false; }
            }
            if (!Pmt.TrySkip(ref reader) || !Pmt.TrySkip(ref reader)) { Drop(DropReason.Malformed, "gr-tagged tag value or srcid is not a valid PMT, tag", (long)i); return false; }
            if (isKey) _alignTags.Add((ulong)tagOffset);
        }
        return true;
    }

    private void CheckContinuity(ulong offset)
    {
        if (_expectedOffset is not { } expected || offset == expected) return;
        if (offset > expected && offset - expected < MaxPlausibleGap)
        {
            var lost = offset - expected;
            _itemsLost += (long)lost;
            Metrics.UpstreamItemsLost.Add((long)lost, new KeyValuePair<string, object?>("code", _codeName));
            Notice("gr-tagged offset gap, items lost upstream", (long)lost);
        }
        else if (offset > expected) StreamEvent("offset_reset", "gr-tagged offset jumped implausibly far (corrupt header or sender reset), to", unchecked((long)offset));
        else StreamEvent("offset_backwards", "gr-tagged offset went backwards (sender restarted?), from", unchecked((long)expected));
        if (_filler.Discard())
            Drop(DropReason.Malformed, "gr-tagged frame spans an upstream gap, sequence", _filler.LastSequence);
        _aligned = false;
    }

    /// <summary>At an alignment tag: a partly filled frame is short (dropped malformed); the next item starts a frame.</summary>
    private void Realign()
    {
        var partialItems = _filler.PartialItems;
        if (_filler.Discard())
            Drop(DropReason.Malformed, "gr-tagged frame cut short by the next alignment tag, items", partialItems);
        _aligned = true;
    }

    private void Append(ReadOnlySequence<byte> items)
    {
        if (items.IsEmpty) return;
        if (!_aligned)
        {
            var count = items.Length / sizeof(float);
            _unalignedItems += count;
            Discard("unaligned", "gr-tagged items before an alignment tag discarded", count);
            return;
        }
        foreach (var segment in items) _filler.Append(segment.Span);
    }

    public override void OnPeerLost()
    {
        _filler.DropPartial();
        _aligned = false;
    }

    public override void OnCompleted() => _filler.DiscardAtEnd();
}
