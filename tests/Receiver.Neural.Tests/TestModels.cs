using System.Runtime.CompilerServices;
using Receiver.Codes;
using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>Where the fixture model, the repository's shipped models and the bundled codes are.</summary>
internal static class TestModels
{
    public const string FixtureName = "ecct-fixture-ldpc49";
    public const string FixtureCode = "LDPC_N49_K24";

    public static string ProjectFolder { get; } = Folder();
    public static string RepositoryRoot { get; } = Path.GetFullPath(Path.Combine(ProjectFolder, "..", ".."));
    public static string CodesFolder { get; } = Path.Combine(RepositoryRoot, "codes");
    public static string FixtureModels { get; } = Path.Combine(ProjectFolder, "Fixtures", "models");
    public static string FixtureFolder { get; } = Path.Combine(FixtureModels, FixtureName);
    public static string RepositoryModels { get; } = Path.Combine(RepositoryRoot, "models");

    public static ModelManifest Fixture() => ModelManifest.Load(Path.Combine(FixtureFolder, ModelManifest.FileName));

    public static IBlockCode LoadCode(string name) => CodeLibrary.Load(name, CodesFolder);

    /// <summary>
    /// Every (model folder, code) pair with a golden file: the fixture, each model shipped under models/, and the
    /// models under RECEIVER_MODELS_DIR when it is set (to check freshly exported models before shipping them).
    /// </summary>
    public static IEnumerable<object[]> GoldenCases()
    {
        var extra = Environment.GetEnvironmentVariable(ModelCatalog.ModelsDirectoryVariable);
        var folders = new[] { FixtureModels, RepositoryModels, extra }.OfType<string>().Where(Directory.Exists);
        foreach (var manifest in new ModelCatalog(folders).List())
            foreach (var entry in manifest.Codes.Where(e => !string.IsNullOrEmpty(e.Golden)))
                yield return [manifest.Folder, entry.Code];
    }

    /// <summary>A copy of the fixture model in a fresh temporary folder, its manifest rewritten by <paramref name="edit"/>.</summary>
    public static string CopyFixture(Func<string, string>? edit = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "neural-tests-" + Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(root, FixtureName);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(FixtureFolder))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        if (edit is not null)
        {
            var manifestPath = Path.Combine(folder, ModelManifest.FileName);
            File.WriteAllText(manifestPath, edit(File.ReadAllText(manifestPath)));
        }
        return folder;
    }

    private static string Folder([CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;
}
