using Microsoft.ML.OnnxRuntime;
using Receiver.Decoders;

namespace Receiver.Neural.Runtime;

/// <summary>
/// An <c>.onnx</c> model in ONNX Runtime, on the CPU or through the CUDA execution provider (GPU builds,
/// <c>-p:ReceiverGpu=true</c>). Rows are copied into pinned buffers that an I/O binding per batch size ties to the
/// session once, so a run is one native call with no managed allocation.
/// </summary>
internal sealed class OnnxRuntimeSession : IModelSession
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Binding> _bindings = [];
    private float[] _input = [];
    private float[] _output = [];

    public OnnxRuntimeSession(string path, ComputeDevice device, int threads, int inputLength, int outputLength)
    {
        ArtifactPath = path;
        Device = device;
        InputLength = inputLength;
        OutputLength = outputLength;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Pool threads sleep between runs instead of spinning: the service runs one small batch at a time, and on a
        // shared CPU a spinning pool takes the cores the other stages need.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (device.IsCuda)
        {
            try
            {
                options.AppendExecutionProvider_CUDA(device.Index);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException)
            {
                throw new ModelException(
                    $"ONNX Runtime in this build has no CUDA execution provider ({FirstLine(e.Message)}): build with -p:ReceiverGpu=true to reference Microsoft.ML.OnnxRuntime.Gpu.Linux", e);
            }
        }
        try
        {
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelException($"ONNX Runtime cannot load {path}: {FirstLine(e.Message)}", e);
        }
        _inputName = _session.InputNames[0];
        _outputName = _session.OutputNames[0];
    }

    public NeuralRuntime Runtime => NeuralRuntime.OnnxRuntime;
    public ComputeDevice Device { get; }
    public string ArtifactPath { get; }
    public int InputLength { get; }
    public int OutputLength { get; }

    public void Run(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        ModelSessions.CheckBuffers(this, input, batch, output);
        lock (_gate)
        {
            var binding = BindingFor(batch);
            input.CopyTo(_input);
            try
            {
                _session.RunWithBinding(_runOptions, binding.IoBinding);
            }
            catch (OnnxRuntimeException e)
            {
                throw new ModelRuntimeException($"ONNX Runtime failed on {ArtifactPath} at batch {batch}: {FirstLine(e.Message)}", e);
            }
            _output.AsSpan(0, output.Length).CopyTo(output);
        }
    }

    private Binding BindingFor(int batch)
    {
        if (_bindings.TryGetValue(batch, out var binding)) return binding;
        if (batch * InputLength > _input.Length)
        {
            // Larger buffers move the rows: every binding over the old ones goes.
            foreach (var old in _bindings.Values) old.Dispose();
            _bindings.Clear();
            var rows = Math.Max(batch, 2 * _input.Length / InputLength);
            _input = GC.AllocateUninitializedArray<float>(rows * InputLength, pinned: true);
            _output = GC.AllocateUninitializedArray<float>(rows * OutputLength, pinned: true);
        }
        binding = new Binding(_session, _inputName, _outputName,
            new Memory<float>(_input, 0, batch * InputLength), new Memory<float>(_output, 0, batch * OutputLength),
            [batch, InputLength], [batch, OutputLength]);
        _bindings[batch] = binding;
        return binding;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var binding in _bindings.Values) binding.Dispose();
            _bindings.Clear();
        }
        _runOptions.Dispose();
        _session.Dispose();
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>Input and output tensors over the pinned buffers for one batch size, bound to the session.</summary>
    private sealed class Binding : IDisposable
    {
        private readonly OrtValue _input;
        private readonly OrtValue _output;

        public Binding(InferenceSession session, string inputName, string outputName, Memory<float> input, Memory<float> output, long[] inputShape, long[] outputShape)
        {
            _input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, inputShape);
            _output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, output, outputShape);
            IoBinding = session.CreateIoBinding();
            IoBinding.BindInput(inputName, _input);
            IoBinding.BindOutput(outputName, _output);
        }

        public OrtIoBinding IoBinding { get; }

        public void Dispose()
        {
            IoBinding.Dispose();
            _input.Dispose();
            _output.Dispose();
        }
    }
}
