namespace Receiver.Common;

/// <summary>The codes a running service is configured for, by name and by index (framers resolve envelope code ids through it).</summary>
public interface ICodeDirectory
{
    int Count { get; }

    /// <summary>Finds a configured code by its name or alias (e.g. "nr:224,256", "LDPC_N121_K70", "ldpc121").</summary>
    bool TryGetIndex(string name, out int index);

    /// <summary>Canonical name of the code at an index.</summary>
    string NameOf(int index);

    /// <summary>LLRs per frame (the code's N) for the code at an index.</summary>
    int FrameLength(int index);
}
