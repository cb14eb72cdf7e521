namespace Receiver.Decoders.Iterative;

/// <summary>Constructor-time checks of the <see cref="DecoderOptions"/> the iterative decoders read.</summary>
internal static class IterativeOptions
{
    public static DecoderOptions Validate(DecoderOptions? options, string decoder)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Iterations < 1)
            throw new ArgumentException($"{decoder}: Iterations must be at least 1, got {options.Iterations}", nameof(options));
        if (options.Parallelism < 0)
            throw new ArgumentException($"{decoder}: Parallelism must be 0 (all cores) or positive, got {options.Parallelism}", nameof(options));
        return options;
    }

    /// <summary>Decoders that run float only refuse a fixed-point <see cref="DecoderOptions.ElementType"/>.</summary>
    public static void RequireFloat(DecoderOptions options, string decoder)
    {
        if (options.ElementType is { } element && element != LaneElementType.Float)
            throw new ArgumentException($"{decoder}: runs in float only, element type {element.ToString().ToLowerInvariant()} is for layered-nms", nameof(options));
    }

    public static float Normalization(DecoderOptions options, string decoder)
    {
        var alpha = options.Normalization;
        if (!(alpha > 0f && alpha <= 1f))
            throw new ArgumentException($"{decoder}: Normalization (alpha) must be in (0, 1], got {alpha}", nameof(options));
        return alpha;
    }

    public static float Offset(DecoderOptions options, string decoder)
    {
        var beta = options.Offset;
        if (!(beta >= 0f) || float.IsInfinity(beta))
            throw new ArgumentException($"{decoder}: Offset (beta) must be finite and >= 0, got {beta}", nameof(options));
        return beta;
    }
}
