using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>The TorchScript run through the bridge reproduces the eager PyTorch model's golden outputs.</summary>
public sealed class GoldenTests
{
    private const float Tolerance = 1e-4f;

    public static IEnumerable<object[]> Cases => TestModels.GoldenCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void BridgeOutputMatchesPyTorch(string modelFolder, string code)
    {
        var manifest = ModelManifest.Load(Path.Combine(modelFolder, ModelManifest.FileName));
        var entry = manifest.RequireCode(code);
        var golden = ModelGolden.Load(manifest.PathOf(entry.Golden!));
        Assert.Equal(entry.N, golden.N);
        using var model = TorchScriptModel.Load(manifest.PathOf(entry.TorchScript));

        var whole = new float[golden.Output.Length];
        model.Forward(golden.Input, golden.Batch, whole);
        AssertClose(golden.Output, whole, $"{manifest.Name}/{code} batch {golden.Batch}");

        var row = new float[golden.N];
        for (var b = 0; b < golden.Batch; b++)
        {
            model.Forward(golden.Input.AsSpan(b * golden.N, golden.N), 1, row);
            AssertClose(golden.Output.AsSpan(b * golden.N, golden.N), row, $"{manifest.Name}/{code} row {b} alone");
        }
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        var at = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = MathF.Abs(expected[i] - actual[i]);
            if (!(difference <= worst)) (worst, at) = (difference, i);
        }
        Assert.True(worst <= Tolerance, $"{what}: |C# - PyTorch| = {worst} at {at} (expected {expected[at]}, got {actual[at]}), tolerance {Tolerance}");
    }
}
