using System.Security.Cryptography;
using Receiver.Decoders;

namespace Receiver.Neural.Runtime;

/// <summary>
/// Opens a model's artifact for one code in the runtime asked for, after checking its integrity: the artifact and
/// its golden file must have the sha256 the manifest lists (<see cref="ModelManifest.Files"/>), and the loaded model
/// must reproduce the golden outputs (<see cref="GoldenCheck"/>). A model failing either is refused, naming the file.
/// </summary>
public static class ModelSessions
{
    /// <summary>The runtime <paramref name="requested"/> resolves to for <paramref name="entry"/> (auto: ONNX Runtime where the code has an .onnx file).</summary>
    /// <exception cref="ModelException">ONNX Runtime asked for a code without an .onnx file (the message says why the model lacks one).</exception>
    public static NeuralRuntime Resolve(ModelManifest model, ModelCodeEntry entry, NeuralRuntime requested) => requested switch
    {
        NeuralRuntime.Auto => string.IsNullOrWhiteSpace(entry.Onnx) ? NeuralRuntime.TorchSharp : NeuralRuntime.OnnxRuntime,
        NeuralRuntime.OnnxRuntime when string.IsNullOrWhiteSpace(entry.Onnx) => throw new ModelException(
            $"model '{model.Name}' has no ONNX file for {entry.Code}{(entry.OnnxMissing is { } why ? $" ({why})" : "")}: use runtime torchsharp or auto"),
        _ => requested,
    };

    /// <summary>The artifact file of <paramref name="runtime"/> (resolved) for the code, relative to the model folder.</summary>
    public static string ArtifactOf(ModelCodeEntry entry, NeuralRuntime runtime) =>
        runtime == NeuralRuntime.OnnxRuntime ? entry.Onnx! : entry.TorchScript;

    /// <summary>Checks, loads and golden-checks the code's artifact; <paramref name="threads"/> intra-op threads (at least 1).</summary>
    /// <exception cref="ModelException">The artifact is missing, changed since export, fails its golden file, or the runtime cannot load it.</exception>
    /// <exception cref="ArgumentException">The device is a CUDA device this machine lacks.</exception>
    public static IModelSession Open(ModelManifest model, ModelCodeEntry entry, NeuralRuntime runtime, ComputeDevice device, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        CudaDevices.Require(device);
        var resolved = Resolve(model, entry, runtime);
        var artifact = ArtifactOf(entry, resolved);
        var path = VerifiedPath(model, artifact);
        if (string.IsNullOrWhiteSpace(entry.Golden))
            throw new ModelException($"model '{model.Name}' has no golden file for {entry.Code}: nothing to check {path} against ({model.ManifestPath})");
        var golden = ModelGolden.Load(VerifiedPath(model, entry.Golden));
        if (golden.N != entry.N)
            throw new ModelException($"model '{model.Name}': golden file of {entry.Code} has rows of {golden.N}, the code has n = {entry.N}");
        IModelSession session = resolved == NeuralRuntime.OnnxRuntime
            ? new OnnxRuntimeSession(path, device, threads, entry.N, entry.N)
            : new TorchSharpSession(path, device, threads, entry.N, entry.N);
        try
        {
            var output = new float[golden.Output.Length];
            // TorchScript's profiling executor optimises a module after its first calls: run those here, so they
            // count neither in the first measured batch nor in the first frames' latency.
            var runs = resolved == NeuralRuntime.TorchSharp ? 3 : 1;
            for (var run = 0; run < runs; run++)
            {
                session.Run(golden.Input, golden.Batch, output);
                if (GoldenCheck.For(model).Problem(golden.Output, output) is { } problem)
                    throw new ModelException($"model '{model.Name}': {path} does not reproduce its golden outputs ({model.PathOf(entry.Golden)}): {problem}; refusing it");
            }
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Full path of <paramref name="relative"/> after checking it against the manifest's sha256.</summary>
    /// <exception cref="ModelException">The file is missing, the manifest lists no sha256 for it, or the bytes differ.</exception>
    public static string VerifiedPath(ModelManifest model, string relative)
    {
        var path = model.PathOf(relative);
        if (!File.Exists(path)) throw new ModelException($"model '{model.Name}': {path} not found ({model.ManifestPath})");
        if (model.Files is null || !model.Files.TryGetValue(relative, out var expected))
            throw new ModelException(
                $"model '{model.Name}': the manifest lists no sha256 for {relative}, so {path} cannot be checked: re-export with train/export.py --onnx {model.Folder}");
        using var stream = File.OpenRead(path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!actual.Equals(expected.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new ModelException($"model '{model.Name}': {path} has sha256 {actual}, the manifest lists {expected}: the file changed after export; refusing it");
        return path;
    }

    internal static void CheckBuffers(IModelSession session, ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        if (batch < 1 || input.Length != batch * session.InputLength || output.Length != batch * session.OutputLength)
            throw new ModelRuntimeException(
                $"{session.ArtifactPath}: {batch} rows need {batch * session.InputLength} inputs and {batch * session.OutputLength} outputs, got {input.Length} and {output.Length}");
    }
}
