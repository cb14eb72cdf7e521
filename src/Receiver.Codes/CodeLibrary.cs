using System.Globalization;
using Receiver.Codes.Nr5g;

namespace Receiver.Codes;

/// <summary>
/// Turns a code spec into an <see cref="IBlockCode"/>. A spec is one of:
/// a path to an <c>.alist</c> (sparse) or <c>.txt</c> (dense 0/1) file;
/// a bundled code name such as <c>LDPC_N49_K24</c>, <c>BCH_N31_K16.txt</c> or <c>crossmpt_variant/POLAR_N128_K64</c>,
/// looked up in the bundled codes directory (extension optional);
/// or <c>nr:K,N</c> for the 5G NR LDPC code rate-matched to K information and N transmitted bits.
/// </summary>
/// <remarks>
/// The bundled codes directory is <c>$RECEIVER_CODES_DIR</c> when set, else <c>&lt;AppContext.BaseDirectory&gt;/codes</c>
/// when it exists, else the first <c>codes/</c> folder holding a <c>SOURCE.md</c> found walking up from the
/// current directory and then from <c>AppContext.BaseDirectory</c>.
/// All user errors throw <see cref="CodeFormatException"/> with a one-line message.
/// </remarks>
public static class CodeLibrary
{
    /// <summary>Environment variable that overrides where bundled codes are looked up.</summary>
    public const string CodesDirectoryVariable = "RECEIVER_CODES_DIR";

    /// <summary>Prefix of 5G NR specs, <c>nr:K,N</c>.</summary>
    public const string NrPrefix = "nr:";

    private static readonly string[] CodeFileExtensions = [".alist", ".txt"];

    /// <summary>Loads the code a spec names, looking bare names up in <see cref="FindCodesDirectory"/>.</summary>
    public static IBlockCode Load(string spec) => Load(spec, FindCodesDirectory());

    /// <summary>Loads the code a spec names, looking bare names up in <paramref name="codesDirectory"/> (null: none).</summary>
    public static IBlockCode Load(string spec, string? codesDirectory)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new CodeFormatException("empty code spec: give a code file path, a bundled code name (e.g. LDPC_N49_K24) or nr:K,N");
        spec = spec.Trim();
        if (spec.StartsWith(NrPrefix, StringComparison.OrdinalIgnoreCase)) return LoadNr(spec);
        var (h, name) = LoadMatrix(spec, codesDirectory);
        return new LinearBlockCode(h, name);
    }

    /// <summary>Reads the parity-check matrix of a code file (path or bundled name) and names it after the file, without extension.</summary>
    public static (ParityCheckMatrix H, string Name) LoadMatrix(string path) => LoadMatrix(path, FindCodesDirectory());

    /// <summary>As <see cref="LoadMatrix(string)"/>, with bundled names looked up in <paramref name="codesDirectory"/>.</summary>
    public static (ParityCheckMatrix H, string Name) LoadMatrix(string path, string? codesDirectory)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = ResolveCodeFile(path, codesDirectory);
        var name = Path.GetFileNameWithoutExtension(file);
        var extension = Path.GetExtension(file);
        if (extension.Equals(".alist", StringComparison.OrdinalIgnoreCase)) return (AlistFormat.ReadFile(file), name);
        if (extension.Equals(".txt", StringComparison.OrdinalIgnoreCase)) return (DenseFormat.ReadFile(file), name);
        throw new CodeFormatException(file, $"unknown code file type '{extension}': expected .alist (sparse) or .txt (dense 0/1 rows)");
    }

    /// <summary>
    /// The file a spec names: the spec itself, or with <c>.alist</c> or <c>.txt</c> appended, first as a path
    /// (relative to the current directory), then relative to the bundled codes directory.
    /// </summary>
    public static string ResolveCodeFile(string spec, string? codesDirectory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var candidate in Candidates(spec))
            if (File.Exists(candidate)) return candidate;
        if (codesDirectory is not null && !Path.IsPathRooted(spec))
        {
            foreach (var candidate in Candidates(Path.Combine(codesDirectory, spec)))
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new CodeFormatException($"code file not found: {spec} ({DescribeBundled(codesDirectory)})");
    }

    /// <summary>Bundled code files of <see cref="FindCodesDirectory"/>, see <see cref="BundledCodeNames(string?)"/>.</summary>
    public static IReadOnlyList<string> BundledCodeNames() => BundledCodeNames(FindCodesDirectory());

    /// <summary>
    /// The <c>.alist</c> and <c>.txt</c> files under <paramref name="codesDirectory"/> (subfolders included), as
    /// '/'-separated relative paths sorted ordinally; each is a valid spec for <see cref="Load(string, string?)"/>.
    /// Empty when the directory is null or missing.
    /// </summary>
    public static IReadOnlyList<string> BundledCodeNames(string? codesDirectory)
    {
        if (codesDirectory is null || !Directory.Exists(codesDirectory)) return [];
        return Directory.EnumerateFiles(codesDirectory, "*", SearchOption.AllDirectories)
            .Where(f => CodeFileExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(codesDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The bundled codes directory (see the class remarks), or null when none is found.</summary>
    public static string? FindCodesDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(CodesDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return Path.GetFullPath(fromEnvironment);

        var besideApp = Path.Combine(AppContext.BaseDirectory, "codes");
        if (Directory.Exists(besideApp)) return besideApp;

        return FindCodesFolderAbove(Directory.GetCurrentDirectory()) ?? FindCodesFolderAbove(AppContext.BaseDirectory);
    }

    /// <summary>First <c>codes/</c> folder holding a <c>SOURCE.md</c> in <paramref name="start"/> or one of its ancestors.</summary>
    public static string? FindCodesFolderAbove(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var codes = Path.Combine(dir.FullName, "codes");
            if (File.Exists(Path.Combine(codes, "SOURCE.md"))) return codes;
        }
        return null;
    }

    /// <summary>Parses <c>nr:K,N</c> and builds the 5G NR LDPC code; bad numbers throw <see cref="CodeFormatException"/>.</summary>
    private static IBlockCode LoadNr(string spec)
    {
        const string usage = "expected nr:K,N with integers 0 < K <= N, e.g. nr:224,256";
        var parts = spec[NrPrefix.Length..].Split(',');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var k)
            || !int.TryParse(parts[1], NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            throw new CodeFormatException($"bad code spec '{spec}': {usage}");
        if (k <= 0 || n <= 0) throw new CodeFormatException($"bad code spec '{spec}': K and N must be positive ({usage})");
        if (k > n) throw new CodeFormatException($"bad code spec '{spec}': K = {k} exceeds N = {n}");
        try
        {
            return Nr5gLdpcCode.Create(k, n);
        }
        catch (ArgumentException e)
        {
            // The NR code names the spec in its own messages (K, N outside what TS 38.212 can rate-match).
            throw new CodeFormatException(e.Message, e);
        }
    }

    private static IEnumerable<string> Candidates(string path)
    {
        yield return path;
        foreach (var extension in CodeFileExtensions) yield return path + extension;
    }

    private static string DescribeBundled(string? codesDirectory)
    {
        if (codesDirectory is null) return $"no bundled codes directory found; set {CodesDirectoryVariable}";
        if (!Directory.Exists(codesDirectory)) return $"bundled codes directory {codesDirectory} does not exist";
        var names = BundledCodeNames(codesDirectory);
        return names.Count == 0
            ? $"no code files in {codesDirectory}"
            : $"bundled codes: {string.Join(", ", names)}";
    }
}
