using System.Buffers;
using Receiver.Common;
using Receiver.Transport.Framing;

namespace Receiver.Transport.Tests;

public class FramingRawTests
{
    private static IngestOptions Raw(IngestFormat format, string code, LlrSign sign = LlrSign.Canonical) =>
        new() { Endpoint = "tcp://127.0.0.1:5555", Format = format, Code = code, LlrSign = sign };

    [Fact]
    public void GrFloat_realigns_frames_for_random_message_sizes()
    {
        var random = new Random(1234);
        foreach (var code in new[] { ("c12", 12), ("ldpc121", 121) })
        {
            for (var trial = 0; trial < 60; trial++)
            {
                var frames = random.Next(1, 20);
                var items = Wire.Ramp(0, frames * code.Item2 + random.Next(code.Item2)); // a partial frame left over at the end
                var bytes = Wire.Floats(items);
                var messages = new List<byte[]>();
                for (var position = 0; position < items.Length;)
                {
                    var count = Math.Min(items.Length - position, random.Next(1, 3 * code.Item2));
                    messages.Add(bytes.AsSpan(4 * position, 4 * count).ToArray());
                    position += count;
                }
                using var harness = new FramingHarness(Raw(IngestFormat.GrFloat, code.Item1));
                var output = harness.Run(messages, segmentSize: random.Next(16, 512));
                Assert.Equal(frames, output.Count);
                for (var f = 0; f < frames; f++)
                {
                    Assert.Equal(f, output[f].Sequence);
                    Assert.Equal(Wire.Ramp(f * code.Item2, code.Item2), output[f].Llrs);
                }
                Assert.Equal(frames, harness.Probe.In);
            }
        }
    }

    [Theory]
    [InlineData(LlrSign.Canonical, 3f, 3f)]
    [InlineData(LlrSign.GnuRadio, 3f, -3f)]
    [InlineData(LlrSign.GnuRadio, -0.5f, 0.5f)]
    public void GrFloat_sign_convention_is_pinned(LlrSign sign, float onWire, float canonical)
    {
        using var harness = new FramingHarness(Raw(IngestFormat.GrFloat, "ldpc121", sign));
        var output = harness.Run([Wire.Floats(Enumerable.Repeat(onWire, 121).ToArray())]);
        Assert.All(Assert.Single(output).Llrs, llr => Assert.Equal(canonical, llr));
    }

    [Theory]
    [InlineData(LlrSign.Canonical, 1f)]
    [InlineData(LlrSign.GnuRadio, -1f)]
    public void GrChar_scales_int8_and_applies_the_sign(LlrSign sign, float direction)
    {
        var options = Raw(IngestFormat.GrChar, "c300", sign) with { CharScale = 0.25f };
        using var harness = new FramingHarness(options);
        var wire = Enumerable.Range(0, 600).Select(i => (byte)(i - 128)).ToArray(); // int8 -128..127, twice-ish, across SIMD widths
        var output = harness.Run([wire[..77], wire[77..450], wire[450..]]);
        Assert.Equal(2, output.Count);
        for (var f = 0; f < 2; f++)
            for (var i = 0; i < 300; i++)
                Assert.Equal(direction * 0.25f * (sbyte)wire[300 * f + i], output[f].Llrs[i]);
    }

    [Fact]
    public void GrFloat_message_of_odd_length_is_dropped_and_the_stream_continues()
    {
        using var harness = new FramingHarness(Raw(IngestFormat.GrFloat, "c8"));
        var output = harness.Run([Wire.Floats(Wire.Ramp(0, 5)), [1, 2, 3, 4, 5, 6, 7], Wire.Floats(Wire.Ramp(5, 11))]);
        Assert.Equal(2, output.Count);
        Assert.Equal(Wire.Ramp(0, 8), output[0].Llrs);
        Assert.Equal(Wire.Ramp(8, 8), output[1].Llrs);
        Assert.Equal(1, harness.Probe.Dropped("malformed"));
        Assert.Equal(1, harness.Framer.DroppedMalformed);
    }

    [Theory]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 57)]
    [InlineData(float.NegativeInfinity, 120)]
    [InlineData(float.NaN, 64)]
    public void NonFinite_frame_is_dropped_whole_and_the_next_one_comes_out(float bad, int position)
    {
        using var harness = new FramingHarness(Raw(IngestFormat.GrFloat, "ldpc121", LlrSign.GnuRadio));
        var first = Wire.Ramp(0, 121);
        first[position] = bad;
        var output = harness.Run([Wire.Floats([.. first, .. Wire.Ramp(121, 121)])]);
        var frame = Assert.Single(output);
        Assert.Equal(1, frame.Sequence);
        Assert.Equal(Wire.Ramp(121, 121).Select(x => -x), frame.Llrs);
        Assert.Equal(1, harness.Probe.Dropped("non_finite"));
        Assert.Equal(1, harness.Probe.In);
    }

    [Fact]
    public void Fixture_gr_float_raw_gives_the_transmitted_ramp()
    {
        using var harness = new FramingHarness(Raw(IngestFormat.GrFloat, "ldpc121"));
        var output = harness.Run(Wire.ReadRecords("gr_float_raw.bin"));
        Assert.Equal(1000 / 121, output.Count);
        for (var f = 0; f < output.Count; f++) Assert.Equal(Wire.Ramp(121 * f, 121), output[f].Llrs);
    }

    [Fact]
    public void Fixture_gr_float_pub_key_with_the_key_parts_removed()
    {
        // The receive loop drops the key part of two-part messages (IngestOptions.TwoPart); records alternate key, payload.
        var records = Wire.ReadRecords("gr_float_pub_key.bin");
        Assert.All(records.Where((_, i) => i % 2 == 0), key => Assert.Equal("llr"u8.ToArray(), key));
        using var harness = new FramingHarness(Raw(IngestFormat.GrFloat, "ldpc121") with { TwoPart = true });
        var output = harness.Run(records.Where((_, i) => i % 2 == 1));
        Assert.Equal(8, output.Count);
        Assert.Equal(Wire.Ramp(121 * 7, 121), output[7].Llrs);
    }

    [Fact]
    public void Fixture_gr_char_raw_scales_bytes()
    {
        using var harness = new FramingHarness(Raw(IngestFormat.GrChar, "ldpc121") with { CharScale = 0.5f });
        var output = harness.Run(Wire.ReadRecords("gr_char_raw.bin"));
        Assert.Equal(8, output.Count);
        for (var f = 0; f < 8; f++)
            for (var i = 0; i < 121; i++)
                Assert.Equal(0.5f * (sbyte)((121 * f + i) % 256), output[f].Llrs[i]);
    }

    [Theory]
    [InlineData(IngestFormat.GrFloat)]
    [InlineData(IngestFormat.GrChar)]
    [InlineData(IngestFormat.GrTagged)]
    [InlineData(IngestFormat.Framed)]
    public void Steady_state_framing_allocates_nothing_per_frame(IngestFormat format)
    {
        var metrics = new ReceiverMetrics();
        var pool = new FramePool();
        var options = Raw(format, "ldpc121", LlrSign.GnuRadio);
        var framer = MessageFramer.Create(options, new FakeCodes(), pool, metrics);
        var offset = 0UL;
        byte[] NextMessage() => format switch
        {
            IngestFormat.GrFloat => Wire.Floats(Wire.Ramp(0, 1000)),
            IngestFormat.GrChar => new byte[1000],
            IngestFormat.GrTagged => new TagHeaderBuilder(offset).Tag(offset, "frame_start", TagHeaderBuilder.Int32(0)).Build(Wire.Ramp(0, 121 * 8)),
            _ => Wire.Envelope("ldpc121", 1, 2, Wire.Ramp(0, 121)),
        };
        // Messages are built beforehand: only the framing is measured.
        var messages = Enumerable.Range(0, 600).Select(_ =>
        {
            var message = NextMessage();
            offset += 121 * 8;
            return new ReadOnlySequence<byte>(message);
        }).ToArray();
        void Pump(int from, int to)
        {
            for (var m = from; m < to; m++)
            {
                framer.OnMessage(messages[m % messages.Length]);
                foreach (var frame in framer.Pending) pool.Return(frame);
                framer.Pending.Clear();
            }
        }
        Pump(0, 100);
        // A per-frame allocation shows in every window; the JIT's tier-up may add a few bytes to one of them.
        var windows = new List<long>();
        for (var window = 0; window < 8; window++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Pump(100 + 100 * window, 200 + 100 * window);
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(windows.Min() == 0, $"bytes allocated per 100 messages: {string.Join(", ", windows)}");
        Assert.True(framer.FramesOut >= 600);
        Assert.Equal(0, framer.DroppedMalformed);
        metrics.Dispose();
    }
}

public class FramingEnvelopeTests
{
    private static readonly IngestOptions Framed = new() { Endpoint = "@tcp://127.0.0.1:0", Format = IngestFormat.Framed };

    [Fact]
    public void Envelopes_of_mixed_codes_become_frames_with_their_sequence_and_timestamp()
    {
        using var harness = new FramingHarness(Framed);
        var output = harness.Run([Wire.Envelope("c8", 10, 111, Wire.Ramp(0, 8)), Wire.Envelope("ldpc121", 11, 222, Wire.Ramp(5, 121))], segmentSize: 32);
        Assert.Equal(2, output.Count);
        Assert.Equal((1, 10L, 111L), (output[0].Code, output[0].Sequence, output[0].SourceNs));
        Assert.Equal(Wire.Ramp(0, 8), output[0].Llrs);
        Assert.Equal((3, 11L, 222L), (output[1].Code, output[1].Sequence, output[1].SourceNs));
        Assert.Equal(Wire.Ramp(5, 121), output[1].Llrs);
    }

    [Fact]
    public void GnuRadio_sign_is_flipped_for_envelopes()
    {
        using var harness = new FramingHarness(Framed with { LlrSign = LlrSign.GnuRadio });
        var output = harness.Run([Wire.Envelope("c4", 0, 0, [1f, -2f, 0.5f, 0f])]);
        Assert.Equal([-1f, 2f, -0.5f, -0f], Assert.Single(output).Llrs);
    }

    [Fact]
    public void Bad_envelopes_are_counted_by_reason_and_good_ones_still_come_out()
    {
        using var harness = new FramingHarness(Framed);
        var random = new Random(99);
        var messages = new List<byte[]>
        {
            Wire.Envelope("c8", 1, 0, Wire.Ramp(0, 8)),
            Wire.Envelope("nope", 2, 0, Wire.Ramp(0, 8)),           // unknown code
            Wire.Envelope("c8", 3, 0, Wire.Ramp(0, 7)),             // wrong length
            Wire.Envelope("c8", 4, 0, [1, 2, float.NaN, 4, 5, 6, 7, 8]),
            Wire.Envelope("c8", 5, 0, Wire.Ramp(0, 8))[..20],       // truncated
            Array.Empty<byte>(),                                    // empty message
        };
        for (var i = 0; i < 50; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            messages.Add(garbage);
        }
        messages.Add(Wire.Envelope("c8", 6, 0, Wire.Ramp(8, 8)));
        var output = harness.Run(messages);

        Assert.Equal([1L, 6L], output.Select(f => f.Sequence));
        Assert.Equal(Wire.Ramp(8, 8), output[1].Llrs);
        Assert.Equal(1, harness.Probe.Dropped("unknown_code"));
        Assert.Equal(1, harness.Probe.Dropped("non_finite"));
        Assert.Equal(2 + 1 + 50, harness.Probe.Dropped("malformed"));
        Assert.Equal(2, harness.Probe.In);
    }
}

public class FramingReaderTests
{
    private static readonly IngestOptions Framed = new() { Endpoint = "tcp://127.0.0.1:1", Format = IngestFormat.Framed, MaxMessageBytes = 1000 };

    private static readonly IngestOptions Float4 = new() { Endpoint = "tcp://a:1", Format = IngestFormat.GrFloat, Code = "c4" };

    [Fact]
    public void Sender_lost_mid_frame_drops_the_partial_frame_as_truncated_and_the_next_sender_starts_aligned()
    {
        using var harness = new FramingHarness(Float4);
        harness.Feed(Wire.Floats(Wire.Ramp(0, 6)));   // one frame and half of the next
        harness.Framer.OnPeerLost();
        harness.Feed(Wire.Floats(Wire.Ramp(100, 8))); // the restarted sender: two whole frames
        harness.Framer.OnCompleted();
        Assert.Equal([[0f, 1, 2, 3], [100f, 101, 102, 103], [104f, 105, 106, 107]], harness.Sink.Frames.Select(f => f.Llrs));
        Assert.Equal(1, harness.Probe.Dropped("truncated"));
        Assert.Equal(3, harness.Probe.In);
    }

    [Fact]
    public void Partial_frame_at_the_end_and_empty_messages_are_counted()
    {
        using var harness = new FramingHarness(Float4);
        harness.Run([Wire.Floats(Wire.Ramp(0, 4)), [], Wire.Floats(Wire.Ramp(4, 3))]);
        Assert.Single(harness.Sink.Frames);
        Assert.Equal(1, harness.Probe.Dropped("malformed"));
        Assert.Equal(3, harness.Probe["receiver.ingest.items_discarded:partial_frame"]);
    }

    [Fact]
    public void Gr_char_partial_frame_at_the_end_is_counted()
    {
        using var harness = new FramingHarness(new IngestOptions { Endpoint = "tcp://a:1", Format = IngestFormat.GrChar, Code = "c4" });
        harness.Run([[1, 2, 3, 4, 5, 6]]);
        Assert.Single(harness.Sink.Frames);
        Assert.Equal(2, harness.Probe["receiver.ingest.items_discarded:partial_frame"]);
    }

    [Fact]
    public void Options_validation_gives_one_line_errors()
    {
        Assert.Empty(new IngestOptions { Endpoint = "tcp://127.0.0.1:5555", Format = IngestFormat.Framed }.Validate());
        var errors = new IngestOptions
        {
            Endpoint = "127.0.0.1:5555",
            Format = IngestFormat.GrChar,
            CharScale = float.NaN,
            MaxMessageBytes = 0,
            Subscribe = "llr",
            ReceiveHighWaterMark = -1,
        }.Validate();
        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.DoesNotContain('\n', e));
        Assert.Contains(errors, e => e.Contains("needs a code"));
        Assert.Contains(errors, e => e.Contains("no transport"));
        Assert.Single(new IngestOptions { Endpoint = "@ipc:///tmp/x", Format = IngestFormat.GrTagged, Code = "c8", TagKey = "" }.Validate());
        Assert.True(IngestNames.TryParseFormat("gr-tagged", out var format) && format == IngestFormat.GrTagged);
        Assert.True(IngestNames.TryParseLlrSign("gnuradio", out var sign) && sign == LlrSign.GnuRadio);
        Assert.False(IngestNames.TryParseFormat("json", out _));
        Assert.Throws<ArgumentException>(() => MessageFramer.Create(new IngestOptions { Endpoint = "tcp://a:1", Format = IngestFormat.GrFloat, Code = "missing" }, new FakeCodes(), new FramePool(), new ReceiverMetrics()));
    }
}
