using Receiver.Decoders;
using Receiver.Neural.Runtime;

namespace Receiver.Neural.Tests;

/// <summary>The runtimes' failures surface as one-line <see cref="ModelException"/>s naming the file, and wrong buffers are refused.</summary>
public sealed class RuntimeErrorTests
{
    [Theory]
    [InlineData(NeuralRuntime.OnnxRuntime)]
    [InlineData(NeuralRuntime.TorchSharp)]
    public void AFileThatIsNotAModelNamesTheFile(NeuralRuntime runtime)
    {
        var path = Path.Combine(Path.GetTempPath(), "not-a-model-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, "this is not a model");
        try
        {
            var e = Assert.Throws<ModelException>(() => Session(runtime, path));
            Assert.Contains(path, e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(NeuralRuntime.OnnxRuntime)]
    [InlineData(NeuralRuntime.TorchSharp)]
    public void BuffersThatDoNotHoldTheRowsAreRefused(NeuralRuntime runtime)
    {
        var manifest = TestModels.Fixture();
        using var session = ModelSessions.Open(manifest, manifest.RequireCode(TestModels.FixtureCode), runtime, ComputeDevice.Cpu, 1);
        Assert.Throws<ModelRuntimeException>(() => session.Run(new float[49 * 2], 2, new float[49]));
        Assert.Throws<ModelRuntimeException>(() => session.Run(new float[48], 1, new float[49]));
    }

    [Theory]
    [InlineData(NeuralRuntime.OnnxRuntime)]
    [InlineData(NeuralRuntime.TorchSharp)]
    public void ACudaDeviceThisMachineLacksIsOneClearError(NeuralRuntime runtime)
    {
        if (CudaDevices.Count > 8) return; // a machine with that many GPUs has cuda:8
        var manifest = TestModels.Fixture();
        var e = Assert.Throws<ArgumentException>(() =>
            ModelSessions.Open(manifest, manifest.RequireCode(TestModels.FixtureCode), runtime, ComputeDevice.Parse("cuda:8"), 1));
        Assert.Contains("device cuda:8 asked for, but this machine has", e.Message);
    }

    private static IModelSession Session(NeuralRuntime runtime, string path) => runtime == NeuralRuntime.OnnxRuntime
        ? new OnnxRuntimeSession(path, ComputeDevice.Cpu, 1, 49, 49)
        : new TorchSharpSession(path, ComputeDevice.Cpu, 1, 49, 49);
}
