using Receiver.Codes;
using Receiver.Decoders;

namespace Receiver.Pipeline;

/// <summary>
/// A code's decoding stages, run on a batch of frames: an optional syndrome check (frames whose hard
/// decision already satisfies H skip decoding), the main decoder on the rest, and an optional fallback
/// decoder on the frames whose main output still fails H. The fallback's output replaces the main
/// output for every frame it ran on (its status and stage tell whether it converged).
/// Only <see cref="IBatchDecoder"/> is used, so any decoder (classical or neural) plugs in unchanged.
/// </summary>
/// <remarks>
/// Thread-safe: concurrent <see cref="Process"/> calls each borrow a workspace (buffers sized for
/// <see cref="MaxBatch"/> frames), so the steady state allocates nothing.
/// Punctured graph columns (5G NR: the first 2Z systematic bits and untransmitted parity, whose graph LLRs are 0)
/// have no hard decision: the syndrome check first fills them by erasure peeling along a schedule computed once
/// per code (a check with exactly one unknown bit gives it the parity of the others), then checks every row.
/// When peeling cannot reach every punctured column (<see cref="SyndromeCheckApplies"/> false), the check is skipped
/// and every frame goes to the main decoder.
/// </remarks>
public sealed class DecoderChain
{
    private readonly Stack<Workspace> _workspaces = new();

    /// <summary>(check row, column) pairs, in order: each row's other bits are known when its column is filled; null when peeling cannot fill every punctured column.</summary>
    private readonly (int Row, int Column)[]? _peelingSteps;

    /// <summary>Builds the chain <paramref name="options"/> describes for <paramref name="code"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options, or a decoder that does not accept the code.</exception>
    public DecoderChain(IBlockCode code, DecoderChainOptions options, int maxBatch)
        : this(code, CreateMain(code, options), CreateFallback(code, options), options.SyndromeCheck, maxBatch)
    {
    }

    /// <summary>A chain over decoders built elsewhere (custom or neural decoders); both must decode <paramref name="code"/>.</summary>
    public DecoderChain(IBlockCode code, IBatchDecoder main, IBatchDecoder? fallback, bool syndromeCheck, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(main);
        if (maxBatch <= 0) throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "max batch must be positive");
        CheckDecoder(code, main, "main");
        if (fallback is not null) CheckDecoder(code, fallback, "fallback");
        Code = code;
        Main = main;
        Fallback = fallback;
        SyndromeCheck = syndromeCheck;
        MaxBatch = maxBatch;
        _peelingSteps = PeelingSchedule(code);
    }

    /// <summary>True when the syndrome stage runs: it is enabled and every punctured column can be filled by peeling.</summary>
    public bool SyndromeCheckApplies => SyndromeCheck && _peelingSteps is not null;

    public IBlockCode Code { get; }
    public IBatchDecoder Main { get; }
    public IBatchDecoder? Fallback { get; }
    public bool SyndromeCheck { get; }

    /// <summary>Most frames one <see cref="Process"/> call takes.</summary>
    public int MaxBatch { get; }

    /// <summary>LLRs per frame (the code's N).</summary>
    public int InputLength => Code.N;

    /// <summary>Output bits per frame (the code's graph length, H.Columns).</summary>
    public int OutputLength => Code.H.Columns;

    /// <summary>Decodes status.Length frames: <paramref name="llrs"/> is frames x N canonical LLRs, <paramref name="bits"/> frames x H.Columns graph bits.</summary>
    public void Process(ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status, Span<DecodeStage> stage)
    {
        var frames = status.Length;
        if (frames > MaxBatch) throw new ArgumentException($"chain for {Code.Name}: {frames} frames exceed the max batch of {MaxBatch}", nameof(status));
        if (llrs.Length != frames * InputLength) throw new ArgumentException($"chain for {Code.Name}: {frames} frames need {frames * InputLength} LLRs, got {llrs.Length}", nameof(llrs));
        if (bits.Length != frames * OutputLength) throw new ArgumentException($"chain for {Code.Name}: {frames} frames need {frames * OutputLength} bits, got {bits.Length}", nameof(bits));
        if (stage.Length != frames) throw new ArgumentException($"chain for {Code.Name}: {frames} frames need {frames} stage entries, got {stage.Length}", nameof(stage));
        if (frames == 0) return;

        var workspace = Rent();
        try
        {
            var pending = workspace.Pending;
            var pendingCount = 0;
            if (SyndromeCheckApplies)
            {
                for (var f = 0; f < frames; f++)
                {
                    var frameBits = bits.Slice(f * OutputLength, OutputLength);
                    if (HardDecisionIsCodeword(llrs.Slice(f * InputLength, InputLength), frameBits, workspace.GraphLlr))
                    {
                        status[f] = new DecodeStatus(DecodeOutcome.Converged, 0, 0);
                        stage[f] = DecodeStage.SyndromeCheck;
                    }
                    else pending[pendingCount++] = f;
                }
            }
            else
            {
                for (var f = 0; f < frames; f++) pending[f] = f;
                pendingCount = frames;
            }

            RunStage(Main, DecodeStage.Main, pending.AsSpan(0, pendingCount), frames, llrs, bits, status, stage, workspace);
            if (Fallback is null) return;

            var failedCount = 0;
            for (var f = 0; f < frames; f++)
                if (!status[f].IsCodeword) pending[failedCount++] = f;
            RunStage(Fallback, DecodeStage.Fallback, pending.AsSpan(0, failedCount), frames, llrs, bits, status, stage, workspace);
        }
        finally
        {
            Return(workspace);
        }
    }

    /// <summary>Decodes the listed frames, in place when they are the whole batch, else through the workspace's compacted buffers.</summary>
    private void RunStage(IBatchDecoder decoder, DecodeStage stageValue, ReadOnlySpan<int> selected, int frames,
        ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status, Span<DecodeStage> stage, Workspace workspace)
    {
        var count = selected.Length;
        if (count == 0) return;
        if (count == frames)
        {
            decoder.Decode(llrs, bits, status);
            stage.Fill(stageValue);
            return;
        }

        var n = InputLength;
        var g = OutputLength;
        var packedLlrs = workspace.Llrs.AsSpan(0, count * n);
        var packedBits = workspace.Bits.AsSpan(0, count * g);
        var packedStatus = workspace.Status.AsSpan(0, count);
        for (var i = 0; i < count; i++) llrs.Slice(selected[i] * n, n).CopyTo(packedLlrs.Slice(i * n, n));
        decoder.Decode(packedLlrs, packedBits, packedStatus);
        for (var i = 0; i < count; i++)
        {
            var f = selected[i];
            packedBits.Slice(i * g, g).CopyTo(bits.Slice(f * g, g));
            status[f] = packedStatus[i];
            stage[f] = stageValue;
        }
    }

    /// <summary>Writes the hard decision of the frame's graph LLRs (L &lt; 0 gives 1), fills punctured bits by peeling, and tells whether the word satisfies H.</summary>
    private bool HardDecisionIsCodeword(ReadOnlySpan<float> frameLlrs, Span<byte> frameBits, float[] graphLlr)
    {
        var graph = graphLlr.AsSpan(0, OutputLength);
        Code.ToGraphLlr(frameLlrs, graph);
        for (var i = 0; i < graph.Length; i++) frameBits[i] = graph[i] < 0f ? (byte)1 : (byte)0;
        var h = Code.H;
        foreach (var (row, column) in _peelingSteps!)
        {
            var parity = 0;
            foreach (var c in h.RowSupport(row)) parity ^= frameBits[c];
            frameBits[column] ^= (byte)(parity & 1); // the column itself is in the sum: flipping it when the row is odd makes it even
        }
        return h.IsCodeword(frameBits);
    }

    /// <summary>
    /// Peeling order for the columns the code leaves without channel LLR (graph LLR 0 for any channel input):
    /// repeatedly take a check with exactly one such column still unknown. Empty for unpunctured codes; null when it stalls.
    /// </summary>
    private static (int Row, int Column)[]? PeelingSchedule(IBlockCode code)
    {
        var h = code.H;
        var graph = new float[h.Columns];
        var ones = new float[code.N];
        Array.Fill(ones, 1f);
        code.ToGraphLlr(ones, graph);
        var unknown = new bool[h.Columns];
        var unknownLeft = 0;
        for (var c = 0; c < graph.Length; c++)
            if (graph[c] == 0f) { unknown[c] = true; unknownLeft++; }
        if (unknownLeft == 0) return [];

        var unknownInRow = new int[h.Rows];
        var ready = new Queue<int>();
        for (var r = 0; r < h.Rows; r++)
        {
            foreach (var c in h.RowSupport(r)) if (unknown[c]) unknownInRow[r]++;
            if (unknownInRow[r] == 1) ready.Enqueue(r);
        }
        var steps = new List<(int, int)>(unknownLeft);
        while (ready.TryDequeue(out var row))
        {
            if (unknownInRow[row] != 1) continue;
            var column = -1;
            foreach (var c in h.RowSupport(row)) if (unknown[c]) column = c;
            steps.Add((row, column));
            unknown[column] = false;
            unknownLeft--;
            foreach (var r in h.ColumnSupport(column))
                if (--unknownInRow[r] == 1) ready.Enqueue(r);
        }
        return unknownLeft == 0 ? steps.ToArray() : null;
    }

    private Workspace Rent()
    {
        lock (_workspaces)
            if (_workspaces.TryPop(out var workspace)) return workspace;
        return new Workspace(MaxBatch, InputLength, OutputLength);
    }

    private void Return(Workspace workspace)
    {
        lock (_workspaces) _workspaces.Push(workspace);
    }

    private static IBatchDecoder CreateMain(IBlockCode code, DecoderChainOptions options)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid($"code {code.Name}");
        return Create(options.Decoder, code, options.DecoderOptions, "main");
    }

    // Without options of its own the fallback takes the main decoder's, on the CPU: the classical decoders that
    // retry failing frames have no GPU implementation, whatever device the main decoder runs on.
    private static IBatchDecoder? CreateFallback(IBlockCode code, DecoderChainOptions options) =>
        string.IsNullOrWhiteSpace(options.Fallback) ? null
        : Create(options.Fallback, code, options.FallbackOptions ?? options.DecoderOptions with { Device = ComputeDevice.Cpu }, "fallback");

    private static IBatchDecoder Create(string name, IBlockCode code, DecoderOptions options, string role)
    {
        try
        {
            return DecoderFactory.Create(name, code, options);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"code {code.Name}: {role} decoder '{name}' cannot be built: {e.Message}", e);
        }
    }

    private static void CheckDecoder(IBlockCode code, IBatchDecoder decoder, string role)
    {
        if (decoder.InputLength != code.N || decoder.OutputLength != code.H.Columns)
            throw new ArgumentException(
                $"code {code.Name}: {role} decoder '{decoder.Name}' takes {decoder.InputLength} LLRs and gives {decoder.OutputLength} bits, the code needs {code.N} and {code.H.Columns}");
    }

    /// <summary>Scratch for one Process call: compacted LLRs/bits/status of the frames a stage decodes, and one frame's graph LLRs.</summary>
    private sealed class Workspace(int maxBatch, int inputLength, int outputLength)
    {
        public readonly int[] Pending = new int[maxBatch];
        public readonly float[] Llrs = new float[maxBatch * inputLength];
        public readonly byte[] Bits = new byte[maxBatch * outputLength];
        public readonly DecodeStatus[] Status = new DecodeStatus[maxBatch];
        public readonly float[] GraphLlr = new float[outputLength];
    }
}
