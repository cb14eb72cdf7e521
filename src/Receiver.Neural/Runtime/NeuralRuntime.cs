namespace Receiver.Neural.Runtime;

/// <summary>The runtime that runs a neural model's artifact (one backend per artifact kind, as Triton's per-model backends).</summary>
public enum NeuralRuntime
{
    /// <summary>ONNX Runtime where the model ships an .onnx file for the code, else TorchSharp.</summary>
    Auto,

    /// <summary>ONNX Runtime on the code's <c>.onnx</c> file.</summary>
    OnnxRuntime,

    /// <summary>TorchSharp (libtorch) on the code's TorchScript <c>.pt</c> file.</summary>
    TorchSharp,
}

/// <summary>The names configuration files and the CLI use for <see cref="NeuralRuntime"/>.</summary>
public static class NeuralRuntimes
{
    /// <summary>auto, onnxruntime, torchsharp: the accepted names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "onnxruntime", "torchsharp"];

    /// <summary>Parses a runtime name (case-insensitive; empty means auto).</summary>
    /// <exception cref="ArgumentException">An unknown name, with the accepted ones.</exception>
    public static NeuralRuntime Parse(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => NeuralRuntime.Auto,
        "onnxruntime" or "onnx" => NeuralRuntime.OnnxRuntime,
        "torchsharp" or "torchscript" => NeuralRuntime.TorchSharp,
        _ => throw new ArgumentException($"runtime '{name}' is not one of {string.Join(", ", Names)}"),
    };

    /// <summary>The configuration name of <paramref name="runtime"/>.</summary>
    public static string Name(NeuralRuntime runtime) => Names[(int)runtime];
}
