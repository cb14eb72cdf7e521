using Receiver.Decoders;

namespace Receiver.Neural.Runtime;

/// <summary>
/// One model artifact loaded by one runtime on one device: float32 rows [batch, InputLength] in, [batch,
/// OutputLength] out, into the caller's buffers. Run allocates no managed memory per call once a batch size has been
/// seen (ONNX Runtime; TorchSharp allocates its small tensor wrappers per call). Calls are serialised, so one session
/// may be shared by threads.
/// </summary>
public interface IModelSession : IDisposable
{
    /// <summary>The runtime that runs the artifact (never <see cref="NeuralRuntime.Auto"/>).</summary>
    NeuralRuntime Runtime { get; }

    ComputeDevice Device { get; }

    /// <summary>Full path of the loaded artifact.</summary>
    string ArtifactPath { get; }

    /// <summary>Values per input row.</summary>
    int InputLength { get; }

    /// <summary>Values per output row.</summary>
    int OutputLength { get; }

    /// <summary>Runs <paramref name="batch"/> rows of <paramref name="input"/> into <paramref name="output"/>.</summary>
    /// <exception cref="ModelRuntimeException">The buffers do not hold batch rows, or the runtime failed.</exception>
    void Run(ReadOnlySpan<float> input, int batch, Span<float> output);
}

/// <summary>A runtime failed to run a loaded model, or the caller's buffers do not fit it; the message names the file.</summary>
public sealed class ModelRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
