using System.Security.Cryptography;
using Receiver.Decoders;
using Receiver.Neural.Runtime;

namespace Receiver.Neural.Tests;

/// <summary>A model whose files changed after export, or that does not reproduce its golden outputs, is refused, naming the file.</summary>
public sealed class IntegrityTests
{
    private static readonly NeuralRuntime[] Runtimes = [NeuralRuntime.OnnxRuntime, NeuralRuntime.TorchSharp];

    [Theory]
    [InlineData(NeuralRuntime.OnnxRuntime, ".onnx")]
    [InlineData(NeuralRuntime.TorchSharp, ".pt")]
    public void AChangedArtifactIsRefusedByItsSha256(NeuralRuntime runtime, string extension)
    {
        var folder = TestModels.CopyFixture();
        try
        {
            var path = Path.Combine(folder, TestModels.FixtureCode + extension);
            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x80; // flips a sign bit somewhere in the weights
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<ModelException>(() => Open(folder, runtime));
            Assert.Contains(path, e.Message);
            Assert.Contains("changed after export", e.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void AModelThatMissesItsGoldenOutputsIsRefusedInBothRuntimes()
    {
        // Golden outputs negated and their sha256 updated: the files are consistent, the model is not what was exported.
        var folder = TestModels.CopyFixture();
        try
        {
            var goldenPath = Path.Combine(folder, TestModels.FixtureCode + ".golden.json");
            var golden = ModelGolden.Load(goldenPath);
            File.WriteAllText(goldenPath, System.Text.Json.JsonSerializer.Serialize(new
            {
                batch = golden.Batch, n = golden.N, input = golden.Input, output = golden.Output.Select(v => -v),
            }));
            RewriteSha(folder, Path.GetFileName(goldenPath));
            foreach (var runtime in Runtimes)
            {
                var e = Assert.Throws<ModelException>(() => Open(folder, runtime));
                Assert.Contains("does not reproduce its golden outputs", e.Message);
                Assert.Contains(goldenPath, e.Message);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void AnArtifactWithoutASha256IsRefused()
    {
        var folder = TestModels.CopyFixture(text => text.Replace($"\"{TestModels.FixtureCode}.onnx\": \"", "\"other.onnx\": \""));
        try
        {
            var e = Assert.Throws<ModelException>(() => Open(folder, NeuralRuntime.OnnxRuntime));
            Assert.Contains($"lists no sha256 for {TestModels.FixtureCode}.onnx", e.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void AutoPicksOnnxRuntimeWhereTheModelShipsAnOnnxFile()
    {
        var manifest = TestModels.Fixture();
        var entry = manifest.RequireCode(TestModels.FixtureCode);
        Assert.Equal(NeuralRuntime.OnnxRuntime, ModelSessions.Resolve(manifest, entry, NeuralRuntime.Auto));
        Assert.Equal(NeuralRuntime.TorchSharp, ModelSessions.Resolve(manifest, entry with { Onnx = null }, NeuralRuntime.Auto));
        var e = Assert.Throws<ModelException>(() => ModelSessions.Resolve(manifest, entry with { Onnx = null, OnnxMissing = "a loop" }, NeuralRuntime.OnnxRuntime));
        Assert.Contains("has no ONNX file for LDPC_N49_K24 (a loop): use runtime torchsharp", e.Message);
    }

    private static IModelSession Open(string folder, NeuralRuntime runtime)
    {
        var manifest = ModelManifest.Load(Path.Combine(folder, ModelManifest.FileName));
        return ModelSessions.Open(manifest, manifest.RequireCode(TestModels.FixtureCode), runtime, ComputeDevice.Cpu, 1);
    }

    private static void RewriteSha(string folder, string file)
    {
        var manifestPath = Path.Combine(folder, ModelManifest.FileName);
        var manifest = ModelManifest.Load(manifestPath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, file))));
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace(manifest.Files![file], sha));
    }
}
