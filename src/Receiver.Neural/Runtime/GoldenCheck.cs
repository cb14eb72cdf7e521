namespace Receiver.Neural.Runtime;

/// <summary>
/// How a runtime's outputs on a golden file's inputs are compared with PyTorch's eager outputs. Float models agree
/// within <see cref="Tolerance"/>. AECCT rounds its activations to 8 bits, so a 1e-7 difference in a runtime's
/// accumulation order can move a value across a rounding step and change the output by a whole step (2.8e-2 measured
/// at batch 8): its check is that every hard decision (sign) agrees, which such a step does not flip.
/// </summary>
public sealed record GoldenCheck(float? Tolerance)
{
    /// <summary>Largest |runtime - PyTorch| accepted for float models.</summary>
    public const float FloatTolerance = 1e-4f;

    public static GoldenCheck Values { get; } = new(FloatTolerance);
    public static GoldenCheck Decisions { get; } = new((float?)null);

    /// <summary>The check for <paramref name="model"/>'s architecture.</summary>
    public static GoldenCheck For(ModelManifest model) =>
        model.Architecture.Equals("aecct", StringComparison.OrdinalIgnoreCase) ? Decisions : Values;

    /// <summary>Null when <paramref name="actual"/> passes, else one line saying where it fails.</summary>
    public string? Problem(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length) return $"{actual.Length} outputs, the golden file has {expected.Length}";
        var worst = 0f;
        var at = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (Tolerance is null)
            {
                if ((expected[i] < 0) != (actual[i] < 0) || !float.IsFinite(actual[i]))
                    return $"decision {i} differs (golden {expected[i]}, got {actual[i]})";
                continue;
            }
            var difference = MathF.Abs(expected[i] - actual[i]);
            if (!(difference <= worst)) (worst, at) = (difference, i);
        }
        return Tolerance is { } tolerance && !(worst <= tolerance)
            ? $"max |difference| {worst} at {at} (golden {expected[at]}, got {actual[at]}) above {tolerance}"
            : null;
    }
}
