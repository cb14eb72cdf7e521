using Receiver.Transport.Framing;

namespace Receiver.Transport.Tests;

public class FramingTaggedTests
{
    private static IngestOptions Tagged(string key = "frame_start", string code = "c8", LlrSign sign = LlrSign.Canonical) =>
        new() { Endpoint = "tcp://127.0.0.1:5555", Format = IngestFormat.GrTagged, Code = code, TagKey = key, LlrSign = sign };

    private static byte[] Message(ulong offset, int count, params ulong[] frameStarts)
    {
        var builder = new TagHeaderBuilder(offset);
        foreach (var start in frameStarts) builder.Tag(start, "frame_start", TagHeaderBuilder.Int32((int)start));
        return builder.Build(Wire.Ramp((int)offset, count));
    }

    [Fact]
    public void Frames_start_at_tags_and_items_before_the_first_tag_are_unaligned()
    {
        using var harness = new FramingHarness(Tagged(sign: LlrSign.GnuRadio));
        // Items 0..2 precede the first tag at 3; frames 3..10, 11..18 (tag at 11), 19..26 (back to back, no tag).
        var output = harness.Run([Message(0, 5, 3), Message(5, 10, 11), Message(15, 12)]);
        Assert.Equal(3, output.Count);
        Assert.Equal(Wire.Ramp(3, 8).Select(x => -x), output[0].Llrs);
        Assert.Equal(Wire.Ramp(11, 8).Select(x => -x), output[1].Llrs);
        Assert.Equal(Wire.Ramp(19, 8).Select(x => -x), output[2].Llrs);
        Assert.Equal([0L, 1L, 2L], output.Select(f => f.Sequence));
        Assert.Equal(3, ((TaggedFramer)harness.Framer).UnalignedItems);
        Assert.Equal(0, harness.Probe.Dropped("malformed"));
    }

    [Fact]
    public void Other_keys_and_complex_tag_values_are_skipped()
    {
        using var harness = new FramingHarness(Tagged());
        byte[] tuple = [0x0c, 0, 0, 0, 2, 0x04, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x0d, 0, 0, 1, 0, 0, 0, 0, 0];
        byte[] dict = [0x09, 0x07, .. TagHeaderBuilder.Symbol("k"), 0x03, 0, 0, 0, 3, 0x06];
        byte[] f32Vector = [0x0a, 0x08, 0, 0, 0, 2, 0x01, 0x00, 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0];
        byte[] vector = [0x08, 0, 0, 0, 2, 0x00, 0x01];
        byte[] pair = [0x07, 0x0b, 0, 0, 0, 0, 0, 0, 0, 5, 0x05, .. new byte[16]];
        var message = new TagHeaderBuilder(0)
            .Tag(1, "frame_start_not", TagHeaderBuilder.Int32(1))
            .Tag(2, "rx_time", tuple)
            .Tag(2, "meta", dict)
            .Tag(2, "frame_start", f32Vector)
            .Tag(3, "v", vector)
            .Tag(4, "p", pair, srcid: "")
            .Build(Wire.Ramp(0, 10));
        var frame = Assert.Single(harness.Run([message]));
        Assert.Equal(Wire.Ramp(2, 8), frame.Llrs);
    }

    [Fact]
    public void Frame_cut_short_by_a_tag_is_malformed_and_framing_resumes_at_the_tag()
    {
        using var harness = new FramingHarness(Tagged());
        var output = harness.Run([Message(0, 20, 0, 5)]);
        Assert.Equal(Wire.Ramp(5, 8), Assert.Single(output).Llrs); // 13..19 is incomplete at end of stream: never a frame
        Assert.Equal(1, harness.Probe.Dropped("malformed"));
    }

    [Fact]
    public void Offset_gap_counts_lost_items_drops_the_spanning_frame_and_realigns_at_the_next_tag()
    {
        using var harness = new FramingHarness(Tagged());
        var output = harness.Run(
        [
            Message(0, 6, 0),          // frame 0..7 starts
            // message 6..11 lost upstream
            Message(12, 6, 16),        // gap of 6 items: partial frame dropped; 12..15 unaligned; frame starts at 16
            Message(18, 6),            // frame 16..23 completes
        ]);
        Assert.Equal(Wire.Ramp(16, 8), Assert.Single(output).Llrs);
        var framer = (TaggedFramer)harness.Framer;
        Assert.Equal(6, framer.ItemsLost);
        Assert.Equal(6, harness.Probe["receiver.upstream.items_lost"]);
        Assert.Equal(1, harness.Probe.Dropped("malformed"));
        Assert.Equal(4, framer.UnalignedItems);
    }

    [Fact]
    public void An_implausible_offset_jump_is_a_reset_not_a_loss_so_the_loss_counter_never_goes_down()
    {
        using var harness = new FramingHarness(Tagged());
        const ulong far = (1UL << 63) + 5;
        var output = harness.Run(
        [
            Message(0, 8, 0),
            Message(14, 4),                                   // 6 items lost: counted
            new TagHeaderBuilder(far).Tag(far, "frame_start", TagHeaderBuilder.Int32(0)).Build(Wire.Ramp(0, 8)), // jump > 2^63: reset
            new TagHeaderBuilder(far + 8).Build(Wire.Ramp(8, 8)),
        ]);
        Assert.Equal(3, output.Count);
        Assert.Equal(6, harness.Probe["receiver.upstream.items_lost"]);
        Assert.Equal(6, ((TaggedFramer)harness.Framer).ItemsLost);
        Assert.Equal(1, harness.Probe["receiver.ingest.stream_events"]);
    }

    [Fact]
    public void Wrong_magic_wrong_version_and_truncated_headers_are_malformed_and_good_messages_continue()
    {
        using var harness = new FramingHarness(Tagged());
        var wrongMagic = new TagHeaderBuilder(8, magic: 0x5FF1).Tag(8, "frame_start", TagHeaderBuilder.Int32(0)).Build(Wire.Ramp(8, 8));
        var wrongVersion = new TagHeaderBuilder(8, version: 2).Build(Wire.Ramp(8, 8));
        var good = Message(0, 8, 0);
        var truncatedTag = Message(8, 0, 8)[..30];
        var output = harness.Run([good, wrongMagic, wrongVersion, good[..10], truncatedTag, Message(8, 8, 8), Message(16, 8, 16)]);
        Assert.Equal([0L, 1L, 2L], output.Select(f => f.Sequence));
        Assert.Equal(Wire.Ramp(16, 8), output[2].Llrs);
        Assert.Equal(4, harness.Probe.Dropped("malformed"));
        Assert.Equal(0, harness.Probe["receiver.upstream.items_lost"]);
    }

    [Fact]
    public void Tag_count_beyond_the_message_is_malformed_without_looping()
    {
        using var harness = new FramingHarness(Tagged());
        var message = Message(0, 8, 0);
        BitConverter.TryWriteBytes(message.AsSpan(11), ulong.MaxValue);
        Assert.Empty(harness.Run([message]));
        Assert.Equal(1, harness.Probe.Dropped("malformed"));
    }

    [Theory]
    [InlineData("gr_float_tagged.bin", "frame_start")]
    [InlineData("gr_float_packet_len.bin", "packet_len")]
    public void Fixture_captured_from_GNU_Radio_aligns_on_its_tags(string file, string key)
    {
        using var harness = new FramingHarness(Tagged(key, "ldpc121"));
        var output = harness.Run(Wire.ReadRecords(file));
        Assert.Equal(8, output.Count); // the ninth tag at 968 has 32 items before the stream ends
        for (var f = 0; f < 8; f++) Assert.Equal(Wire.Ramp(121 * f, 121), output[f].Llrs);
        Assert.Equal(0, ((TaggedFramer)harness.Framer).UnalignedItems);
        Assert.Equal(0, harness.Probe.Dropped("malformed"));
    }

    [Fact]
    public void Fixture_with_a_lost_message_reports_the_gap_and_recovers()
    {
        using var harness = new FramingHarness(Tagged("frame_start", "ldpc121"));
        var records = Wire.ReadRecords("gr_float_tagged.bin");
        records.RemoveAt(3); // items 288..383: frame 2 (242..362) and the start of frame 3 (363..483) are lost
        var output = harness.Run(records);
        Assert.Equal([0L, 1L, 3L, 4L, 5L, 6L], output.Select(f => f.Sequence));
        Assert.Equal([0, 1, 4, 5, 6, 7], output.Select(f => (int)f.Llrs[0] / 121));
        Assert.Equal(96, ((TaggedFramer)harness.Framer).ItemsLost);
        Assert.Equal(1, harness.Probe.Dropped("malformed"));
    }

    [Fact]
    public void Fixture_without_tags_gives_no_frames_and_counts_unaligned_items()
    {
        using var harness = new FramingHarness(Tagged("frame_start", "ldpc121"));
        Assert.Empty(harness.Run(Wire.ReadRecords("gr_float_tagged_notags.bin")));
        Assert.Equal(1000, ((TaggedFramer)harness.Framer).UnalignedItems);
    }
}

public class PmtTests
{
    [Theory]
    [InlineData("02000b6672616d655f7374617274")] // symbol frame_start, as pmt.serialize_str(pmt.intern('frame_start')) prints it
    [InlineData("0300000005")]                   // from_long(5)
    [InlineData("0d0000010000000000")]           // from_long(1 << 40)
    [InlineData("0b0000000000000005")]           // from_uint64(5)
    [InlineData("043ff8000000000000")]           // from_double(1.5)
    [InlineData("053ff00000000000004000000000000000")] // from_complex(1+2j)
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("06")]
    [InlineData("07020001610300000001")]         // cons(a, 1)
    [InlineData("0c00000002020001610300000001")] // make_tuple(a, 1)
    [InlineData("0a080000000201003f80000040000000")] // init_f32vector([1, 2])
    [InlineData("0a00000000030100010203")]       // init_u8vector([1, 2, 3])
    [InlineData("0a0b00000001010000000000000000003ff0000000000000")] // init_c64vector([1j])
    [InlineData("080000000203000000070300000007")] // make_vector(2, 7)
    [InlineData("09070200016b030000000306")]     // dict {k: 3}
    public void Serialized_pmts_from_GNU_Radio_are_skipped_exactly(string hex)
    {
        var bytes = Convert.FromHexString(hex + "ee");
        var reader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(bytes));
        Assert.True(Pmt.TrySkip(ref reader));
        Assert.Equal(bytes.Length - 1, reader.Consumed);
        for (var length = 0; length < bytes.Length - 1; length++)
        {
            var truncated = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(bytes, 0, length));
            Assert.False(Pmt.TrySkip(ref truncated));
        }
    }

    [Fact]
    public void Symbol_match_compares_the_whole_name()
    {
        var bytes = Convert.FromHexString("02000b6672616d655f7374617274");
        foreach (var (name, expected) in new[] { ("frame_start", true), ("frame", false), ("frame_start_", false) })
        {
            var reader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>(bytes));
            Assert.True(Pmt.TryReadSymbol(ref reader, System.Text.Encoding.UTF8.GetBytes(name), out var matches));
            Assert.Equal(expected, matches);
            Assert.Equal(bytes.Length, reader.Consumed);
        }
    }
}

public class FramingKernelTests
{
    [Fact]
    public void Finish_in_place_negates_and_finds_non_finite_values_at_every_position()
    {
        foreach (var length in new[] { 1, 7, 8, 15, 16, 17, 31, 64, 121, 1000 })
        {
            var values = Wire.Ramp(1, length);
            Assert.True(LlrKernels.FinishInPlace(values, negate: true));
            Assert.Equal(Wire.Ramp(1, length).Select(x => -x), values);
            Assert.True(LlrKernels.FinishInPlace(values, negate: false));
            for (var position = 0; position < length; position += Math.Max(1, length / 13))
            {
                foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    var copy = Wire.Ramp(0, length);
                    copy[position] = bad;
                    Assert.False(LlrKernels.FinishInPlace(copy, negate: false));
                }
            }
        }
    }

    [Fact]
    public void Widen_int8_matches_scalar_for_all_values()
    {
        var source = Enumerable.Range(0, 300).Select(i => (sbyte)(i * 7)).ToArray();
        var destination = new float[300];
        LlrKernels.WidenInt8(source, destination, -0.125f);
        Assert.Equal(source.Select(v => v * -0.125f), destination);
    }
}
