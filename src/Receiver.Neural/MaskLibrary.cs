using System.Text.Json;

namespace Receiver.Neural;

/// <summary>
/// A SAP pruning-mask library, <c>masks.json</c> (format <c>receiver-sap-masks/1</c>): for each code it was derived on,
/// the code's spectral signature and the structured mask (attention heads and FFN channels kept per layer) of the
/// teacher backbone. Algorithm 1 of the SAP paper: the nearest entry by signature distance d, similarity
/// κ = exp(-β d), reuse its mask when κ ≥ τ, else derive a new one.
/// </summary>
public sealed record MaskLibrary
{
    /// <summary>The library format this reader understands.</summary>
    public const string CurrentFormat = "receiver-sap-masks/1";

    /// <summary>Usual file name of a library inside a model folder.</summary>
    public const string FileName = "masks.json";

    public string Format { get; init; } = "";

    /// <summary>Name of the unpruned model the masks prune.</summary>
    public string? Teacher { get; init; }

    /// <summary>Transformer layers of the unpruned backbone.</summary>
    public int Layers { get; init; }

    /// <summary>Attention heads per layer of the unpruned backbone.</summary>
    public int Heads { get; init; }

    /// <summary>FFN channels per layer of the unpruned backbone.</summary>
    public int Ffn { get; init; }

    /// <summary>How signatures are computed and compared.</summary>
    public MaskSignatureSettings Signature { get; init; } = new();

    /// <summary>FLOPs budget the masks were chosen under (0.4: 40% fewer FLOPs).</summary>
    public double? FlopsReduction { get; init; }

    public IReadOnlyList<MaskEntry> Entries { get; init; } = [];

    /// <summary>The file this library was read from (set by <see cref="Load"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Path { get; init; } = "";

    /// <summary>Reads and checks a library file; every problem throws <see cref="ModelException"/> naming the file.</summary>
    public static MaskLibrary Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new ModelException($"mask library not found: {fullPath}");
        MaskLibrary? library;
        try
        {
            library = JsonSerializer.Deserialize<MaskLibrary>(File.ReadAllText(fullPath), ModelManifest.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelException($"bad mask library {fullPath}: {e.Message}", e);
        }
        if (library is null) throw new ModelException($"bad mask library {fullPath}: the file holds null, not an object");
        var problem = library.FirstProblem();
        if (problem is not null) throw new ModelException($"bad mask library {fullPath}: {problem}");
        return library with { Path = fullPath };
    }

    /// <summary>The entry for <paramref name="code"/> (case-insensitive), or null.</summary>
    public MaskEntry? Find(string code) =>
        Entries.FirstOrDefault(e => e.Code.Equals(code, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every entry with its distance and κ to <paramref name="signature"/>, nearest first (ties by code name).</summary>
    public IReadOnlyList<MaskMatch> Rank(ReadOnlySpan<double> signature)
    {
        if (signature.Length != Signature.K)
            throw new ModelException($"signature has {signature.Length} values, the library's entries have k = {Signature.K}");
        var matches = new MaskMatch[Entries.Count];
        for (var i = 0; i < matches.Length; i++)
        {
            var distance = Distance(signature, Entries[i].Signature);
            matches[i] = new MaskMatch(Entries[i], distance, Math.Exp(-Signature.Beta * distance));
        }
        return matches.OrderBy(m => m.Distance).ThenBy(m => m.Entry.Code, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The entry nearest to <paramref name="signature"/> with its distance and κ; null when the library is empty.</summary>
    public MaskMatch? Nearest(ReadOnlySpan<double> signature)
    {
        var ranking = Rank(signature);
        return ranking.Count == 0 ? null : ranking[0];
    }

    /// <summary>Algorithm 1: reuse the nearest entry's mask when its κ ≥ <paramref name="tau"/> (default: the library's τ), else derive a new mask.</summary>
    public MaskDecision Decide(ReadOnlySpan<double> signature, double? tau = null)
    {
        var threshold = tau ?? Signature.Tau;
        if (threshold is < 0 or > 1 || double.IsNaN(threshold)) throw new ModelException($"tau must be in [0, 1], got {threshold}");
        var nearest = Nearest(signature);
        return new MaskDecision(nearest, threshold, nearest is { } match && match.Kappa >= threshold);
    }

    /// <summary>
    /// Jaccard similarity |A ∩ B| / |A ∪ B| of two entries' masks, heads and FFN channels of all layers flattened into
    /// one set of kept units (1 when both keep nothing).
    /// </summary>
    public static double Jaccard(MaskEntry a, MaskEntry b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var unitsA = a.Units();
        var unitsB = b.Units();
        if (unitsA.Length != unitsB.Length)
            throw new ModelException($"masks of {a.Code} and {b.Code} have different shapes ({unitsA.Length} and {unitsB.Length} units)");
        int both = 0, either = 0;
        for (var i = 0; i < unitsA.Length; i++)
        {
            if (unitsA[i] && unitsB[i]) both++;
            if (unitsA[i] || unitsB[i]) either++;
        }
        return either == 0 ? 1 : (double)both / either;
    }

    private static double Distance(ReadOnlySpan<double> a, IReadOnlyList<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var difference = a[i] - b[i];
            sum += difference * difference;
        }
        return Math.Sqrt(sum);
    }

    private string? FirstProblem()
    {
        if (Format != CurrentFormat) return $"format is '{Format}', this receiver reads '{CurrentFormat}'";
        if (Layers <= 0 || Heads <= 0 || Ffn <= 0) return $"layers, heads and ffn must be positive, got {Layers}, {Heads}, {Ffn}";
        if (Signature is null) return "signature settings are missing";
        if (Signature.K <= 0) return $"signature k must be positive, got {Signature.K}";
        if (!(Signature.Beta > 0)) return $"signature beta must be positive, got {Signature.Beta}";
        if (Signature.Tau is < 0 or > 1 || double.IsNaN(Signature.Tau)) return $"signature tau must be in [0, 1], got {Signature.Tau}";
        if (Entries is null) return "entries is missing";
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Entries)
        {
            if (entry is null || string.IsNullOrWhiteSpace(entry.Code)) return "an entry has no code name";
            if (!seen.Add(entry.Code)) return $"code {entry.Code} has two entries";
            if (entry.Signature is null || entry.Signature.Count != Signature.K)
                return $"entry {entry.Code}: signature has {entry.Signature?.Count ?? 0} values, k is {Signature.K}";
            if (entry.Signature.Any(v => !double.IsFinite(v))) return $"entry {entry.Code}: signature has a value that is not finite";
            var problem = MaskProblem(entry.Heads, Heads, "heads") ?? MaskProblem(entry.Ffn, Ffn, "ffn");
            if (problem is not null) return $"entry {entry.Code}: {problem}";
        }
        return null;
    }

    private string? MaskProblem(IReadOnlyList<IReadOnlyList<int>>? mask, int units, string what)
    {
        if (mask is null || mask.Count != Layers) return $"{what} mask has {mask?.Count ?? 0} layers, the backbone has {Layers}";
        for (var layer = 0; layer < mask.Count; layer++)
        {
            if (mask[layer] is null || mask[layer].Count != units)
                return $"{what} mask of layer {layer} has {mask[layer]?.Count ?? 0} units, the backbone has {units}";
            if (mask[layer].Any(v => v is not (0 or 1))) return $"{what} mask of layer {layer} holds a value other than 0 or 1";
        }
        return null;
    }
}

/// <summary>Signature length k, similarity scale β and reuse threshold τ of a mask library.</summary>
public sealed record MaskSignatureSettings
{
    public int K { get; init; } = 20;
    public double Beta { get; init; } = 0.1;
    public double Tau { get; init; } = 0.5;
}

/// <summary>One library entry: a code, its spectral signature and the backbone mask derived on it.</summary>
public sealed record MaskEntry
{
    /// <summary>Code name (the code file's stem, or nr:K,N).</summary>
    public string Code { get; init; } = "";

    /// <summary>Hex SHA-256 of the code file (of the alist text for nr: codes).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Columns of H.</summary>
    public int N { get; init; }

    /// <summary>Rows of H.</summary>
    public int M { get; init; }

    /// <summary>"reference" (a library seed code) or "derived" (added by onboarding).</summary>
    public string? Source { get; init; }

    public IReadOnlyList<double> Signature { get; init; } = [];

    /// <summary>Per layer, 1 for each attention head kept.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Heads { get; init; } = [];

    /// <summary>Per layer, 1 for each FFN channel kept.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Ffn { get; init; } = [];

    /// <summary>Heads kept in each layer.</summary>
    public int[] KeptHeads => Heads.Select(layer => layer.Count(v => v == 1)).ToArray();

    /// <summary>FFN channels kept in each layer.</summary>
    public int[] KeptFfn => Ffn.Select(layer => layer.Count(v => v == 1)).ToArray();

    /// <summary>Every head then every FFN channel of all layers, true when kept.</summary>
    internal bool[] Units() => Heads.SelectMany(layer => layer).Concat(Ffn.SelectMany(layer => layer)).Select(v => v == 1).ToArray();
}

/// <summary>A library entry with its signature distance and similarity κ to a code.</summary>
public readonly record struct MaskMatch(MaskEntry Entry, double Distance, double Kappa);

/// <summary>Outcome of Algorithm 1 for a code: the nearest entry (null for an empty library), τ, and whether its mask is reused.</summary>
public sealed record MaskDecision(MaskMatch? Nearest, double Tau, bool Reuse)
{
    /// <summary>One line: "reuse mask of X (kappa 0.780 >= tau 0.5)" or "derive a new mask: nearest X has kappa 0.210 &lt; tau 0.5".</summary>
    public string Describe()
    {
        var tau = Tau.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        if (Nearest is not { } nearest) return $"derive a new mask: the library has no entries (tau {tau})";
        var kappa = nearest.Kappa.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        return Reuse
            ? $"reuse mask of {nearest.Entry.Code} (kappa {kappa} >= tau {tau})"
            : $"derive a new mask: nearest {nearest.Entry.Code} has kappa {kappa} < tau {tau}";
    }
}
