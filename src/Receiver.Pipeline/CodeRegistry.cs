using Receiver.Codes;
using Receiver.Common;

namespace Receiver.Pipeline;

/// <summary>One configured code: a <see cref="CodeLibrary.Load(string, string?)"/> spec and extra names it answers to.</summary>
/// <param name="Spec">Code file path, bundled name (e.g. <c>LDPC_N121_K70</c>) or <c>nr:K,N</c>.</param>
/// <param name="Aliases">Other names envelopes and configuration may use for the code (e.g. <c>ldpc121</c>).</param>
public sealed record CodeEntry(string Spec, IReadOnlyList<string>? Aliases = null);

/// <summary>
/// The service's codes, loaded once, by index (the order configured) and by name: the code's canonical
/// <see cref="IBlockCode.Name"/>, the spec as written, and its aliases, all case-insensitive.
/// </summary>
public sealed class CodeRegistry : ICodeDirectory
{
    private readonly IBlockCode[] _codes;
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads each entry's code; bundled names are looked up in <paramref name="codesDirectory"/> (null: <see cref="CodeLibrary.FindCodesDirectory"/>).</summary>
    /// <exception cref="CodeFormatException">A spec does not load.</exception>
    /// <exception cref="ArgumentException">No entries, or a name or alias is used by two codes.</exception>
    public CodeRegistry(IEnumerable<CodeEntry> entries, string? codesDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToArray();
        if (list.Length == 0) throw new ArgumentException("no codes configured: give at least one code spec (e.g. nr:224,256 or LDPC_N121_K70)", nameof(entries));
        var directory = codesDirectory ?? CodeLibrary.FindCodesDirectory();
        _codes = new IBlockCode[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            var entry = list[i] ?? throw new ArgumentException($"code entry {i} is null", nameof(entries));
            _codes[i] = CodeLibrary.Load(entry.Spec, directory);
            Register(_codes[i].Name, i);
            Register(entry.Spec.Trim(), i);
            foreach (var alias in entry.Aliases ?? [])
            {
                if (string.IsNullOrWhiteSpace(alias)) throw new ArgumentException($"code {_codes[i].Name}: empty alias", nameof(entries));
                Register(alias.Trim(), i);
            }
        }
    }

    /// <summary>A registry over codes already built (tests, custom codes); names are the codes' own.</summary>
    public CodeRegistry(IEnumerable<IBlockCode> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        _codes = codes.ToArray();
        if (_codes.Length == 0) throw new ArgumentException("no codes given", nameof(codes));
        for (var i = 0; i < _codes.Length; i++) Register(_codes[i].Name, i);
    }

    public int Count => _codes.Length;

    /// <summary>The code at an index.</summary>
    public IBlockCode this[int index] => _codes[index];

    /// <summary>All codes, by index.</summary>
    public IReadOnlyList<IBlockCode> Codes => _codes;

    public bool TryGetIndex(string name, out int index)
    {
        index = -1;
        return name is not null && _indexByName.TryGetValue(name.Trim(), out index);
    }

    /// <summary>Index of a configured code; an unknown name throws, listing the known ones.</summary>
    public int IndexOf(string name) => TryGetIndex(name, out var index)
        ? index
        : throw new ArgumentException($"unknown code '{name}': configured codes are {string.Join(", ", _indexByName.Keys.Order(StringComparer.OrdinalIgnoreCase))}", nameof(name));

    public string NameOf(int index) => _codes[index].Name;

    public int FrameLength(int index) => _codes[index].N;

    private void Register(string name, int index)
    {
        if (_indexByName.TryGetValue(name, out var existing) && existing != index)
            throw new ArgumentException($"code name '{name}' is used by both {_codes[existing].Name} (code {existing}) and {_codes[index].Name} (code {index})");
        _indexByName[name] = index;
    }
}
