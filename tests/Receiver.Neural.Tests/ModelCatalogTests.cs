using Receiver.Decoders;
using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>Finding models and the one-line errors for models that cannot be used.</summary>
public sealed class ModelCatalogTests
{
    [Fact]
    public void ManifestIsRead()
    {
        var manifest = TestModels.Fixture();
        Assert.Equal(TestModels.FixtureName, manifest.Name);
        Assert.Equal("ecct", manifest.Architecture);
        Assert.Equal(TestModels.FixtureCode, manifest.CodeList);
        var entry = manifest.RequireCode(TestModels.FixtureCode.ToLowerInvariant());
        Assert.Equal((49, 28, 24), (entry.N, entry.M, entry.K));
        Assert.True(File.Exists(manifest.PathOf(entry.TorchScript)));
        Assert.True(manifest.Parameters > 0);
    }

    [Fact]
    public void ResolvesANameAFolderAndAManifestPath()
    {
        var catalog = new ModelCatalog([TestModels.FixtureModels]);
        Assert.Equal(TestModels.FixtureFolder, catalog.Resolve(TestModels.FixtureName).Folder);
        Assert.Equal(TestModels.FixtureFolder, catalog.Resolve(TestModels.FixtureFolder).Folder);
        Assert.Equal(TestModels.FixtureFolder, catalog.Resolve(Path.Combine(TestModels.FixtureFolder, "manifest.json")).Folder);
        Assert.Equal([TestModels.FixtureName], catalog.List().Select(m => m.Name));
    }

    [Fact]
    public void UnknownNameListsTheKnownModels()
    {
        var catalog = new ModelCatalog([TestModels.FixtureModels]);
        var e = Assert.Throws<ModelException>(() => catalog.Resolve("no-such-model"));
        Assert.Equal($"unknown model 'no-such-model': known models are {TestModels.FixtureName}", e.Message);
    }

    [Fact]
    public void CodeTheModelDoesNotHaveListsItsCodes()
    {
        var code = TestModels.LoadCode("BCH_N31_K16");
        var e = Assert.Throws<ModelException>(() => NeuralDecoder.Check("ecct", code, TestModels.Fixture()));
        Assert.StartsWith($"model '{TestModels.FixtureName}' has no entry for code BCH_N31_K16: it was exported for {TestModels.FixtureCode}", e.Message);
    }

    [Fact]
    public void ArchitectureMustMatchTheDecoderName()
    {
        var code = TestModels.LoadCode(TestModels.FixtureCode);
        var e = Assert.ThrowsAny<ArgumentException>(() =>
            DecoderFactory.Create("eccfm", code, new DecoderOptions { Model = TestModels.FixtureFolder }));
        Assert.Contains($"model '{TestModels.FixtureName}' is an ecct model, not eccfm: use --decoder ecct", e.Message);
    }

    [Fact]
    public void HashMismatchSaysTheModelWasTrainedOnAnotherMatrix()
    {
        var folder = TestModels.CopyFixture(text => text.Replace("16c8e5b1", "00000000"));
        try
        {
            var code = TestModels.LoadCode(TestModels.FixtureCode);
            var e = Assert.Throws<ModelException>(() => NeuralDecoder.Check("ecct", code, ModelManifest.Load(Path.Combine(folder, "manifest.json"))));
            Assert.Contains("was trained on another matrix", e.Message);
            Assert.Contains("00000000", e.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void BadJsonNamesTheFile()
    {
        var folder = TestModels.CopyFixture(_ => "{ \"format\": \"receiver-model/1\", \"name\": ");
        try
        {
            var manifestPath = Path.Combine(folder, "manifest.json");
            var e = Assert.Throws<ModelException>(() => ModelManifest.Load(manifestPath));
            Assert.StartsWith($"bad model manifest {manifestPath}: ", e.Message);
            var problems = new List<string>();
            Assert.Empty(new ModelCatalog([Path.GetDirectoryName(folder)!]).List(problems));
            Assert.Single(problems);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void ManifestOfAnotherFormatIsRefused()
    {
        var folder = TestModels.CopyFixture(text => text.Replace("receiver-model/1", "receiver-model/9"));
        try
        {
            var e = Assert.Throws<ModelException>(() => ModelManifest.Load(Path.Combine(folder, "manifest.json")));
            Assert.Contains("format is 'receiver-model/9'", e.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void NeuralDecoderWithoutAModelSaysHowToGiveOne()
    {
        var code = TestModels.LoadCode(TestModels.FixtureCode);
        var e = Assert.Throws<ArgumentException>(() => DecoderFactory.Create("ecct", code, new DecoderOptions()));
        Assert.StartsWith("decoder ecct needs a model: pass --model", e.Message);
    }
}
