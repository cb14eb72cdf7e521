using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>The bridge's failures surface as the documented exception types with a useful message.</summary>
public sealed class BridgeErrorTests
{
    private static string FixtureTorchScript => Path.Combine(TestModels.FixtureFolder, TestModels.FixtureCode + ".pt");

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".pt");
        var e = Assert.Throws<FileNotFoundException>(() => TorchScriptModel.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void FileThatIsNotTorchScriptIsABridgeError()
    {
        var path = Path.Combine(Path.GetTempPath(), "not-a-model-" + Guid.NewGuid().ToString("N") + ".pt");
        File.WriteAllText(path, "this is not a TorchScript archive");
        try
        {
            var e = Assert.Throws<TorchBridgeException>(() => TorchScriptModel.Load(path));
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WrongInputLengthIsReportedByLibtorch()
    {
        using var model = TorchScriptModel.Load(FixtureTorchScript);
        var input = new float[2 * 48];
        var output = new float[2 * 48];
        var e = Assert.ThrowsAny<TorchBridgeException>(() => model.Forward(input, 2, output));
        Assert.Contains(FixtureTorchScript, e.Message);
    }

    [Fact]
    public void WrongOutputLengthIsAShapeMismatch()
    {
        using var model = TorchScriptModel.Load(FixtureTorchScript);
        var input = new float[3 * 49];
        var output = new float[3 * 50];
        var e = Assert.Throws<TorchShapeMismatchException>(() => model.Forward(input, 3, output));
        Assert.Contains("[3, 49]", e.Message);
    }

    [Fact]
    public void BuffersThatDoNotSplitIntoRowsAreAShapeMismatch()
    {
        using var model = TorchScriptModel.Load(FixtureTorchScript);
        Assert.Throws<TorchShapeMismatchException>(() => model.Forward(new float[100], 3, new float[3 * 49]));
    }
}
