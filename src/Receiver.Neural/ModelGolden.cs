using System.Text.Json;

namespace Receiver.Neural;

/// <summary>
/// A golden file (<c>&lt;CODE&gt;.golden.json</c>): a fixed input batch and the eager PyTorch model's output for it,
/// both row-major [batch, n], so every runtime's run of the model's artifacts can be checked against PyTorch (see Runtime.ModelSessions).
/// </summary>
public sealed record ModelGolden
{
    public int Batch { get; init; }
    public int N { get; init; }
    public float[] Input { get; init; } = [];
    public float[] Output { get; init; } = [];

    /// <summary>Reads a golden file; a missing file or inconsistent lengths throw <see cref="ModelException"/>.</summary>
    public static ModelGolden Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new ModelException($"golden file not found: {fullPath}");
        ModelGolden? golden;
        try
        {
            golden = JsonSerializer.Deserialize<ModelGolden>(File.ReadAllText(fullPath), ModelManifest.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelException($"bad golden file {fullPath}: {e.Message}", e);
        }
        if (golden is null || golden.Batch < 1 || golden.N < 1
            || golden.Input.Length != golden.Batch * golden.N || golden.Output.Length != golden.Batch * golden.N)
            throw new ModelException($"bad golden file {fullPath}: expected batch * n values in both input and output");
        return golden;
    }
}
