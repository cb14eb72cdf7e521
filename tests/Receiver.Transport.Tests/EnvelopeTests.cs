using System.Buffers;
using System.Runtime.InteropServices;
using Receiver.Common;
using static Receiver.Transport.Tests.MessagePackTestSupport;

namespace Receiver.Transport.Tests;

public class EnvelopeTests
{
    [Fact]
    public void Envelope_round_trips_without_allocating_on_read()
    {
        float[] llrs = [1f, -2f, 0.5f, float.Epsilon, -0f];
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, "nr:224,256", 1L << 40, 1_700_000_000_123_456_789, llrs);
        var bytes = buffer.WrittenSpan.ToArray();

        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameEnvelope.TryRead(sequence, out var header, out var llrBytes, out var error), error);
        Assert.Equal(new EnvelopeHeader("nr:224,256", 1L << 40, 1_700_000_000_123_456_789), header);
        Assert.True(MemoryMarshal.Cast<byte, float>(llrBytes.ToArray()).SequenceEqual(llrs));

        FrameEnvelope.TryRead(sequence, out var again, out _, out _);
        Assert.Same(header.Code, again.Code);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) FrameEnvelope.TryRead(sequence, out _, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Envelope_written_by_msgpack_python_with_an_unknown_key_is_read()
    {
        var bytes = RunPython("envelope-pack");
        Assert.True(FrameEnvelope.TryRead(new ReadOnlySequence<byte>(bytes), out var header, out var llrBytes, out var error), error);
        Assert.Equal(new EnvelopeHeader("c4", 1L << 40, 1_700_000_000_123_456_789), header);
        Assert.Equal([1f, -2.5f, 0f, 3.25f], MemoryMarshal.Cast<byte, float>(llrBytes.ToArray()).ToArray());
    }

    [Fact]
    public void Envelope_written_here_is_what_msgpack_python_expects()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, "nr:224,256", 123456789012, -42, [0.5f, -1f, 8f]);
        RunPython("envelope-check", buffer.WrittenSpan.ToArray());
    }

    /// <summary>The same envelope, field for field, packed by msgpack-python: the bytes must be identical (small and large seq, t_ns, LLR counts).</summary>
    [Theory]
    [InlineData("c4", 0L, 0L, 4)]
    [InlineData("nr:224,256", 123456789012L, -42L, 256)]
    [InlineData("LDPC_N121_K70", 1L << 40, 1_700_000_000_123_456_789L, 121)]
    [InlineData("a-code-name-of-exactly-32-chars!", 255L, 65536L, 16448)]
    public void Envelope_bytes_equal_msgpack_pythons(string code, long seq, long tNs, int count)
    {
        var llrs = Enumerable.Range(0, count).Select(i => (i % 7 - 3) * 0.75f).ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, code, seq, tNs, llrs);
        var python = RunPython("envelope-bytes", System.Text.Encoding.UTF8.GetBytes($"{code}\n{seq}\n{tNs}\n{count}\n"));
        Assert.Equal(Hex(python), Hex(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData("92c0c0", "not a MessagePack map")]
    [InlineData("82a3736571 01 a36c6c72 c400", "no 'code'")]
    [InlineData("82a4636f6465 a26334 a36c6c72 c400", "no 'seq'")]
    [InlineData("82a4636f6465 a26334 a3736571 01", "no 'llr'")]
    [InlineData("83a4636f6465 a26334 a3736571 01 a36c6c72 c403 000000", "not a multiple of 4")]
    [InlineData("83a4636f6465 a26334 a3736571 ff a36c6c72 c400", "'seq'")]
    [InlineData("83a4636f6465 01 a3736571 01 a36c6c72 c400", "'code' is not a string")]
    [InlineData("83a4636f6465 a26334 a3736571 01 a36c6c72 a0", "'llr' is not bin")]
    [InlineData("83a4636f6465 a26334 a3736571 01 a36c6c72 c408 0000", "'llr' is truncated")]
    [InlineData("c1", "not a MessagePack map")]
    [InlineData("83a4636f6465 a26334 a3736571 01 a36c6c72 c400 c0", "trailing bytes")]
    public void Malformed_envelopes_are_rejected_with_a_reason(string hex, string expectedError)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        Assert.False(FrameEnvelope.TryRead(new ReadOnlySequence<byte>(bytes), out _, out _, out var error));
        Assert.Contains(expectedError, error);
    }

    [Fact]
    public void Every_prefix_of_an_envelope_is_rejected()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, "c8", 5, 6, new float[8]);
        var bytes = buffer.WrittenSpan.ToArray();
        for (var length = 0; length < bytes.Length; length++)
            Assert.False(FrameEnvelope.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out _, out _, out _));
    }

    [Fact]
    public void Metadata_round_trips_and_msgpack_python_reads_it()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataEnvelope.Write(buffer, 77, "ldpc121", "Converged", 5, 123.5, "main");
        var bytes = buffer.WrittenSpan.ToArray();
        Assert.True(MetadataEnvelope.TryRead(bytes, out var metadata, out var error), error);
        Assert.Equal(new DecodedMetadata(77, "ldpc121", "Converged", 5, 123.5, "main"), metadata);
        // metadata-check also packs the same map with msgpack-python and compares bytes.
        RunPython("metadata-check", bytes);
    }
}
