using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Receiver.Common.MessagePack;

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
/// "t_ns": time.time_ns(), "llr": np.asarray(llr, "&lt;f4").tobytes()})</c>.
/// </summary>
public static class FrameEnvelope
{
    public static ReadOnlySpan<byte> CodeKey => "code"u8;
    public static ReadOnlySpan<byte> SequenceKey => "seq"u8;
    public static ReadOnlySpan<byte> TimestampKey => "t_ns"u8;
    public static ReadOnlySpan<byte> LlrKey => "llr"u8;

    /// <summary>Writes one envelope; allocation-free apart from what the output buffer does.</summary>
    public static void Write(IBufferWriter<byte> output, string code, long seq, long tNs, ReadOnlySpan<float> llrs)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(4);
        writer.WriteString(CodeKey);
        writer.Write(code);
        writer.WriteString(SequenceKey);
        writer.Write(unchecked((ulong)seq));
        writer.WriteString(TimestampKey);
        writer.Write(tNs);
        writer.WriteString(LlrKey);
        var byteCount = checked(llrs.Length * sizeof(float));
        writer.WriteBinaryHeader(byteCount);
        if (byteCount == 0) return;
        var body = output.GetSpan(byteCount)[..byteCount];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(llrs).CopyTo(body);
        else for (var i = 0; i < llrs.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(body[(4 * i)..], llrs[i]);
        output.Advance(byteCount);
    }

    /// <summary>
    /// Parses one envelope. <paramref name="llrBytes"/> points into <paramref name="message"/> (float32
    /// little-endian, length a multiple of 4); the code name comes from a small cache, so steady-state
    /// parsing does not allocate. False with a one-line <paramref name="error"/> for anything malformed.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out EnvelopeHeader header, out ReadOnlySpan<byte> llrBytes, out string? error)
    {
        header = default;
        llrBytes = default;
        var reader = new MessagePackReader(message);
        if (!reader.TryReadMapHeader(out var count)) { error = "envelope is not a MessagePack map"; return false; }
        string? code = null;
        ulong sequence = 0;
        long timestamp = 0;
        bool hasSequence = false, hasLlr = false;
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadStringSpan(out var key))
            {
                if (!reader.TrySkip() || !reader.TrySkip()) { error = "envelope map is truncated"; return false; }
                continue;
            }
            if (key.SequenceEqual(CodeKey))
            {
                if (!reader.TryReadStringSpan(out var name)) { error = "envelope 'code' is not a string"; return false; }
                code = CodeNameCache.Get(name);
                if (code is null) { error = "envelope 'code' is not valid UTF-8"; return false; }
            }
            else if (key.SequenceEqual(SequenceKey))
            {
                if (!reader.TryReadUInt64(out sequence)) { error = "envelope 'seq' is not a non-negative integer"; return false; }
                hasSequence = true;
            }
            else if (key.SequenceEqual(TimestampKey))
            {
                if (!reader.TryReadInt64(out timestamp)) { error = "envelope 't_ns' is not an int64"; return false; }
            }
            else if (key.SequenceEqual(LlrKey))
            {
                if (!reader.TryReadBinary(out llrBytes)) { error = "envelope 'llr' is not bin"; return false; }
                if (llrBytes.Length % sizeof(float) != 0) { error = $"envelope 'llr' has {llrBytes.Length} bytes, not a multiple of 4"; return false; }
                hasLlr = true;
            }
            else if (!reader.TrySkip()) { error = "envelope map is truncated"; return false; }
        }
        if (code is null) { error = "envelope has no 'code'"; return false; }
        if (!hasSequence) { error = "envelope has no 'seq'"; return false; }
        if (!hasLlr) { error = "envelope has no 'llr'"; return false; }
        if (!reader.End) { error = "trailing bytes after the envelope map"; return false; }
        header = new EnvelopeHeader(code, unchecked((long)sequence), timestamp);
        error = null;
        return true;
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
