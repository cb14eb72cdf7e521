using Receiver.Codes;
using Receiver.Decoders.Neural;

namespace Receiver.Decoders;

/// <summary>Builds a decoder from the name the CLI and configuration files use.</summary>
public static class DecoderFactory
{
    private static readonly (string Name, string Description, Func<IBlockCode, DecoderOptions, IBatchDecoder> Create)[] Decoders =
    [
        ("bp", "belief propagation (sum-product)", (code, options) => new BeliefPropagationDecoder(code, options)),
        ("nms", "normalized min-sum (alpha = Normalization)", (code, options) => new MinSumDecoder(code, options, MinSumVariant.Normalized)),
        ("oms", "offset min-sum (beta = Offset)", (code, options) => new MinSumDecoder(code, options, MinSumVariant.Offset)),
        ("layered-nms", "layered normalized min-sum (lifted-graph kernel for quasi-cyclic codes)", (code, options) => code.QuasiCyclic is not null
            ? new QcLayeredMinSumDecoder(code, options)
            : new LayeredMinSumDecoder(code, options)),
        ("bm", "Berlekamp-Massey (BCH codes)", BerlekampMasseyDecoder.Create),
        ("hard", "hard decision of the channel LLRs with a syndrome check", (code, options) => new HardDecisionDecoder(code, options)),
        ("ecct", "error correction code transformer (needs --model)", (code, options) => NeuralDecoder.Create("ecct", code, options)),
        ("fecct", "foundation ECCT, one backbone for many codes (needs --model)", (code, options) => NeuralDecoder.Create("fecct", code, options)),
        ("eccfm", "ECC flow matching, one-step CrossMPT (needs --model)", (code, options) => NeuralDecoder.Create("eccfm", code, options)),
        ("uecct", "unified ECCT, one zero-padded model for codes of several lengths (needs --model)", (code, options) => NeuralDecoder.Create("uecct", code, options)),
        ("aecct", "accelerated ECCT, ternary weights and 8-bit activations (needs --model)", (code, options) => NeuralDecoder.Create("aecct", code, options)),
        ("ddecc", "denoising diffusion decoder, iterative (needs --model)", (code, options) => NeuralDecoder.Create("ddecc", code, options)),
    ];

    /// <summary>Known decoder names, in the order help texts list them.</summary>
    public static IReadOnlyList<string> Names { get; } = Decoders.Select(d => d.Name).ToArray();

    /// <summary>One-line description of each known decoder.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = Decoders.ToDictionary(d => d.Name, d => d.Description);

    /// <summary>True when <paramref name="name"/> is a neural decoder, which needs <see cref="DecoderOptions.Model"/>.</summary>
    public static bool NeedsModel(string name) => name is not null && NeuralDecoder.Architectures.Contains(name.Trim().ToLowerInvariant());

    /// <summary>True when <paramref name="name"/> is a known decoder (case-insensitive).</summary>
    public static bool IsKnown(string name) => Decoders.Any(d => d.Name.Equals(name?.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Creates the named decoder; an unknown name throws <see cref="ArgumentException"/> listing the known ones.</summary>
    public static IBatchDecoder Create(string name, IBlockCode code, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(options);
        var trimmed = name?.Trim() ?? "";
        foreach (var decoder in Decoders)
            if (decoder.Name.Equals(trimmed, StringComparison.OrdinalIgnoreCase))
                return decoder.Create(code, options);
        throw new ArgumentException($"unknown decoder '{name}': known decoders are {string.Join(", ", Names)}", nameof(name));
    }
}
