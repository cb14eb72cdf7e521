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

        Assert.True(FrameEnvelope.TryRead(bytes, out var header, out var llrBytes, out var error), error);
        Assert.Equal(new EnvelopeHeader("nr:224,256", 1L << 40, 1_700_000_000_123_456_789), header);
        Assert.True(MemoryMarshal.Cast<byte, float>(llrBytes).SequenceEqual(llrs));

        FrameEnvelope.TryRead(bytes, out var again, out _, out _);
        Assert.Same(header.Code, again.Code);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) FrameEnvelope.TryRead(bytes, out _, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Envelope_written_by_msgpack_python_with_an_unknown_key_is_read()
    {
        var bytes = RunPython("envelope-pack");
        Assert.True(FrameEnvelope.TryRead(bytes, out var header, out var llrBytes, out var error), error);
        Assert.Equal(new EnvelopeHeader("c4", 1L << 40, 1_700_000_000_123_456_789), header);
        Assert.Equal([1f, -2.5f, 0f, 3.25f], MemoryMarshal.Cast<byte, float>(llrBytes).ToArray());
    }

    [Fact]
    public void Envelope_written_here_is_what_msgpack_python_expects()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, "nr:224,256", 123456789012, -42, [0.5f, -1f, 8f]);
        RunPython("envelope-check", buffer.WrittenSpan.ToArray());
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
    [InlineData("83a4636f6465 a26334 a3736571 01 a36c6c72 c408 0000", "'llr' is not bin")]
    [InlineData("83a4636f6465 a26334 a3736571 01 a36c6c72 c400 c0", "trailing bytes")]
    public void Malformed_envelopes_are_rejected_with_a_reason(string hex, string expectedError)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        Assert.False(FrameEnvelope.TryRead(bytes, out _, out _, out var error));
        Assert.Contains(expectedError, error);
    }

    [Fact]
    public void Every_prefix_of_an_envelope_is_rejected()
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, "c8", 5, 6, new float[8]);
        var bytes = buffer.WrittenSpan.ToArray();
        for (var length = 0; length < bytes.Length; length++)
            Assert.False(FrameEnvelope.TryRead(bytes.AsSpan(0, length), out _, out _, out _));
    }

    [Fact]
    public void Metadata_round_trips_and_msgpack_python_reads_it()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MetadataEnvelope.Write(buffer, 77, "ldpc121", "Converged", 5, 123.5, "main");
        var bytes = buffer.WrittenSpan.ToArray();
        Assert.True(MetadataEnvelope.TryRead(bytes, out var metadata, out var error), error);
        Assert.Equal(new DecodedMetadata(77, "ldpc121", "Converged", 5, 123.5, "main"), metadata);
        RunPython("metadata-check", bytes);
    }
}
