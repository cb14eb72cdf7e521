using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using MessagePack;

namespace Receiver.Common;

/// <summary>The fields of a framed envelope other than its LLRs.</summary>
/// <param name="Code">Code name as the sender configured it (resolved through <see cref="ICodeDirectory"/>).</param>
/// <param name="Sequence">Sender's sequence number.</param>
/// <param name="TimestampNs">Sender's Unix time in ns; 0 when the envelope has no <c>t_ns</c>.</param>
public readonly record struct EnvelopeHeader(string Code, long Sequence, long TimestampNs);

/// <summary>
/// The project's <c>framed</c> ingest format: one MessagePack map per message with string keys
/// <c>code</c> (str), <c>seq</c> (uint64), <c>t_ns</c> (int64, optional), <c>llr</c> (bin: float32
/// little-endian LLRs, canonical sign unless the ingest's llr-sign says otherwise). Unknown keys are
/// skipped so senders may add fields. Python: <c>msgpack.packb({"code": "nr:224,256", "seq": 7,
/// "t_ns": time.time_ns(), "llr": np.asarray(llr, "&lt;f4").tobytes()})</c>, which writes the same bytes as
/// <see cref="Write"/>. Encoded and parsed with MessagePack-CSharp's low-level writer and reader.
/// </summary>
/// <remarks>
/// The fields live here and only here: <see cref="Fields"/> lists them (their wire order), <see cref="Write"/>
/// writes them and <see cref="TryRead"/>'s switch reads them; a new field (transport-block fields, say) is one
/// key, one line in each, and one member of <see cref="EnvelopeHeader"/>.
/// </remarks>
public static class FrameEnvelope
{
    public static ReadOnlySpan<byte> CodeKey => "code"u8;
    public static ReadOnlySpan<byte> SequenceKey => "seq"u8;
    public static ReadOnlySpan<byte> TimestampKey => "t_ns"u8;
    public static ReadOnlySpan<byte> LlrKey => "llr"u8;

    /// <summary>The envelope's keys in the order <see cref="Write"/> writes them.</summary>
    public static readonly string[] Fields = ["code", "seq", "t_ns", "llr"];

    /// <summary>Writes one envelope; allocation-free apart from what the output buffer does.</summary>
    public static void Write(IBufferWriter<byte> output, string code, long seq, long tNs, ReadOnlySpan<float> llrs)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(Fields.Length);
        writer.WriteString(CodeKey);
        writer.Write(code);
        writer.WriteString(SequenceKey);
        writer.Write(unchecked((ulong)seq));
        writer.WriteString(TimestampKey);
        writer.Write(tNs);
        writer.WriteString(LlrKey);
        var byteCount = checked(llrs.Length * sizeof(float));
        writer.WriteBinHeader(byteCount);
        if (BitConverter.IsLittleEndian) writer.WriteRaw(MemoryMarshal.AsBytes(llrs));
        else
        {
            var body = writer.GetSpan(byteCount)[..byteCount];
            for (var i = 0; i < llrs.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(body[(4 * i)..], llrs[i]);
            writer.Advance(byteCount);
        }
        writer.Flush();
    }

    /// <summary>
    /// Parses one envelope. <paramref name="llrBytes"/> points into <paramref name="message"/> (float32
    /// little-endian, length a multiple of 4); the code name comes from a small cache, so steady-state
    /// parsing does not allocate. False with a one-line <paramref name="error"/> for anything malformed.
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> message, out EnvelopeHeader header, out ReadOnlySequence<byte> llrBytes, out string? error)
    {
        header = default;
        llrBytes = default;
        var reader = new MessagePackReader(message);
        string? code = null;
        ulong sequence = 0;
        long timestamp = 0;
        bool hasSequence = false, hasLlr = false;
        var field = "map";
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Map) { error = "envelope is not a MessagePack map"; return false; }
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                field = "key";
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    reader.Skip();
                    reader.Skip();
                    continue;
                }
                var key = StringSpan(ref reader);
                if (key.SequenceEqual(CodeKey))
                {
                    field = "code";
                    if (reader.NextMessagePackType != MessagePackType.String) { error = "envelope 'code' is not a string"; return false; }
                    code = CodeNameCache.Get(StringSpan(ref reader));
                    if (code is null) { error = "envelope 'code' is not valid UTF-8"; return false; }
                }
                else if (key.SequenceEqual(SequenceKey))
                {
                    field = "seq";
                    if (reader.NextMessagePackType != MessagePackType.Integer) { error = "envelope 'seq' is not a non-negative integer"; return false; }
                    sequence = reader.ReadUInt64();
                    hasSequence = true;
                }
                else if (key.SequenceEqual(TimestampKey))
                {
                    field = "t_ns";
                    if (reader.NextMessagePackType != MessagePackType.Integer) { error = "envelope 't_ns' is not an int64"; return false; }
                    timestamp = reader.ReadInt64();
                }
                else if (key.SequenceEqual(LlrKey))
                {
                    field = "llr";
                    if (reader.NextMessagePackType != MessagePackType.Binary) { error = "envelope 'llr' is not bin"; return false; }
                    llrBytes = reader.ReadBytes() ?? default;
                    if (llrBytes.Length % sizeof(float) != 0) { error = $"envelope 'llr' has {llrBytes.Length} bytes, not a multiple of 4"; return false; }
                    hasLlr = true;
                }
                else
                {
                    field = "unknown key's value";
                    reader.Skip();
                }
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            // The reader throws on truncation, a wrong integer range (a negative seq) and reserved bytes.
            error = $"envelope '{field}' is truncated or of the wrong type ({e.GetType().Name})";
            return false;
        }
        if (code is null) { error = "envelope has no 'code'"; return false; }
        if (!hasSequence) { error = "envelope has no 'seq'"; return false; }
        if (!hasLlr) { error = "envelope has no 'llr'"; return false; }
        if (!reader.End) { error = "trailing bytes after the envelope map"; return false; }
        header = new EnvelopeHeader(code, unchecked((long)sequence), timestamp);
        error = null;
        return true;
    }

    /// <summary>The UTF-8 bytes of the next string; contiguous in every message NetMQ hands over, copied only when split.</summary>
    internal static ReadOnlySpan<byte> StringSpan(ref MessagePackReader reader)
    {
        if (reader.TryReadStringSpan(out var span)) return span;
        return (reader.ReadStringSequence() ?? default).ToArray();
    }
}

/// <summary>
/// Code names seen on the wire, so parsing an envelope returns the same string object each time instead of
/// decoding a new one. Bounded: names past the limit (a hostile or buggy sender) are decoded each time.
/// </summary>
internal static class CodeNameCache
{
    private const int MaxEntries = 64;
    private static readonly Lock Gate = new();
    private static (byte[] Utf8, string Name)[] _entries = [];

    /// <summary>The string for these UTF-8 bytes; null when they are not valid UTF-8.</summary>
    public static string? Get(ReadOnlySpan<byte> utf8)
    {
        foreach (var entry in Volatile.Read(ref _entries))
            if (utf8.SequenceEqual(entry.Utf8)) return entry.Name;
        string name;
        try { name = StrictUtf8.GetString(utf8); }
        catch (DecoderFallbackException) { return null; }
        lock (Gate)
        {
            var entries = _entries;
            if (entries.Length < MaxEntries) Volatile.Write(ref _entries, [.. entries, (utf8.ToArray(), name)]);
        }
        return name;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
