namespace Receiver.Neural;

/// <summary>
/// Installed models: folders holding a <c>manifest.json</c>, one level below each search folder. The search
/// folders are, in order: <c>$RECEIVER_MODELS_DIR</c> (when set), <c>models/</c> next to the application, then
/// the <c>models/</c> folder of every folder above the application and above the current directory. The first
/// model of a name wins.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>Environment variable naming an extra folder of models, searched first.</summary>
    public const string ModelsDirectoryVariable = "RECEIVER_MODELS_DIR";

    /// <summary>Name of the models folder next to the app and in the repository root.</summary>
    public const string ModelsFolderName = "models";

    /// <summary>A catalog over the given folders (missing ones are skipped).</summary>
    public ModelCatalog(IEnumerable<string> searchFolders)
    {
        ArgumentNullException.ThrowIfNull(searchFolders);
        SearchFolders = searchFolders.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The catalog over <see cref="DefaultSearchFolders"/>.</summary>
    public static ModelCatalog Default => new(DefaultSearchFolders());

    /// <summary>Folders searched for models, in order (see the class summary); only existing ones.</summary>
    public IReadOnlyList<string> SearchFolders { get; }

    /// <summary>The default search folders that exist, in search order.</summary>
    public static IReadOnlyList<string> DefaultSearchFolders()
    {
        var folders = new List<string>();
        var configured = Environment.GetEnvironmentVariable(ModelsDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured)) folders.Add(configured);
        folders.Add(Path.Combine(AppContext.BaseDirectory, ModelsFolderName));
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                folders.Add(Path.Combine(folder.FullName, ModelsFolderName));
        return folders.Where(Directory.Exists).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Every readable model, first of each name, sorted by name. Folders whose manifest cannot be read are
    /// skipped; their one-line reasons go to <paramref name="problems"/> when given.
    /// </summary>
    public IReadOnlyList<ModelManifest> List(ICollection<string>? problems = null)
    {
        var models = new Dictionary<string, ModelManifest>(StringComparer.OrdinalIgnoreCase);
        foreach (var searchFolder in SearchFolders)
        {
            foreach (var folder in Directory.EnumerateDirectories(searchFolder).Order(StringComparer.Ordinal))
            {
                var manifestPath = Path.Combine(folder, ModelManifest.FileName);
                if (!File.Exists(manifestPath)) continue;
                try
                {
                    var manifest = ModelManifest.Load(manifestPath);
                    models.TryAdd(manifest.Name, manifest);
                }
                catch (ModelException e)
                {
                    problems?.Add(e.Message);
                }
            }
        }
        return models.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The model <paramref name="spec"/> names: a manifest file, a model folder, or an installed model's name
    /// (see <see cref="List"/>). Unknown names throw <see cref="ModelException"/> listing the known ones.
    /// </summary>
    public ModelManifest Resolve(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new ModelException("no model given: pass a model name (receiver models list), a model folder or a manifest.json path");
        spec = spec.Trim();
        if (File.Exists(spec)) return ModelManifest.Load(spec);
        if (Directory.Exists(spec))
        {
            var manifestPath = Path.Combine(spec, ModelManifest.FileName);
            if (!File.Exists(manifestPath)) throw new ModelException($"model folder {Path.GetFullPath(spec)} has no {ModelManifest.FileName}");
            return ModelManifest.Load(manifestPath);
        }
        var known = List();
        var found = known.FirstOrDefault(m => m.Name.Equals(spec, StringComparison.OrdinalIgnoreCase));
        if (found is not null) return found;
        var looksLikePath = spec.Contains('/') || spec.Contains(Path.DirectorySeparatorChar) || spec.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        var knownText = known.Count == 0
            ? $"no models are installed (searched {(SearchFolders.Count == 0 ? "no existing models/ folder" : string.Join(", ", SearchFolders))}; set {ModelsDirectoryVariable})"
            : $"known models are {string.Join(", ", known.Select(m => m.Name))}";
        throw new ModelException(looksLikePath
            ? $"model not found: no file or folder {Path.GetFullPath(spec)}"
            : $"unknown model '{spec}': {knownText}");
    }
}
