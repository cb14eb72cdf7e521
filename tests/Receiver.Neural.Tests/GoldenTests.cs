using Receiver.Decoders;
using Receiver.Neural.Runtime;

namespace Receiver.Neural.Tests;

/// <summary>
/// Every shipped model's artifacts, in both runtimes, reproduce the eager PyTorch model's golden outputs (by
/// <see cref="GoldenCheck"/>): ONNX Runtime on each code's .onnx file, TorchSharp on its TorchScript file, at the
/// golden batch and row by row. A code without an .onnx file must say why in its manifest.
/// </summary>
public sealed class GoldenTests
{
    public static IEnumerable<object[]> Cases => TestModels.GoldenCases()
        .SelectMany(c => new[] { c.Append(NeuralRuntime.OnnxRuntime).ToArray(), c.Append(NeuralRuntime.TorchSharp).ToArray() });

    [Theory]
    [MemberData(nameof(Cases))]
    public void RuntimeOutputMatchesPyTorch(string modelFolder, string code, NeuralRuntime runtime)
    {
        var manifest = ModelManifest.Load(Path.Combine(modelFolder, ModelManifest.FileName));
        var entry = manifest.RequireCode(code);
        if (runtime == NeuralRuntime.OnnxRuntime && entry.Onnx is null)
        {
            Assert.False(string.IsNullOrWhiteSpace(entry.OnnxMissing), $"{manifest.Name}/{code} has no .onnx file and its manifest does not say why");
            return;
        }
        var golden = ModelGolden.Load(manifest.PathOf(entry.Golden!));
        using var session = ModelSessions.Open(manifest, entry, runtime, ComputeDevice.Cpu, threads: 1);
        Assert.Equal(runtime, session.Runtime);
        var check = GoldenCheck.For(manifest);

        var whole = new float[golden.Output.Length];
        session.Run(golden.Input, golden.Batch, whole);
        Assert.Null(check.Problem(golden.Output, whole));

        var row = new float[golden.N];
        for (var b = 0; b < golden.Batch; b++)
        {
            session.Run(golden.Input.AsSpan(b * golden.N, golden.N), 1, row);
            var problem = check.Problem(golden.Output.AsSpan(b * golden.N, golden.N), row);
            Assert.True(problem is null, $"{manifest.Name}/{code} {runtime} row {b} alone: {problem}");
        }
    }
}
