using System.Buffers;
using System.Buffers.Binary;
using Receiver.Codes;

namespace Receiver.Pipeline;

/// <summary>What the publisher sends per frame.</summary>
public enum OutputFormat
{
    /// <summary>K info bits, one 0/1 byte each (GNU Radio unpacked byte items).</summary>
    UnpackedInfo,
    /// <summary>K info bits, 8 per byte MSB first (GNU Radio pack_k_bits), last byte zero-padded.</summary>
    PackedInfo,
    /// <summary>N transmitted codeword bits, one 0/1 byte each.</summary>
    UnpackedCodeword,
    /// <summary>N transmitted codeword bits, 8 per byte MSB first, last byte zero-padded.</summary>
    PackedCodeword,
}

/// <summary>
/// Turns a frame's decoded graph bits into the bytes GNU Radio reads: info bits (<see cref="IBlockCode.GraphToInfo"/>)
/// or the transmitted codeword (<see cref="IBlockCode.GraphToTransmitted"/>), unpacked or packed MSB first.
/// Thread-safe and allocation-free (scratch on the stack, or rented for very long codes).
/// </summary>
public static class OutputFormatter
{
    private const int StackScratchLimit = 16 * 1024;

    /// <summary>Configuration names, as the CLI's <c>--output</c> takes them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["unpacked-info", "packed-info", "unpacked-codeword", "packed-codeword"];

    /// <summary>Bits one frame carries in a format (K for info, N for codeword).</summary>
    public static int BitCount(IBlockCode code, OutputFormat format) => IsInfo(format) ? code.K : code.N;

    /// <summary>Bytes one frame takes in a format.</summary>
    public static int OutputLength(IBlockCode code, OutputFormat format)
    {
        ArgumentNullException.ThrowIfNull(code);
        var bitCount = BitCount(code, format);
        return IsPacked(format) ? (bitCount + 7) / 8 : bitCount;
    }

    /// <summary>Writes one frame's output; returns the bytes written (<see cref="OutputLength"/>).</summary>
    public static int Format(IBlockCode code, OutputFormat format, ReadOnlySpan<byte> graphBits, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(code);
        var length = OutputLength(code, format);
        if (destination.Length < length) throw new ArgumentException($"{code.Name}: {format} needs {length} bytes, got {destination.Length}", nameof(destination));
        var bitCount = BitCount(code, format);
        if (!IsPacked(format))
        {
            Extract(code, format, graphBits, destination[..bitCount]);
            return length;
        }

        byte[]? rented = null;
        var scratch = bitCount <= StackScratchLimit ? stackalloc byte[bitCount] : (rented = ArrayPool<byte>.Shared.Rent(bitCount)).AsSpan(0, bitCount);
        try
        {
            Extract(code, format, graphBits, scratch);
            Pack(scratch, destination[..length]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        return length;
    }

    /// <summary>Packs 0/1 bytes 8 per byte, first bit in the MSB; the last byte's unused low bits are 0.</summary>
    public static void Pack(ReadOnlySpan<byte> bits, Span<byte> packed)
    {
        var length = (bits.Length + 7) / 8;
        if (packed.Length < length) throw new ArgumentException($"{bits.Length} bits need {length} bytes, got {packed.Length}", nameof(packed));
        var whole = bits.Length / 8;
        for (var i = 0; i < whole; i++)
        {
            // Byte j of the word is bit j (0/1); the multiply moves bit j to bit 63 - j with no carries, so the top byte is b0..b7 MSB first.
            var word = BinaryPrimitives.ReadUInt64LittleEndian(bits.Slice(i * 8, 8)) & 0x0101010101010101UL;
            packed[i] = (byte)((word * 0x8040201008040201UL) >> 56);
        }
        if (whole < length)
        {
            var last = 0;
            for (var j = whole * 8; j < bits.Length; j++) last |= (bits[j] & 1) << (7 - (j & 7));
            packed[whole] = (byte)last;
        }
    }

    /// <summary>Parses a configuration name (<see cref="Names"/>, case-insensitive).</summary>
    public static bool TryParse(string? text, out OutputFormat format)
    {
        var index = -1;
        for (var i = 0; i < Names.Count; i++)
            if (string.Equals(Names[i], text?.Trim(), StringComparison.OrdinalIgnoreCase)) index = i;
        format = index < 0 ? default : (OutputFormat)index;
        return index >= 0;
    }

    /// <summary>As <see cref="TryParse"/>; an unknown name throws listing the known ones.</summary>
    public static OutputFormat Parse(string? text) => TryParse(text, out var format)
        ? format
        : throw new ArgumentException($"unknown output format '{text}': choose one of {string.Join(", ", Names)}", nameof(text));

    /// <summary>The configuration name of a format.</summary>
    public static string NameOf(OutputFormat format) => Names[(int)format];

    private static bool IsInfo(OutputFormat format) => format is OutputFormat.UnpackedInfo or OutputFormat.PackedInfo;

    private static bool IsPacked(OutputFormat format) => format is OutputFormat.PackedInfo or OutputFormat.PackedCodeword;

    private static void Extract(IBlockCode code, OutputFormat format, ReadOnlySpan<byte> graphBits, Span<byte> bits)
    {
        if (IsInfo(format)) code.GraphToInfo(graphBits, bits);
        else code.GraphToTransmitted(graphBits, bits);
    }
}
