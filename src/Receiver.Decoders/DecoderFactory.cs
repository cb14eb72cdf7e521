using Receiver.Codes;
using Receiver.Decoders.Osd;
using Receiver.Decoders.Polar;

namespace Receiver.Decoders;

/// <summary>
/// Builds a decoder from the name the CLI and configuration files use. Neural decoders live in Receiver.Neural,
/// which this project does not reference (a classical-only application links no neural runtime): they are built by
/// that assembly's <see cref="INeuralDecoderProvider"/>, found when the application carries it.
/// </summary>
public static class DecoderFactory
{
    /// <summary>Decoder names that run neural models; each is the architecture a model's manifest names.</summary>
    public static IReadOnlyList<string> NeuralArchitectures { get; } = ["ecct", "fecct", "eccfm", "uecct", "aecct", "ddecc"];

    private static readonly (string Name, string Description, Func<IBlockCode, DecoderOptions, IBatchDecoder> Create)[] Decoders =
    [
        ("bp", "belief propagation (sum-product)", (code, options) => new BeliefPropagationDecoder(code, options)),
        ("nms", "normalized min-sum (alpha = Normalization)", (code, options) => new MinSumDecoder(code, options, MinSumVariant.Normalized)),
        ("oms", "offset min-sum (beta = Offset)", (code, options) => new MinSumDecoder(code, options, MinSumVariant.Offset)),
        ("layered-nms", "layered normalized min-sum, frames in SIMD lanes (float, int16 or int8; lifted-graph kernel for quasi-cyclic codes)", CreateLayered),
        ("bm", "Berlekamp-Massey (BCH codes)", BerlekampMasseyDecoder.Create),
        ("hard", "hard decision of the channel LLRs with a syndrome check", (code, options) => new HardDecisionDecoder(code, options)),
        ("osd0", "ordered-statistics decoding, order 0 (re-encoded most reliable basis)", OsdOfOrder(0)),
        ("osd1", "ordered-statistics decoding, order 1", OsdOfOrder(1)),
        ("osd2", "ordered-statistics decoding, order 2", OsdOfOrder(2)),
        ("osd3", "ordered-statistics decoding, order 3 (slow beyond K of a few dozen)", OsdOfOrder(3)),
        ("sc", "successive cancellation (polar codes; the frozen set is read from H)", (code, options) => new SclDecoder(code, options, 1)),
        ("ecct", "error correction code transformer (needs --model)", Neural("ecct")),
        ("fecct", "foundation ECCT, one backbone for many codes (needs --model)", Neural("fecct")),
        ("eccfm", "ECC flow matching, one-step CrossMPT (needs --model)", Neural("eccfm")),
        ("uecct", "unified ECCT, one zero-padded model for codes of several lengths (needs --model)", Neural("uecct")),
        ("aecct", "accelerated ECCT, ternary weights and 8-bit activations (needs --model)", Neural("aecct")),
        ("ddecc", "denoising diffusion decoder, iterative (needs --model)", Neural("ddecc")),
    ];

    /// <summary>The SCL family: "scl" followed by the list size, 1..<see cref="SclDecoder.MaxListSize"/> ("scl8").</summary>
    private const string SclPrefix = "scl";
    private const string SclFamily = "scl<L>";

    /// <summary>Known decoder names, in the order help texts list them; the SCL family shows as "scl&lt;L&gt;".</summary>
    public static IReadOnlyList<string> Names { get; } = Decoders.Select(d => d.Name).Append(SclFamily).ToArray();

    /// <summary>One-line description of each known decoder.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = Decoders.ToDictionary(d => d.Name, d => d.Description)
        .Append(new(SclFamily, $"successive cancellation list decoding with list size L = 1..{SclDecoder.MaxListSize} (polar codes), e.g. scl8"))
        .ToDictionary();

    /// <summary>The list size of an SCL name ("scl8" gives 8), or 0 for any other name.</summary>
    public static int SclListSize(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length > SclPrefix.Length && trimmed.StartsWith(SclPrefix, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(trimmed.AsSpan(SclPrefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            && size is >= 1 and <= SclDecoder.MaxListSize
            ? size
            : 0;
    }

    /// <summary>True when <paramref name="name"/> is a neural decoder, or a hybrid with a neural stage: it needs <see cref="DecoderOptions.Model"/>.</summary>
    public static bool NeedsModel(string name) => NeuralStage(name) is not null;

    /// <summary>The neural decoder among the stages of <paramref name="name"/> ("ecct" for "bm+ecct+bm"), or null.</summary>
    public static string? NeuralStage(string name) =>
        (name ?? "").Split('+', StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).FirstOrDefault(NeuralArchitectures.Contains);

    /// <summary>True when <paramref name="name"/> is a known decoder or a hybrid of known stages ("bm+ecct+bm"; case-insensitive).</summary>
    public static bool IsKnown(string name) => HybridStages(name) is (var pre, var main, var post)
        ? (pre is null || IsSingle(pre)) && IsSingle(main) && (post is null || IsSingle(post))
        : IsSingle(name);

    /// <summary>
    /// (pre, main, post) of a hybrid name: "A+B+C" is pre A, main B, post C; "A+B" is pre A and main B when A is a
    /// hard-decision decoder (bm, hard) and B is not, else main A and post B. Null for a name without '+' or with more than three stages.
    /// </summary>
    public static (string? Pre, string Main, string? Post)? HybridStages(string name)
    {
        var parts = (name ?? "").Split('+', StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            3 => (parts[0], parts[1], parts[2]),
            2 when IsHardDecision(parts[0]) && !IsHardDecision(parts[1]) => (parts[0], parts[1], null),
            2 => (null, parts[0], parts[1]),
            _ => null,
        };
    }

    private static bool IsHardDecision(string name) => name.Equals("bm", StringComparison.OrdinalIgnoreCase) || name.Equals("hard", StringComparison.OrdinalIgnoreCase);

    private static bool IsSingle(string name) => Decoders.Any(d => d.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase)) || SclListSize(name) > 0;

    /// <summary>Creates the named decoder, or the <see cref="HybridDecoder"/> of a '+' name; an unknown name throws <see cref="ArgumentException"/> listing the known ones.</summary>
    public static IBatchDecoder Create(string name, IBlockCode code, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(options);
        if (HybridStages(name) is (var pre, var main, var post))
        {
            if (!IsKnown(name)) throw new ArgumentException($"unknown stage in hybrid decoder '{name}': known decoders are {string.Join(", ", Names)}", nameof(name));
            // The hard-decision stages around the main decoder run on the CPU wherever the main decoder runs.
            var stageOptions = options with { Device = ComputeDevice.Cpu };
            return new HybridDecoder(pre is null ? null : Create(pre, code, stageOptions), Create(main, code, options), post is null ? null : Create(post, code, stageOptions));
        }
        var trimmed = name?.Trim() ?? "";
        if (SclListSize(trimmed) is > 0 and var listSize)
        {
            RefuseCuda(trimmed, options);
            return new SclDecoder(code, options, listSize);
        }
        foreach (var decoder in Decoders)
        {
            if (!decoder.Name.Equals(trimmed, StringComparison.OrdinalIgnoreCase)) continue;
            if (!NeuralArchitectures.Contains(decoder.Name)) RefuseCuda(decoder.Name, options);
            return decoder.Create(code, options);
        }
        throw new ArgumentException($"unknown decoder '{name}': known decoders are {string.Join(", ", Names)}", nameof(name));
    }

    private static void RefuseCuda(string decoder, DecoderOptions options)
    {
        if (!options.Device.IsCuda) return;
        CudaDevices.Require(options.Device);
        throw new ArgumentException($"decoder {decoder} runs on the CPU only: device {options.Device} is for neural decoders; use device cpu");
    }

    private static Func<IBlockCode, DecoderOptions, IBatchDecoder> OsdOfOrder(int order) =>
        (code, options) => new OsdDecoder(code, options, order);

    /// <summary>
    /// Quasi-cyclic codes take the QC kernel (its own int8/int16 rule, or the fixed-point type asked for) unless
    /// float is asked for; every other code takes the generic lane decoder in the element type asked for.
    /// </summary>
    private static IBatchDecoder CreateLayered(IBlockCode code, DecoderOptions options) => (code.QuasiCyclic, options.ElementType) switch
    {
        (null, _) or (_, LaneElementType.Float) => new LayeredMinSumDecoder(code, options),
        (_, null) => new QcLayeredMinSumDecoder(code, options),
        (_, var element) => new QcLayeredMinSumDecoder(code, options, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, int16: element == LaneElementType.Int16),
    };

    private static Func<IBlockCode, DecoderOptions, IBatchDecoder> Neural(string architecture) =>
        (code, options) => NeuralProvider.Value.Create(architecture, code, options);

    private const string NeuralProviderType = "Receiver.Neural.NeuralDecoders, Receiver.Neural";

    private static readonly Lazy<INeuralDecoderProvider> NeuralProvider = new(() =>
        Type.GetType(NeuralProviderType) is { } type && Activator.CreateInstance(type) is INeuralDecoderProvider provider
            ? provider
            : throw new ArgumentException(
                $"neural decoders need the Receiver.Neural assembly, which this application does not carry: reference src/Receiver.Neural"));
}
