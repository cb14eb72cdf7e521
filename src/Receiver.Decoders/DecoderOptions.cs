namespace Receiver.Decoders;

/// <summary>Knobs shared by the iterative decoders; each decoder reads the ones it uses and checks them in its constructor.</summary>
public sealed record DecoderOptions
{
    /// <summary>Iteration cap (BP/min-sum); decoding stops earlier when every check is satisfied.</summary>
    public int Iterations { get; init; } = 50;

    /// <summary>Stop as soon as the hard decision satisfies H c = 0.</summary>
    public bool EarlyStop { get; init; } = true;

    /// <summary>Normalized min-sum scaling of check-to-variable messages (alpha).</summary>
    public float Normalization { get; init; } = 0.75f;

    /// <summary>Offset min-sum subtraction (beta).</summary>
    public float Offset { get; init; } = 0.5f;

    /// <summary>
    /// Element type of the SIMD lanes of layered-nms (frames side by side, one per lane): float (the exact
    /// reference), int16 or int8 (saturating, each frame scaled from a robust mean of its |LLR|s). Null takes the
    /// decoder's default: float for the generic decoder, the QC decoder's own rule (int8 or int16) for
    /// quasi-cyclic codes. The other decoders run float only and refuse int16/int8.
    /// </summary>
    public LaneElementType? ElementType { get; init; }

    /// <summary>Threads one Decode call may use; 0 means all cores.</summary>
    public int Parallelism { get; init; }

    /// <summary>Neural decoders (ecct, fecct, eccfm, uecct, aecct, ddecc): a model name (receiver models list), a model folder or a manifest.json path.</summary>
    public string? Model { get; init; }

    /// <summary>Neural decoders: most frames one forward pass takes (larger batches run in parts); 0 means
    /// <see cref="DefaultNeuralMaxBatch"/> for <see cref="Device"/>.</summary>
    public int NeuralMaxBatch { get; init; }

    /// <summary>Neural decoders: the runtime that runs the model, auto (ONNX Runtime where the model ships an .onnx
    /// file, else TorchSharp), onnxruntime or torchsharp.</summary>
    public string Runtime { get; init; } = "auto";

    /// <summary>Where the decoder runs. Classical decoders run on the CPU only and refuse a CUDA device.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>Frames per forward pass when <see cref="NeuralMaxBatch"/> is 0: a GPU wants large batches to be busy, a CPU small ones for latency.</summary>
    public static int DefaultNeuralMaxBatch(ComputeDevice device) => device.IsCuda ? 1024 : 256;

    /// <summary><see cref="NeuralMaxBatch"/>, or its default for <see cref="Device"/>.</summary>
    public int NeuralBatch => NeuralMaxBatch > 0 ? NeuralMaxBatch : DefaultNeuralMaxBatch(Device);
}

/// <summary>Element type of a SIMD decoder's lanes (see <see cref="DecoderOptions.ElementType"/>).</summary>
public enum LaneElementType { Float, Int16, Int8 }

/// <summary>The names the CLI and configuration files give <see cref="LaneElementType"/>s.</summary>
public static class LaneElementTypes
{
    public static IReadOnlyList<string> Names { get; } = ["float", "int16", "int8"];

    public static string NameOf(LaneElementType element) => Names[(int)element];

    /// <summary>float, int16 or int8 (case-insensitive); anything else throws <see cref="ArgumentException"/> listing them.</summary>
    public static LaneElementType Parse(string text)
    {
        var index = Names.ToList().FindIndex(n => n.Equals(text?.Trim(), StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? (LaneElementType)index : throw new ArgumentException($"unknown element type '{text}': known are {string.Join(", ", Names)}", nameof(text));
    }
}
