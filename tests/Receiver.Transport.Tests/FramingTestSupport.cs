using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Receiver.Common;
using Receiver.Transport.Framing;

namespace Receiver.Transport.Tests;

/// <summary>Codes c4 (n=4), c8 (n=8), c12 (n=12), ldpc121 (n=121), c300 (n=300).</summary>
internal sealed class FakeCodes : ICodeDirectory
{
    private static readonly (string Name, int N)[] Codes = [("c4", 4), ("c8", 8), ("c12", 12), ("ldpc121", 121), ("c300", 300)];

    public int Count => Codes.Length;

    public bool TryGetIndex(string name, out int index)
    {
        for (index = 0; index < Codes.Length; index++)
            if (Codes[index].Name == name) return true;
        return false;
    }

    public string NameOf(int index) => Codes[index].Name;

    public int FrameLength(int index) => Codes[index].N;
}

internal sealed class CollectingSink : IFrameSink
{
    public List<(int Code, long Sequence, long SourceNs, float[] Llrs)> Frames { get; } = [];

    public ValueTask WriteAsync(Frame frame, CancellationToken cancellationToken)
    {
        Frames.Add((frame.CodeIndex, frame.Sequence, frame.SourceTimestampNs, frame.LlrSpan.ToArray()));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Sums the framer's counters from one <see cref="ReceiverMetrics"/> instance, by instrument and reason.</summary>
internal sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MetricsProbe(ReceiverMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags) if (tag.Key == "reason") key += ":" + tag.Value;
            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    public long this[string key] => _sums.GetValueOrDefault(key);

    public long Dropped(string reason) => this["receiver.frames.dropped:" + reason];

    public long In => this["receiver.frames.in"];

    public void Dispose() => _listener.Dispose();
}

/// <summary>A framer with its metrics, pool and sink, fed message by message as the ingest receive loop feeds it.</summary>
internal sealed class FramingHarness : IDisposable
{
    public FramingHarness(IngestOptions options)
    {
        Metrics = new ReceiverMetrics();
        Probe = new MetricsProbe(Metrics);
        Framer = MessageFramer.Create(options, Codes, Pool, Metrics);
    }

    public FakeCodes Codes { get; } = new();
    public FramePool Pool { get; } = new();
    public ReceiverMetrics Metrics { get; }
    public MetricsProbe Probe { get; }
    public MessageFramer Framer { get; }
    public CollectingSink Sink { get; } = new();

    /// <summary>Feeds each message split into segments of <paramref name="segmentSize"/> bytes (so reads straddle them), then ends the stream.</summary>
    public List<(int Code, long Sequence, long SourceNs, float[] Llrs)> Run(IEnumerable<byte[]> messages, int segmentSize = 64)
    {
        foreach (var message in messages) Feed(message, segmentSize);
        Framer.OnCompleted();
        return Sink.Frames;
    }

    /// <summary>Feeds one message and hands its frames to the sink.</summary>
    public void Feed(byte[] message, int segmentSize = 64)
    {
        Framer.OnMessage(Segmented(message, segmentSize));
        foreach (var frame in Framer.Pending) Sink.WriteAsync(frame, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Framer.Pending.Clear();
    }

    private static ReadOnlySequence<byte> Segmented(byte[] message, int segmentSize)
    {
        if (message.Length <= segmentSize) return new ReadOnlySequence<byte>(message);
        Segment? first = null, last = null;
        for (var start = 0; start < message.Length; start += segmentSize)
        {
            var memory = message.AsMemory(start, Math.Min(segmentSize, message.Length - start));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    public void Dispose()
    {
        Probe.Dispose();
        Metrics.Dispose();
    }
}

internal static class Wire
{
    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static float[] Ramp(int start, int count) => Enumerable.Range(start, count).Select(i => (float)i).ToArray();

    public static byte[] Envelope(string code, long seq, long tNs, float[] llrs)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FrameEnvelope.Write(buffer, code, seq, tNs, llrs);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a fixture: records [u32 LE length][bytes].</summary>
    public static List<byte[]> ReadRecords(string fileName)
    {
        var bytes = File.ReadAllBytes(Path.Combine(MessagePackTestSupport.FixtureDirectory(), fileName));
        var messages = new List<byte[]>();
        for (var position = 0; position < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
            messages.Add(bytes.AsSpan(position + 4, length).ToArray());
            position += 4 + length;
        }
        return messages;
    }
}

/// <summary>Builds gr-zeromq pass_tags headers per GNU Radio 3.10 tag_headers.cc (host-order header, big-endian PMTs).</summary>
internal sealed class TagHeaderBuilder
{
    private readonly List<byte> _bytes = [];
    private int _tagCount;
    private readonly ulong _offset;
    private readonly ushort _magic;
    private readonly byte _version;

    public TagHeaderBuilder(ulong offset, ushort magic = 0x5FF0, byte version = 1)
    {
        _offset = offset;
        _magic = magic;
        _version = version;
    }

    public TagHeaderBuilder Tag(ulong offset, string key, byte[] valuePmt, string srcid = "src")
    {
        _bytes.AddRange(LittleEndian(offset));
        _bytes.AddRange(Symbol(key));
        _bytes.AddRange(valuePmt);
        _bytes.AddRange(Symbol(srcid));
        _tagCount++;
        return this;
    }

    public byte[] Build(float[] items)
    {
        var message = new List<byte>();
        message.AddRange([(byte)_magic, (byte)(_magic >> 8), _version]);
        message.AddRange(LittleEndian(_offset));
        message.AddRange(LittleEndian((ulong)_tagCount));
        message.AddRange(_bytes);
        message.AddRange(Wire.Floats(items));
        return message.ToArray();
    }

    private static byte[] LittleEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] Symbol(string name)
    {
        var utf8 = Encoding.UTF8.GetBytes(name);
        return [0x02, (byte)(utf8.Length >> 8), (byte)utf8.Length, .. utf8];
    }

    public static byte[] Int32(int value) => [0x03, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
