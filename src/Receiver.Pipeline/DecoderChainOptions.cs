using Receiver.Decoders;

namespace Receiver.Pipeline;

/// <summary>Which stage of a <see cref="DecoderChain"/> produced a frame's output bits.</summary>
public enum DecodeStage : byte
{
    /// <summary>The hard decision of the channel LLRs already satisfied H; no decoder ran.</summary>
    SyndromeCheck,
    /// <summary>The main decoder's output.</summary>
    Main,
    /// <summary>The fallback decoder's output (it ran because the main output failed H).</summary>
    Fallback,
}

/// <summary>The names of the stages in metrics (tag "stage") and in the metadata stream (field "stage"), one spelling for both.</summary>
public static class DecodeStages
{
    public static string Tag(DecodeStage stage) => stage switch
    {
        DecodeStage.SyndromeCheck => "syndrome_check",
        DecodeStage.Main => "main",
        _ => "fallback",
    };
}

/// <summary>A code's decoder chain as configuration data; <see cref="Validate"/> lists what is wrong.</summary>
public sealed record DecoderChainOptions
{
    /// <summary>Skip decoding of frames whose hard decision already satisfies H (useful at high SNR; see <see cref="DecoderChain"/> for punctured codes).</summary>
    public bool SyndromeCheck { get; init; } = true;

    /// <summary>Main decoder, a <see cref="DecoderFactory"/> name ("bp", "nms", "layered-nms", ...).</summary>
    public string Decoder { get; init; } = "layered-nms";

    /// <summary>Options of the main decoder.</summary>
    public DecoderOptions DecoderOptions { get; init; } = new();

    /// <summary>Optional decoder run on the frames whose main output still fails H; null or empty for none.</summary>
    public string? Fallback { get; init; }

    /// <summary>Options of the fallback decoder; null means <see cref="DecoderOptions"/> on the CPU.</summary>
    public DecoderOptions? FallbackOptions { get; init; }

    /// <summary>One message per problem (empty when valid), each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Decoder))
            errors.Add($"Decoder is empty: choose one of {string.Join(", ", DecoderFactory.Names)}");
        else if (!DecoderFactory.IsKnown(Decoder))
            errors.Add($"Decoder '{Decoder}' is unknown: choose one of {string.Join(", ", DecoderFactory.Names)}");
        if (DecoderOptions is null) errors.Add("DecoderOptions is null");
        else CheckOptions(DecoderOptions, "DecoderOptions", errors);
        if (!string.IsNullOrWhiteSpace(Fallback) && !DecoderFactory.IsKnown(Fallback))
            errors.Add($"Fallback '{Fallback}' is unknown: choose one of {string.Join(", ", DecoderFactory.Names)}, or leave it empty for none");
        if (FallbackOptions is not null)
        {
            if (string.IsNullOrWhiteSpace(Fallback)) errors.Add("FallbackOptions is set but Fallback names no decoder");
            CheckOptions(FallbackOptions, "FallbackOptions", errors);
        }
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with every problem <see cref="Validate"/> finds.</summary>
    public void ThrowIfInvalid(string? context = null)
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new ArgumentException($"{(context is null ? "" : context + ": ")}invalid decoder chain: {string.Join("; ", errors)}");
    }

    private static void CheckOptions(DecoderOptions options, string name, List<string> errors)
    {
        if (options.Iterations <= 0) errors.Add($"{name}.Iterations must be positive, got {options.Iterations}");
        if (options.Parallelism < 0) errors.Add($"{name}.Parallelism must be 0 (all cores) or positive, got {options.Parallelism}");
        if (!float.IsFinite(options.Normalization) || options.Normalization <= 0f || options.Normalization > 1f)
            errors.Add($"{name}.Normalization must be in (0, 1], got {options.Normalization}");
        if (!float.IsFinite(options.Offset) || options.Offset < 0f) errors.Add($"{name}.Offset must be finite and >= 0, got {options.Offset}");
    }
}
