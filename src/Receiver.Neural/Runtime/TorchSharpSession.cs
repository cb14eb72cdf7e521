using System.Runtime.InteropServices;
using Receiver.Decoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Receiver.Neural.Runtime;

/// <summary>
/// A TorchScript <c>.pt</c> model in TorchSharp (libtorch 2.10), on the CPU (TorchSharp-cpu) or a CUDA device
/// (TorchSharp-cuda-linux, where a feed serves it). Input rows go into a CPU tensor kept per batch size; the output
/// tensor is copied out and freed at once. libtorch's intra-op thread count is process-wide: the first session sets it.
/// </summary>
internal sealed class TorchSharpSession : IModelSession
{
    private static readonly Lock s_threadsGate = new();
    private static int s_threads;

    private readonly jit.ScriptModule _module;
    private readonly torch.Device _device;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Tensor> _inputs = [];

    public TorchSharpSession(string path, ComputeDevice device, int threads, int inputLength, int outputLength)
    {
        ArtifactPath = path;
        Device = device;
        InputLength = inputLength;
        OutputLength = outputLength;
        try
        {
            SetThreadsOnce(threads);
            if (device.IsCuda && !cuda.is_available())
                throw new ModelException(
                    $"TorchSharp in this build sees no CUDA device (TorchSharp-cpu has none): on a GPU machine reference TorchSharp-cuda-linux (-p:ReceiverTorchCuda=true where a feed serves it), or use runtime onnxruntime");
            _device = device.IsCuda ? new torch.Device(DeviceType.CUDA, device.Index) : CPU;
            _module = jit.load(path, device.IsCuda ? DeviceType.CUDA : DeviceType.CPU, device.IsCuda ? device.Index : -1);
            _module.eval();
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new ModelException($"TorchSharp's native library cannot be loaded: {FirstLine(Innermost(e).Message)} (on Debian 12 the build patches libLibTorchSharp.so for the older libstdc++, see README)", e);
        }
        catch (ExternalException e)
        {
            throw new ModelException($"TorchSharp cannot load {path}: {FirstLine(e.Message)}", e);
        }
    }

    public NeuralRuntime Runtime => NeuralRuntime.TorchSharp;
    public ComputeDevice Device { get; }
    public string ArtifactPath { get; }
    public int InputLength { get; }
    public int OutputLength { get; }

    public void Run(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        ModelSessions.CheckBuffers(this, input, batch, output);
        lock (_gate)
        {
            if (!_inputs.TryGetValue(batch, out var rows))
                _inputs[batch] = rows = empty([batch, InputLength], ScalarType.Float32);
            MemoryMarshal.AsBytes(input).CopyTo(rows.bytes);
            try
            {
                using var inference = inference_mode();
                using var onDevice = Device.IsCuda ? rows.to(_device) : null;
                using var result = (Tensor)_module.forward(onDevice ?? rows);
                using var onHost = Device.IsCuda ? result.cpu() : null;
                var values = onHost ?? result;
                if (values.numel() != output.Length)
                    throw new ModelRuntimeException($"{ArtifactPath} gave {values.numel()} values for {batch} rows, expected {output.Length}");
                using var flat = values.contiguous();
                MemoryMarshal.Cast<byte, float>(flat.bytes).CopyTo(output);
            }
            catch (ExternalException e)
            {
                throw new ModelRuntimeException($"TorchSharp failed on {ArtifactPath} at batch {batch}: {FirstLine(e.Message)}", e);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var rows in _inputs.Values) rows.Dispose();
            _inputs.Clear();
        }
        _module.Dispose();
    }

    private static void SetThreadsOnce(int threads)
    {
        lock (s_threadsGate)
        {
            if (s_threads != 0) return;
            set_num_threads(threads);
            s_threads = threads;
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
