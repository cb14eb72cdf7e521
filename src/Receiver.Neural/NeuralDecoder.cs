using System.Buffers;
using System.Security.Cryptography;
using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Neural.Runtime;

namespace Receiver.Neural;

/// <summary>
/// A neural decoder (ECCT, FECCT, ECCFM, UECCT, AECCT, DDECC): the model's artifact for this code, run by an
/// <see cref="IModelSession"/> (ONNX Runtime or TorchSharp) on the canonical LLRs of a batch, gives a soft output per
/// bit (positive = bit 0); bits are soft &lt; 0, and the syndrome decides the status (H c = 0: Converged, else
/// NotConverged; Iterations 1). On punctured codes (5G NR) the erased columns (LLR 0: punctured systematic bits,
/// untransmitted parity) are then recomputed from the other decided bits through H (<see cref="ErasedBitSolver"/>):
/// the model has no hard decision there to correct. Large batches run as sub-batches of at most
/// <see cref="MaxBatch"/> frames through pooled buffers. <see cref="NeuralDecoders"/> finds, checks and opens the model.
/// </summary>
public sealed class NeuralDecoder : IBatchDecoder, IDisposable
{
    private readonly IModelSession _session;
    private readonly int _graphLength;
    private readonly ErasedBitSolver? _erasedBits;

    /// <summary>A decoder over an opened <paramref name="session"/> of <paramref name="model"/>'s <paramref name="entry"/> for <paramref name="code"/> (it takes ownership of the session).</summary>
    public NeuralDecoder(string name, IBlockCode code, ModelManifest model, ModelCodeEntry entry, IModelSession session, int maxBatch)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        if (session.InputLength != code.H.Columns || session.OutputLength != code.H.Columns)
            throw new ArgumentException($"{name}: the session takes rows of {session.InputLength}, the code's graph has {code.H.Columns} columns");
        Name = name;
        Code = code;
        Model = model;
        Entry = entry;
        MaxBatch = maxBatch;
        _session = session;
        _graphLength = code.H.Columns;
        _erasedBits = ErasedBitSolver.Create(code);
    }

    public string Name { get; }
    public IBlockCode Code { get; }

    /// <summary>The model's manifest.</summary>
    public ModelManifest Model { get; }

    /// <summary>The manifest's entry for <see cref="Code"/>.</summary>
    public ModelCodeEntry Entry { get; }

    /// <summary>Most frames one forward pass takes.</summary>
    public int MaxBatch { get; }

    /// <summary>The runtime and device running the model's artifact.</summary>
    public IModelSession Session => _session;

    public int InputLength => Code.N;
    public int OutputLength => _graphLength;

    /// <summary>
    /// Checks that <paramref name="model"/> runs as decoder <paramref name="name"/> on <paramref name="code"/>: the same
    /// architecture, an entry for the code with its length, and (when the manifest gives a sha256) the code file
    /// found for the code's name has those bytes and this parity-check matrix; for an nr: code, which no file names, the
    /// sha256 is that of its graph as alist text (<see cref="AlistFormat.ToText"/>, UTF-8). Returns the code's entry.
    /// </summary>
    /// <exception cref="ModelException">One line saying what does not fit.</exception>
    public static ModelCodeEntry Check(string name, IBlockCode code, ModelManifest model)
    {
        if (!model.Architecture.Equals(name, StringComparison.OrdinalIgnoreCase))
            throw new ModelException(
                $"model '{model.Name}' is an {model.Architecture} model, not {name}: use --decoder {model.Architecture.ToLowerInvariant()} with it");
        var entry = model.RequireCode(code.Name);
        if (entry.N != code.H.Columns)
            throw new ModelException($"model '{model.Name}' takes n = {entry.N} for {entry.Code}, the code has {code.H.Columns} columns");
        if (string.IsNullOrWhiteSpace(entry.Sha256)) return entry;
        if (code.Name.StartsWith(CodeLibrary.NrPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // No file names an nr: code: the manifest holds the sha256 of its graph's alist text (what codes export writes).
            var graphSha = AlistFormat.TextSha256(code.H);
            if (!graphSha.Equals(entry.Sha256.Trim(), StringComparison.OrdinalIgnoreCase))
                throw new ModelException(
                    $"model '{model.Name}' was trained on another graph: {code.Name} as alist text has sha256 {graphSha}, the manifest's {entry.Code} has {entry.Sha256}");
            return entry;
        }

        string file;
        try
        {
            file = CodeLibrary.ResolveCodeFile(code.Name, CodeLibrary.FindCodesDirectory());
        }
        catch (CodeFormatException e)
        {
            throw new ModelException($"model '{model.Name}': cannot check code {code.Name} against the manifest's sha256: {e.Message}", e);
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        if (!sha.Equals(entry.Sha256.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new ModelException(
                $"model '{model.Name}' was trained on another matrix: {file} has sha256 {sha}, the manifest's {entry.Code} has {entry.Sha256}");
        if (!SameMatrix(CodeLibrary.LoadMatrix(file).H, code.H))
            throw new ModelException(
                $"model '{model.Name}': the code given as {code.Name} is not the matrix of {file} the model was trained on");
        return entry;
    }

    public void Decode(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        var frames = status.Length;
        if (llrs.Length != frames * InputLength)
            throw new ArgumentException($"{Name}: {frames} frames need {frames * InputLength} LLRs, got {llrs.Length}", nameof(llrs));
        if (bits.Length != frames * OutputLength)
            throw new ArgumentException($"{Name}: {frames} frames need {frames * OutputLength} output bits, got {bits.Length}", nameof(bits));
        if (frames == 0) return;

        var rows = Math.Min(frames, MaxBatch);
        var soft = ArrayPool<float>.Shared.Rent(rows * _graphLength);
        var syndromeBuffer = _erasedBits is null ? null : ArrayPool<byte>.Shared.Rent(Code.H.Rows);
        var syndrome = syndromeBuffer.AsSpan();
        try
        {
            for (var first = 0; first < frames; first += MaxBatch)
            {
                var count = Math.Min(MaxBatch, frames - first);
                var frameSoft = soft.AsSpan(0, count * _graphLength);
                DecodeSoft(llrs.Slice(first * InputLength, count * InputLength), frameSoft);
                var frameBits = bits.Slice(first * OutputLength, count * OutputLength);
                for (var i = 0; i < frameBits.Length; i++) frameBits[i] = frameSoft[i] < 0f ? (byte)1 : (byte)0;
                for (var f = 0; f < count; f++)
                {
                    _erasedBits?.Fill(frameBits.Slice(f * OutputLength, OutputLength), syndrome);
                    var unsatisfied = Code.H.SyndromeWeight(frameBits.Slice(f * OutputLength, OutputLength));
                    status[first + f] = new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, 1, unsatisfied);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(soft);
            if (syndromeBuffer is not null) ArrayPool<byte>.Shared.Return(syndromeBuffer);
        }
    }

    /// <summary>
    /// The model's soft output (positive = bit 0) for llrs.Length / InputLength frames, written to
    /// <paramref name="soft"/> (OutputLength values per frame), in one forward pass.
    /// </summary>
    public void DecodeSoft(ReadOnlySpan<float> llrs, Span<float> soft)
    {
        var frames = llrs.Length / InputLength;
        if (frames == 0 || llrs.Length != frames * InputLength || soft.Length != frames * OutputLength)
            throw new ArgumentException($"{Name}: soft decoding needs whole frames of {InputLength} LLRs and {OutputLength} outputs each, got {llrs.Length} and {soft.Length}");
        if (InputLength == _graphLength)
        {
            _session.Run(llrs, frames, soft);
            return;
        }
        // Punctured/shortened codes: the model sees the graph LLRs.
        var graph = ArrayPool<float>.Shared.Rent(frames * _graphLength);
        try
        {
            for (var f = 0; f < frames; f++)
                Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), graph.AsSpan(f * _graphLength, _graphLength));
            _session.Run(graph.AsSpan(0, frames * _graphLength), frames, soft);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(graph);
        }
    }

    /// <summary>Frees the model session.</summary>
    public void Dispose() => _session.Dispose();

    private static bool SameMatrix(ParityCheckMatrix a, ParityCheckMatrix b) =>
        a.Rows == b.Rows && a.Columns == b.Columns && a.RowStart.SequenceEqual(b.RowStart) && a.EdgeColumns.SequenceEqual(b.EdgeColumns);
}
