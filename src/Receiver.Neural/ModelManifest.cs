using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Receiver.Neural;

/// <summary>
/// A model folder's <c>manifest.json</c> (format <c>receiver-model/1</c>): which architecture, which codes it
/// decodes and where each code's TorchScript and golden files are. Paths in the manifest are relative to
/// <see cref="Folder"/>. Fields the receiver does not use (config, train, budget, measured) are kept as JSON.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The manifest format this reader understands.</summary>
    public const string CurrentFormat = "receiver-model/1";

    /// <summary>File name of a manifest inside a model folder.</summary>
    public const string FileName = "manifest.json";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public string Format { get; init; } = "";
    public string Name { get; init; } = "";

    /// <summary>The decoder name that runs this model (ecct, fecct, eccfm, uecct, aecct, ddecc).</summary>
    public string Architecture { get; init; } = "";

    public string? Description { get; init; }

    /// <summary>Weights file (safetensors), relative to the folder; the receiver runs the per-code ONNX or TorchScript files instead.</summary>
    public string? Weights { get; init; }

    /// <summary>One entry per code the model decodes.</summary>
    public IReadOnlyList<ModelCodeEntry> Codes { get; init; } = [];

    /// <summary>Trainable parameters, when the exporter counted them.</summary>
    public long? Parameters { get; init; }

    /// <summary>Floating-point operations of one frame's forward pass, when the exporter counted them.</summary>
    public double? FlopsPerFrame { get; init; }

    /// <summary>SAP models: the unpruned model whose pruned backbones and adapters these are.</summary>
    public string? Teacher { get; init; }

    /// <summary>SAP models: the mask library (<see cref="MaskLibrary"/>), relative to the folder.</summary>
    public string? Library { get; init; }

    /// <summary>SAP models: the shared pruned backbones, one per mask in use.</summary>
    public IReadOnlyList<ModelBackbone> Backbones { get; init; } = [];

    /// <summary>Hex sha256 of every artifact by path relative to the folder (weights, TorchScript, ONNX, golden files), checked before a file is loaded.</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }

    public JsonObject? Config { get; init; }
    public JsonObject? Train { get; init; }
    public JsonObject? Budget { get; init; }
    public JsonObject? Measured { get; init; }

    /// <summary>The folder holding the manifest (set by <see cref="Load"/>).</summary>
    [JsonIgnore]
    public string Folder { get; init; } = "";

    /// <summary>The manifest file this record was read from.</summary>
    [JsonIgnore]
    public string ManifestPath => Path.Combine(Folder, FileName);

    /// <summary>Code names of <see cref="Codes"/>, comma-joined.</summary>
    [JsonIgnore]
    public string CodeList => string.Join(",", Codes.Select(c => c.Code));

    /// <summary>Reads and checks a manifest file; every problem throws <see cref="ModelException"/> naming the file.</summary>
    public static ModelManifest Load(string manifestPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        var fullPath = Path.GetFullPath(manifestPath);
        if (!File.Exists(fullPath)) throw new ModelException($"model manifest not found: {fullPath}");
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(fullPath), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelException($"bad model manifest {fullPath}: {e.Message}", e);
        }
        if (manifest is null) throw new ModelException($"bad model manifest {fullPath}: the file holds null, not an object");
        manifest = manifest with { Folder = Path.GetDirectoryName(fullPath)! };
        var problem = manifest.FirstProblem();
        if (problem is not null) throw new ModelException($"bad model manifest {fullPath}: {problem}");
        return manifest;
    }

    /// <summary>The entry for <paramref name="codeName"/> (case-insensitive), or null.</summary>
    public ModelCodeEntry? FindCode(string codeName) =>
        Codes.FirstOrDefault(c => c.Code.Equals(codeName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entry for <paramref name="codeName"/>; throws <see cref="ModelException"/> listing the codes the model has.</summary>
    public ModelCodeEntry RequireCode(string codeName) =>
        FindCode(codeName) ?? throw new ModelException(
            $"model '{Name}' has no entry for code {codeName}: it was exported for {string.Join(", ", Codes.Select(c => c.Code))} ({ManifestPath})");

    /// <summary>The backbone pruned with library mask <paramref name="mask"/>, or null.</summary>
    public ModelBackbone? FindBackbone(string mask) =>
        Backbones.FirstOrDefault(b => b.Mask.Equals(mask, StringComparison.OrdinalIgnoreCase));

    /// <summary>The model's mask library; throws <see cref="ModelException"/> when the manifest names none or it cannot be read.</summary>
    public MaskLibrary LoadLibrary() => string.IsNullOrWhiteSpace(Library)
        ? throw new ModelException($"model '{Name}' has no mask library (no \"library\" in {ManifestPath}): only SAP models can onboard codes")
        : MaskLibrary.Load(PathOf(Library));

    /// <summary>Full path of a file the manifest names (relative to <see cref="Folder"/>).</summary>
    public string PathOf(string relative) => Path.GetFullPath(Path.Combine(Folder, relative));

    private string? FirstProblem()
    {
        if (Format != CurrentFormat) return $"format is '{Format}', this receiver reads '{CurrentFormat}'";
        if (string.IsNullOrWhiteSpace(Name)) return "name is missing";
        if (string.IsNullOrWhiteSpace(Architecture)) return "architecture is missing";
        if (Codes is null || Codes.Count == 0) return "codes is empty: the model decodes no code";
        foreach (var entry in Codes)
        {
            if (entry is null || string.IsNullOrWhiteSpace(entry.Code)) return "a codes entry has no code name";
            if (string.IsNullOrWhiteSpace(entry.TorchScript)) return $"code {entry.Code} has no torchscript file";
            if (entry.N <= 0) return $"code {entry.Code} has n = {entry.N}";
        }
        if (Backbones is null) return "backbones is null";
        foreach (var backbone in Backbones)
        {
            if (backbone is null || string.IsNullOrWhiteSpace(backbone.Mask)) return "a backbones entry has no mask name";
            if (string.IsNullOrWhiteSpace(backbone.Weights)) return $"backbone {backbone.Mask} has no weights file";
        }
        return null;
    }
}

/// <summary>One code a model decodes: the code file's identity and the files exported for it.</summary>
public sealed record ModelCodeEntry
{
    /// <summary>Code name as the receiver knows it (the code file's stem), e.g. LDPC_N49_K24.</summary>
    public string Code { get; init; } = "";

    /// <summary>Hex SHA-256 of the code file's bytes the model was trained on.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Code length (columns of H): the model's input and output row length.</summary>
    public int N { get; init; }

    /// <summary>Rows of H.</summary>
    public int M { get; init; }

    public int K { get; init; }

    /// <summary>TorchScript file, relative to the model folder: forward(llr [B, n]) -> soft output [B, n].</summary>
    [JsonPropertyName("torchscript")]
    public string TorchScript { get; init; } = "";

    /// <summary>ONNX file (same module as <see cref="TorchScript"/>), relative to the model folder; null where the module does not export.</summary>
    public string? Onnx { get; init; }

    /// <summary>Why the code has no <see cref="Onnx"/> file, when the exporter said.</summary>
    public string? OnnxMissing { get; init; }

    /// <summary>Golden input/output file, relative to the model folder.</summary>
    public string? Golden { get; init; }

    /// <summary>FLOPs of one frame's forward pass for this code (torch profiler count at export).</summary>
    public double? FlopsPerFrame { get; init; }

    /// <summary>SAP models: the library entry whose mask this code's backbone uses.</summary>
    public string? Mask { get; init; }

    /// <summary>SAP models: spectral similarity κ of this code to <see cref="Mask"/>'s library entry.</summary>
    public double? Kappa { get; init; }

    /// <summary>SAP models: this code's LoRA adapter (safetensors), relative to the model folder.</summary>
    public string? Adapter { get; init; }

    /// <summary>SAP models: trainable parameters of the adapter.</summary>
    public long? AdapterParameters { get; init; }

    /// <summary>SAP models: the code's TorchScript has the adapter merged into its weights.</summary>
    public bool? Merged { get; init; }
}

/// <summary>A SAP model's shared pruned backbone: the library mask it was pruned with, its weights and kept units per layer.</summary>
public sealed record ModelBackbone
{
    /// <summary>Library entry (code name) whose mask pruned this backbone.</summary>
    public string Mask { get; init; } = "";

    /// <summary>Weights file (safetensors), relative to the model folder.</summary>
    public string Weights { get; init; } = "";

    /// <summary>Parameters of the pruned backbone.</summary>
    public long? Parameters { get; init; }

    /// <summary>Attention heads kept in each layer.</summary>
    public IReadOnlyList<int> Heads { get; init; } = [];

    /// <summary>FFN channels kept in each layer.</summary>
    public IReadOnlyList<int> Ffn { get; init; } = [];
}

/// <summary>A model that cannot be found, read or used for the code asked; the message is one line that says why.</summary>
public sealed class ModelException(string message, Exception? inner = null) : ArgumentException(message, inner);
