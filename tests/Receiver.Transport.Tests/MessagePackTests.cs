using Receiver.Common.MessagePack;
using static Receiver.Transport.Tests.MessagePackTestSupport;

namespace Receiver.Transport.Tests;

public class MessagePackTests
{
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc80")]
    [InlineData(255L, "ccff")]
    [InlineData(256L, "cd0100")]
    [InlineData(65535L, "cdffff")]
    [InlineData(65536L, "ce00010000")]
    [InlineData(4294967295L, "ceffffffff")]
    [InlineData(4294967296L, "cf0000000100000000")]
    [InlineData(-1L, "ff")]
    [InlineData(-32L, "e0")]
    [InlineData(-33L, "d0df")]
    [InlineData(-128L, "d080")]
    [InlineData(-129L, "d1ff7f")]
    [InlineData(-32768L, "d18000")]
    [InlineData(-32769L, "d2ffff7fff")]
    [InlineData(-2147483648L, "d280000000")]
    [InlineData(-2147483649L, "d3ffffffff7fffffff")]
    [InlineData(long.MinValue, "d38000000000000000")]
    public void Integers_take_the_smallest_encoding_and_read_back(long value, string hex)
    {
        var bytes = Encode(w => w.Write(value));
        Assert.Equal(hex, Hex(bytes));
        var reader = new MessagePackReader(bytes);
        Assert.True(reader.TryReadInt64(out var read));
        Assert.Equal(value, read);
        Assert.True(reader.End);
    }

    [Fact]
    public void UInt64_above_long_range_reads_only_as_unsigned()
    {
        var bytes = Encode(w => w.Write(ulong.MaxValue));
        Assert.Equal("cfffffffffffffffff", Hex(bytes));
        var reader = new MessagePackReader(bytes);
        Assert.False(reader.TryReadInt64(out _));
        Assert.Equal(0, reader.Consumed);
        Assert.True(reader.TryReadUInt64(out var value));
        Assert.Equal(ulong.MaxValue, value);
        var negative = new MessagePackReader(Encode(w => w.Write(-1L)));
        Assert.False(negative.TryReadUInt64(out _));
    }

    [Theory]
    [InlineData(0, "a0")]
    [InlineData(31, "bf")]
    [InlineData(32, "d920")]
    [InlineData(255, "d9ff")]
    [InlineData(256, "da0100")]
    [InlineData(65535, "daffff")]
    [InlineData(65536, "db00010000")]
    public void String_headers_follow_the_spec(int length, string headerHex)
    {
        var text = new string('s', length);
        var bytes = Encode(w => w.Write(text));
        Assert.StartsWith(headerHex, Hex(bytes.AsSpan(0, Math.Min(bytes.Length, 5))));
        Assert.Equal(headerHex.Length / 2 + length, bytes.Length);
        var reader = new MessagePackReader(bytes);
        Assert.True(reader.TryReadString(out var read));
        Assert.Equal(text, read);
    }

    [Theory]
    [InlineData(0, "c400")]
    [InlineData(255, "c4ff")]
    [InlineData(256, "c50100")]
    [InlineData(65536, "c600010000")]
    public void Binary_headers_follow_the_spec(int length, string headerHex)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var bytes = Encode(w => w.WriteBinary(payload));
        Assert.Equal(headerHex, Hex(bytes.AsSpan(0, headerHex.Length / 2)));
        var reader = new MessagePackReader(bytes);
        Assert.True(reader.TryReadBinary(out var read));
        Assert.True(read.SequenceEqual(payload));
    }

    [Theory]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc0010", "de0010")]
    [InlineData(65536, "dd00010000", "df00010000")]
    public void Array_and_map_headers_follow_the_spec(int count, string arrayHex, string mapHex)
    {
        Assert.Equal(arrayHex, Hex(Encode(w => w.WriteArrayHeader(count))));
        Assert.Equal(mapHex, Hex(Encode(w => w.WriteMapHeader(count))));
    }

    [Fact]
    public void Floats_nil_and_booleans()
    {
        var bytes = Encode(w => { w.Write(1.5f); w.Write(-0.1); w.WriteNil(); w.Write(true); w.Write(false); });
        Assert.Equal("ca3fc00000" + "cbbfb999999999999a" + "c0c3c2", Hex(bytes));
        var reader = new MessagePackReader(bytes);
        Assert.True(reader.TryReadDouble(out var single));
        Assert.Equal(1.5, single);
        Assert.True(reader.TryReadDouble(out var dbl));
        Assert.Equal(-0.1, dbl);
        Assert.True(reader.TryReadNil());
        Assert.True(reader.TryReadBoolean(out var t) && t);
        Assert.True(reader.TryReadBoolean(out var f) && !f);
        Assert.True(reader.End);
    }

    [Fact]
    public void Tree_round_trips_and_skips()
    {
        var tree = Reference();
        var bytes = Encode(w => { WriteTree(w, tree); w.Write(42L); });
        var reader = new MessagePackReader(bytes);
        AssertTreeEqual(tree, ReadTree(ref reader));
        var skipper = new MessagePackReader(bytes);
        Assert.True(skipper.TrySkip());
        Assert.True(skipper.TryReadInt64(out var after));
        Assert.Equal(42, after);
        Assert.True(skipper.End);
    }

    [Fact]
    public void Every_truncation_fails_without_moving_or_throwing()
    {
        var bytes = Encode(w => WriteTree(w, new List<object?> { "code", 1L << 40, new byte[] { 1, 2, 3 }, -1.5, new List<KeyValuePair<string, object?>> { new("k", null) } }));
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new MessagePackReader(bytes.AsSpan(0, length));
            Assert.False(reader.TrySkip());
            Assert.Equal(0, reader.Consumed);
        }
    }

    [Fact]
    public void Extensions_are_skipped()
    {
        byte[] bytes = [0xd4, 0x01, 0xaa, 0xc7, 0x02, 0x05, 0x01, 0x02, 0xd8, 0x7f, .. new byte[16], 0x07];
        var reader = new MessagePackReader(bytes);
        Assert.Equal(MessagePackType.Extension, reader.NextType);
        Assert.True(reader.TrySkip());
        Assert.True(reader.TrySkip());
        Assert.True(reader.TrySkip());
        Assert.True(reader.TryReadInt64(out var last));
        Assert.Equal(7, last);
    }

    [Fact]
    public void Hostile_counts_and_reserved_bytes_are_rejected()
    {
        var huge = new MessagePackReader([0xdd, 0xff, 0xff, 0xff, 0xff, 0x00]);
        Assert.False(huge.TryReadArrayHeader(out _));
        Assert.False(huge.TrySkip());
        var hugeMap = new MessagePackReader([0xdf, 0x7f, 0xff, 0xff, 0xff]);
        Assert.False(hugeMap.TrySkip());
        var reserved = new MessagePackReader([0xc1]);
        Assert.Equal(MessagePackType.Unknown, reserved.NextType);
        Assert.False(reserved.TrySkip());
        var deep = Enumerable.Repeat((byte)0x91, 100_000).Append((byte)0xc0).ToArray();
        var nested = new MessagePackReader(deep);
        Assert.True(nested.TrySkip());
        Assert.True(nested.End);
        var badUtf8 = new MessagePackReader([0xa2, 0xff, 0xfe]);
        Assert.False(badUtf8.TryReadString(out _));
        Assert.Equal(0, badUtf8.Consumed);
    }

    [Fact]
    public void Wrong_type_reads_fail_without_moving()
    {
        var reader = new MessagePackReader(Encode(w => w.Write("x")));
        Assert.False(reader.TryReadInt64(out _));
        Assert.False(reader.TryReadBinary(out _));
        Assert.False(reader.TryReadMapHeader(out _));
        Assert.False(reader.TryReadArrayHeader(out _));
        Assert.False(reader.TryReadBoolean(out _));
        Assert.False(reader.TryReadNil());
        Assert.False(reader.TryReadDouble(out _));
        Assert.Equal(0, reader.Consumed);
    }
}

public class MessagePackInteropTests
{
    [Fact]
    public void CSharp_reads_what_msgpack_python_packs()
    {
        var bytes = RunPython("pack");
        var reader = new MessagePackReader(bytes);
        AssertTreeEqual(Reference(), ReadTree(ref reader));
        Assert.True(reader.TryReadArrayHeader(out var count));
        Assert.Equal(Singles.Length, count);
        foreach (var single in Singles)
        {
            Assert.Equal(MessagePackType.Float, reader.NextType);
            Assert.True(reader.TryReadDouble(out var value));
            Assert.Equal(single, (float)value);
        }
        Assert.True(reader.End);
    }

    [Fact]
    public void Msgpack_python_unpacks_what_CSharp_writes_byte_for_byte()
    {
        var bytes = Encode(w =>
        {
            WriteTree(w, Reference());
            w.WriteArrayHeader(Singles.Length);
            foreach (var single in Singles) w.Write(single);
        });
        RunPython("check", bytes);
    }
}
