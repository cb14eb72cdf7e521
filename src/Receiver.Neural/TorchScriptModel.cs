namespace Receiver.Neural;

/// <summary>
/// A TorchScript module loaded through the native bridge, taking a float32 batch [batch, inputLength]
/// to a float32 batch [batch, outputLength]. Forward wraps the caller's buffers without copying the
/// input; it allocates nothing managed per call. Concurrent Forward calls on one model are allowed
/// (TorchScript forward does not mutate the module).
/// </summary>
public sealed unsafe class TorchScriptModel : IDisposable
{
    private readonly TorchModelHandle _handle;

    private TorchScriptModel(TorchModelHandle handle, string path, TorchDevice device)
    {
        _handle = handle;
        Path = path;
        Device = device;
    }

    /// <summary>The TorchScript file this model was loaded from.</summary>
    public string Path { get; }

    /// <summary>Where the model runs.</summary>
    public TorchDevice Device { get; }

    /// <summary>Loads a TorchScript file (saved by <c>torch.jit.save</c>) in eval mode.</summary>
    /// <exception cref="DllNotFoundException">The bridge library is not built or libtorch is missing.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="TorchBridgeException">The file is not a loadable TorchScript module, or CUDA is not available.</exception>
    public static TorchScriptModel Load(string path, TorchDevice device = TorchDevice.Cpu)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        TorchBridgeNative.EnsureLoaded();
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"TorchScript model file not found: {fullPath}", fullPath);
        Span<byte> error = stackalloc byte[TorchBridgeNative.ErrorLength];
        nint raw;
        fixed (byte* errorPointer = error)
            raw = TorchBridgeNative.tb_load(fullPath, (int)device, errorPointer, error.Length);
        if (raw == 0) throw new TorchBridgeException(TorchBridgeNative.ReadError(error));
        return new TorchScriptModel(new TorchModelHandle(raw), fullPath, device);
    }

    /// <summary>
    /// Runs the model on <paramref name="batch"/> rows of <paramref name="input"/> (row-major, each row
    /// input.Length / batch long) and writes batch rows of output.Length / batch values into <paramref name="output"/>.
    /// </summary>
    /// <exception cref="TorchShapeMismatchException">The buffers do not split into <paramref name="batch"/> rows, or the model's output shape differs.</exception>
    /// <exception cref="TorchBridgeException">libtorch threw during forward (for example the model expects another input length).</exception>
    public void Forward(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (input.Length == 0 || input.Length % batch != 0 || output.Length == 0 || output.Length % batch != 0)
            throw new TorchShapeMismatchException(
                $"Buffers of {input.Length} inputs and {output.Length} outputs do not split into {batch} non-empty rows.");
        Span<byte> error = stackalloc byte[TorchBridgeNative.ErrorLength];
        int status;
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        fixed (byte* errorPointer = error)
            status = TorchBridgeNative.tb_forward(_handle, inputPointer, batch, input.Length / batch,
                outputPointer, output.Length / batch, errorPointer, error.Length);
        if (status == 0) return;
        var message = $"{TorchBridgeNative.ReadError(error)} (model {Path})";
        throw status == -1 ? new TorchShapeMismatchException(message) : new TorchBridgeException(message);
    }

    /// <summary>Frees the native module.</summary>
    public void Dispose() => _handle.Dispose();
}
