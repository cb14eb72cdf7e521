using System.Buffers;
using System.Security.Cryptography;
using Receiver.Codes;
using Receiver.Neural;

namespace Receiver.Decoders.Neural;

/// <summary>
/// A neural decoder (ECCT, FECCT, ECCFM): the model's TorchScript for this code, run through the libtorch
/// bridge on the canonical LLRs of a batch, gives a soft output per bit (positive = bit 0); bits are
/// soft &lt; 0, and the syndrome decides the status (H c = 0: Converged, else NotConverged; Iterations 1).
/// On punctured codes (5G NR) the erased columns (LLR 0: punctured systematic bits, untransmitted parity) are then
/// recomputed from the other decided bits through H (<see cref="ErasedBitSolver"/>): the model has no hard decision there to correct.
/// Large batches run as sub-batches of at most <see cref="DecoderOptions.NeuralMaxBatch"/> frames through
/// pooled buffers. libtorch spreads one forward pass over <see cref="DecoderOptions.Parallelism"/> threads
/// (0: one, measured faster than two on these small models; a process-wide setting) and OpenBLAS is held to one thread. The model runs on
/// <see cref="DecoderOptions.NeuralDevice"/> (CPU by default; the bridge copies each batch to and from a CUDA device).
/// </summary>
public sealed class NeuralDecoder : IBatchDecoder, IDisposable
{
    /// <summary>Decoder names that run neural models, with the architecture each expects in a manifest.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["ecct", "fecct", "eccfm", "uecct", "aecct", "ddecc"];

    private readonly TorchScriptModel _model;
    private readonly int _graphLength;
    private readonly ErasedBitSolver? _erasedBits;

    /// <summary>Loads <paramref name="model"/>'s TorchScript for <paramref name="code"/> after checking that it fits (see <see cref="Check"/>).</summary>
    /// <exception cref="ModelException">The model is of another architecture, has no entry for the code, or was trained on another matrix.</exception>
    public NeuralDecoder(string name, IBlockCode code, ModelManifest model, DecoderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NeuralMaxBatch, 1, nameof(options.NeuralMaxBatch));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Parallelism, nameof(options.Parallelism));
        Name = name;
        Code = code;
        Model = model;
        Entry = Check(name, code, model);
        MaxBatch = options.NeuralMaxBatch;
        _graphLength = code.H.Columns;
        _erasedBits = ErasedBitSolver.Create(code);
        _model = TorchScriptModel.Load(model.PathOf(Entry.TorchScript), options.NeuralDevice);
        // 0 means one libtorch thread here, not all cores: these models' ops are too small to split well
        // (bench neural, 2 cores: eccfm-polar64 batch 64 4902 frames/s with 1 thread vs 2470 with 2; batch-1 p50 404 vs 1022 us).
        TorchBridge.SetThreads(options.Parallelism > 0 ? options.Parallelism : 1);
        TorchBridge.SetBlasThreads(1);
        WarmUp();
    }

    /// <summary>The decoder for <paramref name="name"/> (one of <see cref="Architectures"/>) with the model <see cref="DecoderOptions.Model"/> names.</summary>
    /// <exception cref="ArgumentException">No model was given, or it cannot be found or used for this code (<see cref="ModelException"/>).</exception>
    public static NeuralDecoder Create(string name, IBlockCode code, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Model))
            throw new ArgumentException(
                $"decoder {name} needs a model: pass --model NAME|FOLDER|manifest.json (receiver models list shows the installed ones), or set Chain:Model in a service configuration");
        return new NeuralDecoder(name, code, ModelCatalog.Default.Resolve(options.Model), options);
    }

    public string Name { get; }
    public IBlockCode Code { get; }

    /// <summary>The model's manifest.</summary>
    public ModelManifest Model { get; }

    /// <summary>The manifest's entry for <see cref="Code"/>.</summary>
    public ModelCodeEntry Entry { get; }

    /// <summary>Most frames one forward pass takes.</summary>
    public int MaxBatch { get; }

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
            _model.Forward(llrs, frames, soft);
            return;
        }
        // Punctured/shortened codes: the model sees the graph LLRs.
        var graph = ArrayPool<float>.Shared.Rent(frames * _graphLength);
        try
        {
            for (var f = 0; f < frames; f++)
                Code.ToGraphLlr(llrs.Slice(f * InputLength, InputLength), graph.AsSpan(f * _graphLength, _graphLength));
            _model.Forward(graph.AsSpan(0, frames * _graphLength), frames, soft);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(graph);
        }
    }

    /// <summary>
    /// TorchScript's executor profiles the first calls of a module and optimises the graph after them; run those
    /// here on noiseless frames so they do not count in the first measured batch or the first frames' latency.
    /// </summary>
    private void WarmUp()
    {
        const int frames = 2;
        var llrs = new float[frames * _graphLength];
        llrs.AsSpan().Fill(4f);
        var soft = new float[frames * _graphLength];
        for (var call = 0; call < 3; call++) _model.Forward(llrs, frames, soft);
    }

    /// <summary>Frees the native model.</summary>
    public void Dispose() => _model.Dispose();

    private static bool SameMatrix(ParityCheckMatrix a, ParityCheckMatrix b) =>
        a.Rows == b.Rows && a.Columns == b.Columns && a.RowStart.SequenceEqual(b.RowStart) && a.EdgeColumns.SequenceEqual(b.EdgeColumns);
}
