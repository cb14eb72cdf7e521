using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Receiver.Codes;
using Receiver.Decoders.Iterative;
using Receiver.Decoders.QuasiCyclic;

[assembly: InternalsVisibleTo("Receiver.Decoders.Tests")]

namespace Receiver.Decoders;

/// <summary>
/// Layered normalized min-sum for quasi-cyclic LDPC codes (5G NR) in fixed point, with the Z check
/// nodes of a base-graph row processed as SIMD lanes: int8 (64 lanes per AVX-512 op) or int16 (32).
/// </summary>
/// <remarks>
/// <para>Element type: int8 with early stop on codes whose columns are in at most 7 base rows (high-rate
/// NR, the fast path); int16 otherwise, because clipped int8 posteriors drift (see
/// <see cref="Int8MaxColumnDegree"/>). <see cref="FixedPointBits"/> tells which.</para>
/// <para>Fixed-point format: each frame's graph LLRs are scaled by <c>s = T / mean|L|</c> (mean over
/// the N channel LLRs, each clipped at 8 medians so an outlier cannot set the scale), rounded and saturated to +-127 (int8) or +-32767 (int16). int8: T = 192 / (max
/// base-column degree) clamped to [16, 32] (32 for nr:8448,9504); int16: T = 64. Normalized min-sum is
/// scale-invariant, so T only trades resolution against saturation. Posteriors and check messages use
/// saturating arithmetic; check magnitudes are capped at the type's maximum before scaling by alpha
/// (in steps of 1/256). Punctured columns start at 0 and known (filler) bits saturate to the maximum.</para>
/// <para>Layout: every column block keeps its Z posteriors in a buffer stored rotated by the shift of
/// the last layer that wrote it; a layer reads the block at the relative rotation (one load, plus a
/// second load and a blend for the vector that wraps around) and writes it back aligned, into the other
/// of two buffers so unread lanes survive. Check-to-variable messages are kept per edge.</para>
/// <para>Early stop (when enabled) tests the syndrome of the posteriors' hard decisions before the
/// first and after every iteration; the code checks at construction that the QC layout is exactly H,
/// so a zero syndrome here is H c = 0 on the output bits.</para>
/// </remarks>
public sealed unsafe class QcLayeredMinSumDecoder : BatchDecoder<QcLayeredMinSumDecoder.Workspace>
{
    private readonly int _z;
    private readonly int _baseColumns;
    private readonly int _iterations;
    private readonly bool _earlyStop;
    private readonly ushort _normalization;
    /// <summary>Target mean |LLR| after quantisation (int8 units); see the remarks and <see cref="QuantizedMeanMagnitude"/>.</summary>
    private readonly float _quantizedMeanMagnitude;
    private readonly sbyte[] _normalizationTable;
    private readonly int[] _rowStart;
    private readonly int[] _edgeColumn;
    private readonly int[] _edgeShift;
    private readonly int _maxRowDegree;
    private readonly bool _wide;
    private readonly bool _int16;
    private readonly GraphSegment[] _segments;
    private readonly bool _segmentsReadChannel;
    private IHardDecisionCheck? _hardDecisionCheck;
    private int _hardDecisionCheckLimit;

    public QcLayeredMinSumDecoder(IBlockCode code, DecoderOptions options)
        : this(code, options, wideLanes: Vector512.IsHardwareAccelerated, int16: null)
    {
    }

    /// <summary>
    /// As the public constructor; wideLanes false forces 256-bit vectors and int16 picks the element
    /// type instead of the column-degree rule (tests run every path on AVX-512 machines too).
    /// </summary>
    internal QcLayeredMinSumDecoder(IBlockCode code, DecoderOptions options, bool wideLanes, bool? int16)
        : base(code, options?.Parallelism ?? throw new ArgumentNullException(nameof(options)))
    {
        if (options.Iterations < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Iterations, "Iterations must be at least 1");
        if (!(options.Normalization > 0 && options.Normalization <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Normalization, "Normalization must be in (0, 1]");
        var layout = code.QuasiCyclic ?? throw new ArgumentException($"{code.Name} has no quasi-cyclic layout; use the generic layered decoder", nameof(code));
        if (layout.Z < 1 || layout.BaseRows * layout.Z != code.H.Rows || layout.BaseColumns * layout.Z != code.H.Columns)
            throw new ArgumentException($"{code.Name}: QC layout {layout.BaseRows}x{layout.BaseColumns} with Z={layout.Z} does not match H ({code.H.Rows}x{code.H.Columns})", nameof(code));

        _z = layout.Z;
        _baseColumns = layout.BaseColumns;
        _iterations = options.Iterations;
        _earlyStop = options.EarlyStop;
        _normalization = (ushort)Math.Clamp(Math.Round(options.Normalization * 256), 1, 256);
        _wide = wideLanes;
        _normalizationTable = GC.AllocateArray<sbyte>(128, pinned: true);
        for (var m = 0; m < 128; m++) _normalizationTable[m] = (sbyte)((m * _normalization + 128) >> 8);

        var blocks = layout.Blocks.OrderBy(b => b.Row).ThenBy(b => b.Column).ToArray();
        _rowStart = new int[layout.BaseRows + 1];
        _edgeColumn = new int[blocks.Length];
        _edgeShift = new int[blocks.Length];
        for (var e = 0; e < blocks.Length; e++)
        {
            var block = blocks[e];
            if ((uint)block.Row >= (uint)layout.BaseRows || (uint)block.Column >= (uint)layout.BaseColumns)
                throw new ArgumentException($"{code.Name}: block ({block.Row},{block.Column}) outside the base graph", nameof(code));
            if (e > 0 && blocks[e - 1].Row == block.Row && blocks[e - 1].Column == block.Column)
                throw new ArgumentException($"{code.Name}: two blocks at ({block.Row},{block.Column})", nameof(code));
            _rowStart[block.Row + 1]++;
            _edgeColumn[e] = block.Column;
            _edgeShift[e] = ((block.Shift % _z) + _z) % _z;
        }
        for (var r = 0; r < layout.BaseRows; r++)
        {
            _maxRowDegree = Math.Max(_maxRowDegree, _rowStart[r + 1]);
            _rowStart[r + 1] += _rowStart[r];
        }
        VerifyLayoutIsH(code);
        _int16 = int16 ?? !(options.EarlyStop && MaxColumnDegree(layout) <= Int8MaxColumnDegree);
        _quantizedMeanMagnitude = _int16 ? Int16QuantizedMeanMagnitude : QuantizedMeanMagnitude(layout);
        var probed = ProbeGraphMapping(code);
        _segmentsReadChannel = probed is not null;
        _segments = probed ?? [new GraphSegment(0, code.H.Columns, 0)];
    }

    public override string Name => "layered-nms";

    /// <summary>
    /// Optional outer check (e.g. CRC24B of an NR code block) tried with early stop before the first and after
    /// every iteration whose syndrome weight is non-zero but at most <see cref="HardDecisionCheckLimit"/>; a frame
    /// that passes stops with <see cref="DecodeOutcome.CheckPassed"/>. Set before decoding, not during.
    /// </summary>
    public IHardDecisionCheck? HardDecisionCheck
    {
        get => _hardDecisionCheck;
        set
        {
            if (value is not null && (value.Bits < 1 || value.Bits > OutputLength))
                throw new ArgumentOutOfRangeException(nameof(value), value.Bits, $"check reads 1..{OutputLength} bits");
            _hardDecisionCheck = value;
        }
    }

    /// <summary>Most unsatisfied checks at which <see cref="HardDecisionCheck"/> is tried (a few wrong parity bits, not a wrong decision).</summary>
    public int HardDecisionCheckLimit
    {
        get => _hardDecisionCheckLimit;
        set => _hardDecisionCheckLimit = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "limit must be non-negative");
    }

    /// <summary>SIMD lanes per operation: 64 (int8) or 32 (int16) with AVX-512, half that otherwise.</summary>
    public int Lanes => (_wide, _int16) switch
    {
        (true, false) => Lanes512.Count,
        (false, false) => Lanes256.Count,
        (true, true) => Wide512.Count,
        (false, true) => Wide256.Count,
    };

    /// <summary>Bits per posterior and message: 8 with early stop on codes whose columns sit in at most 7 rows (high rates), else 16.</summary>
    public int FixedPointBits => _int16 ? 16 : 8;

    private int ElementSize => _int16 ? sizeof(short) : sizeof(sbyte);

    protected override Workspace CreateWorkspace() => new(this);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        for (var f = 0; f < status.Length; f++)
        {
            var frameLlrs = llrs.Slice(f * InputLength, InputLength);
            var frameBits = bits.Slice(f * OutputLength, OutputLength);
            status[f] = (_wide, _int16) switch
            {
                (true, false) => DecodeFrame<Vector512<sbyte>, sbyte, Lanes512>(workspace, frameLlrs, frameBits),
                (false, false) => DecodeFrame<Vector256<sbyte>, sbyte, Lanes256>(workspace, frameLlrs, frameBits),
                (true, true) => DecodeFrame<Vector512<short>, short, Wide512>(workspace, frameLlrs, frameBits),
                (false, true) => DecodeFrame<Vector256<short>, short, Wide256>(workspace, frameLlrs, frameBits),
            };
        }
    }

    private DecodeStatus DecodeFrame<TVec, TElement, TOps>(Workspace ws, ReadOnlySpan<float> channel, Span<byte> bits)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement>
    {
        var scale = QuantizationScale(channel);
        if (_segmentsReadChannel)
        {
            Quantize<TVec, TElement, TOps>(ws, channel, scale);
        }
        else
        {
            Code.ToGraphLlr(channel, ws.GraphLlr.AsSpan(0, OutputLength));
            Quantize<TVec, TElement, TOps>(ws, ws.GraphLlr.AsSpan(0, OutputLength), scale);
        }

        var status = new DecodeStatus(DecodeOutcome.NotConverged, _iterations, 0);
        var check = _hardDecisionCheck;
        var decided = _earlyStop && Stops<TVec, TElement, TOps>(ws, check, 0, ref status);
        for (var iteration = 1; !decided && iteration <= _iterations; iteration++)
        {
            var layers = _rowStart.Length - 1;
            for (var layer = 0; layer < layers; layer++)
            {
                if (iteration == 1) ProcessLayer<TVec, TElement, TOps, FirstIteration>(ws, layer);
                else ProcessLayer<TVec, TElement, TOps, LaterIteration>(ws, layer);
            }
            decided = _earlyStop && Stops<TVec, TElement, TOps>(ws, check, iteration, ref status);
        }
        if (!decided)
        {
            var unsatisfied = UnsatisfiedChecks<TVec, TElement, TOps>(ws, limit: int.MaxValue);
            status = new DecodeStatus(unsatisfied == 0 ? DecodeOutcome.Converged : DecodeOutcome.NotConverged, _iterations, unsatisfied);
        }
        WriteHardDecisions<TVec, TElement, TOps>(ws, bits);
        return status;
    }

    /// <summary>
    /// Early-stop test after <paramref name="iteration"/>: a zero syndrome, or (with an outer check) a syndrome weight
    /// of at most <see cref="HardDecisionCheckLimit"/> whose leading hard decisions pass the check. The syndrome is
    /// counted only as far as the limit, so a frame far from converging costs about what a zero test does.
    /// </summary>
    private bool Stops<TVec, TElement, TOps>(Workspace ws, IHardDecisionCheck? check, int iteration, ref DecodeStatus status)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement>
    {
        var limit = check is null ? 0 : _hardDecisionCheckLimit;
        var unsatisfied = UnsatisfiedChecks<TVec, TElement, TOps>(ws, limit);
        if (unsatisfied == 0)
        {
            status = new DecodeStatus(DecodeOutcome.Converged, iteration, 0);
            return true;
        }
        if (check is null || unsatisfied > limit) return false;
        var leading = ws.CheckBits.AsSpan(0, check.Bits);
        WriteHardDecisions<TVec, TElement, TOps>(ws, leading);
        if (!check.Accepts(leading)) return false;
        status = new DecodeStatus(DecodeOutcome.CheckPassed, iteration, unsatisfied);
        return true;
    }

    /// <summary>Scale that brings the robust mean channel |LLR| (<see cref="RobustLlrScale"/>) to <see cref="_quantizedMeanMagnitude"/>.</summary>
    private float QuantizationScale(ReadOnlySpan<float> channel) => RobustLlrScale.Scale(channel, _quantizedMeanMagnitude);

    /// <summary>Quantises the graph LLRs (read through <see cref="_segments"/> from source) into the current column buffers.</summary>
    private void Quantize<TVec, TElement, TOps>(Workspace ws, ReadOnlySpan<float> source, float scale)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement>
    {
        var lanes = TOps.Count;
        var staging = (TElement*)ws.Staging;
        var tail = ws.TailLlrs;
        fixed (float* first = source)
        {
            // Segments ascend in graph order, so a vector spilling past a segment's end is overwritten by the next.
            foreach (var segment in _segments)
            {
                var target = staging + segment.GraphStart;
                if (segment.Source < 0)
                {
                    var value = segment.Source == GraphSegment.Known ? TOps.Broadcast(TOps.MaxMagnitude) : TOps.Broadcast(0);
                    for (var filled = 0; filled < segment.Length; filled += lanes) TOps.Store(target + filled, value);
                    continue;
                }
                var from = first + segment.Source;
                var i = 0;
                for (; i <= segment.Length - lanes; i += lanes)
                    TOps.Store(target + i, TOps.Quantize(from + i, scale));
                if (i < segment.Length)
                {
                    new ReadOnlySpan<float>(from + i, segment.Length - i).CopyTo(tail);
                    TOps.Store(target + i, TOps.Quantize((float*)Unsafe.AsPointer(ref tail[0]), scale));
                }
            }
        }
        for (var c = 0; c < _baseColumns; c++)
        {
            var column = (TElement*)ws.Column(c, 0);
            for (var j = 0; j < ws.VectorsPerBlock; j++)
                TOps.Store(column + j * lanes, TOps.Load(staging + c * _z + j * lanes));
            ws.Rotation[c] = 0;
            ws.Bank[c] = 0;
        }
    }

    /// <summary>
    /// Fixed-point resolution against saturation: a posterior sums the messages of every row its column
    /// is in; once it clips at 127, subtracting the old messages (P - R_old) no longer restores the
    /// extrinsic value and can flip its sign. Measured against the float decoder (bench `fer`): columns
    /// in few rows (high-rate NR, max column degree 5-7) are best near 32; high degrees (16-29, rate
    /// below about 1/2) near 16, where int8 still loses FER (see bench/README.md).
    /// 192 / max column degree, clamped to [16, 32], follows both.
    /// </summary>
    internal static float QuantizedMeanMagnitude(QuasiCyclicLayout layout) =>
        Math.Clamp(192f / Math.Max(1, MaxColumnDegree(layout)), 16f, 32f);

    /// <summary>
    /// int8 is used only up to this many rows per column and with early stop. In int8 a posterior clips at
    /// 127 while a single message reaches 95, so once the sum of a column's messages exceeds the range,
    /// P - R_old no longer restores the extrinsic value and signs can flip: at low rates (columns in 16-29
    /// rows) that costs FER, and without early stop it breaks codewords that had already converged
    /// (nr:8448,9504 at 8 dB: all 64 frames decoded after 4 iterations, none after 5). int16 has room for
    /// it (tests and bench `fer` compare both with the float decoder).
    /// </summary>
    private const int Int8MaxColumnDegree = 7;

    /// <summary>int16 target mean |LLR|: fine resolution with room for hundreds of mean-size messages before clipping.</summary>
    private const float Int16QuantizedMeanMagnitude = 64f;

    private static int MaxColumnDegree(QuasiCyclicLayout layout)
    {
        var degree = new int[layout.BaseColumns];
        foreach (var block in layout.Blocks) degree[block.Column]++;
        return degree.Max();
    }

    /// <summary>
    /// Learns what <see cref="IBlockCode.ToGraphLlr"/> does by feeding it distinct values, so frames can be
    /// quantised straight from the channel LLRs. Null when a graph LLR is anything but a copied channel
    /// LLR, 0 or the known-bit value (then frames go through ToGraphLlr).
    /// </summary>
    private static GraphSegment[]? ProbeGraphMapping(IBlockCode code)
    {
        var probe = new float[code.N];
        for (var i = 0; i < probe.Length; i++) probe[i] = -(i + 1);
        var graph = new float[code.H.Columns];
        code.ToGraphLlr(probe, graph);
        var segments = new List<GraphSegment>();
        for (var c = 0; c < graph.Length; c++)
        {
            var value = graph[c];
            int source;
            if (value == 0) source = GraphSegment.Zero;
            else if (value == IBlockCode.KnownBitLlr) source = GraphSegment.Known;
            else if (value < 0 && value >= -code.N && value == MathF.Round(value)) source = (int)-value - 1;
            else return null;
            var last = segments.Count - 1;
            if (last >= 0 && segments[last] is var previous && previous.GraphStart + previous.Length == c &&
                (source < 0 ? previous.Source == source : previous.Source >= 0 && previous.Source + previous.Length == source))
                segments[last] = previous with { Length = previous.Length + 1 };
            else
                segments.Add(new GraphSegment(c, 1, source));
        }
        return segments.ToArray();
    }

    /// <summary>Graph columns [GraphStart, GraphStart + Length) take source LLRs from Source on, or are all zero / known.</summary>
    private readonly record struct GraphSegment(int GraphStart, int Length, int Source)
    {
        public const int Zero = -1;
        public const int Known = -2;
    }

    /// <summary>The Z lanes t of a column block at view rotation d: lane t holds stored entry (t + d) mod Z; position = (d + first lane) mod Z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec LoadRotated<TVec, TElement, TOps>(TElement* column, int position, int z)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement>
    {
        var value = TOps.Load(column + position);
        if (position > z - TOps.Count)
            value = TOps.Select(TOps.LanesFrom(z - position), TOps.Load(column + position - z), value);
        return value;
    }

    private void ProcessLayer<TVec, TElement, TOps, TPhase>(Workspace ws, int layer)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement> where TPhase : struct, IIterationPhase
    {
        var z = _z;
        var lanes = TOps.Count;
        var vectors = ws.VectorsPerBlock;
        var start = _rowStart[layer];
        var degree = _rowStart[layer + 1] - start;
        var sources = (TElement**)ws.Sources;
        var targets = (TElement**)ws.Targets;
        var offsets = ws.Offsets;
        for (var k = 0; k < degree; k++)
        {
            var c = _edgeColumn[start + k];
            var shift = _edgeShift[start + k];
            var offset = shift - ws.Rotation[c];
            offsets[k] = offset < 0 ? offset + z : offset;
            sources[k] = (TElement*)ws.Column(c, ws.Bank[c]);
            targets[k] = (TElement*)ws.Column(c, ws.Bank[c] ^ 1);
            ws.Rotation[c] = shift;
            ws.Bank[c] ^= 1;
        }

        var messages = (TElement*)ws.Messages + start * vectors * lanes;
        var scratch = (TElement*)ws.Scratch;
        var ceiling = TOps.Broadcast(TOps.MaxMagnitude);
        var table = (sbyte*)Unsafe.AsPointer(ref _normalizationTable[0]);
        for (var j = 0; j < vectors; j++)
        {
            var firstLane = j * lanes;
            var layerMessages = messages + j * degree * lanes;
            var min1 = ceiling;
            var min2 = ceiling;
            var argMin = default(TVec);
            var parity = default(TVec);
            for (var k = 0; k < degree; k++)
            {
                var position = offsets[k] + firstLane;
                if (position >= z) position -= z;
                var q = LoadRotated<TVec, TElement, TOps>(sources[k], position, z);
                if (!TPhase.IsFirst) q = TOps.SubtractSaturate(q, TOps.Load(layerMessages + k * lanes));
                TOps.Store(scratch + k * lanes, q);
                var magnitude = TOps.Magnitude(q);
                argMin = TOps.Select(TOps.LessThanUnsigned(magnitude, min1), TOps.Broadcast(k), argMin);
                min2 = TOps.MinUnsigned(min2, TOps.MaxUnsigned(min1, magnitude));
                min1 = TOps.MinUnsigned(min1, magnitude);
                parity = TOps.Xor(parity, q);
            }
            var scaled1 = TOps.Scale(min1, _normalization, table);
            var scaled2 = TOps.Scale(min2, _normalization, table);
            for (var k = 0; k < degree; k++)
            {
                var q = TOps.Load(scratch + k * lanes);
                var magnitude = TOps.Select(TOps.EqualsMask(argMin, TOps.Broadcast(k)), scaled2, scaled1);
                var message = TOps.Select(TOps.NegativeMask(TOps.Xor(parity, q)), TOps.Negate(magnitude), magnitude);
                TOps.Store(layerMessages + k * lanes, message);
                TOps.Store(targets[k] + firstLane, TOps.AddSaturate(q, message));
            }
        }
    }

    /// <summary>Unsatisfied checks of the posteriors' hard decisions; counting stops after the first layer that takes the count past <paramref name="limit"/> (then a lower bound above it).</summary>
    private int UnsatisfiedChecks<TVec, TElement, TOps>(Workspace ws, int limit)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement>
    {
        var z = _z;
        var lanes = TOps.Count;
        var vectors = ws.VectorsPerBlock;
        var sources = (TElement**)ws.Sources;
        var offsets = ws.Offsets;
        var count = 0;
        for (var layer = 0; layer < _rowStart.Length - 1; layer++)
        {
            var start = _rowStart[layer];
            var degree = _rowStart[layer + 1] - start;
            for (var k = 0; k < degree; k++)
            {
                var c = _edgeColumn[start + k];
                var offset = _edgeShift[start + k] - ws.Rotation[c];
                offsets[k] = offset < 0 ? offset + z : offset;
                sources[k] = (TElement*)ws.Column(c, ws.Bank[c]);
            }
            for (var j = 0; j < vectors; j++)
            {
                var firstLane = j * lanes;
                var parity = default(TVec);
                for (var k = 0; k < degree; k++)
                {
                    var position = offsets[k] + firstLane;
                    if (position >= z) position -= z;
                    parity = TOps.Xor(parity, LoadRotated<TVec, TElement, TOps>(sources[k], position, z));
                }
                var valid = Math.Min(lanes, z - firstLane);
                var signs = TOps.SignBits(parity) & (valid == 64 ? ulong.MaxValue : (1UL << valid) - 1);
                count += BitOperations.PopCount(signs);
            }
            if (count > limit) return count;
        }
        return count;
    }

    /// <summary>Hard decisions of the first bits.Length graph columns (all of them for the output).</summary>
    private void WriteHardDecisions<TVec, TElement, TOps>(Workspace ws, Span<byte> bits)
        where TVec : struct where TElement : unmanaged where TOps : struct, ILaneOps<TVec, TElement>
    {
        var z = _z;
        var lanes = TOps.Count;
        var tail = stackalloc byte[lanes];
        fixed (byte* output = bits)
        {
            for (var c = 0; c < _baseColumns && c * z < bits.Length; c++)
            {
                var column = (TElement*)ws.Column(c, ws.Bank[c]);
                var offset = ws.Rotation[c] == 0 ? 0 : z - ws.Rotation[c];
                for (var j = 0; j < ws.VectorsPerBlock; j++)
                {
                    var position = offset + j * lanes;
                    if (position >= z) position -= z;
                    var posterior = LoadRotated<TVec, TElement, TOps>(column, position, z);
                    var first = c * z + j * lanes;
                    if (first >= bits.Length) break;
                    if (first + lanes <= bits.Length)
                    {
                        TOps.StoreHardBits(output + first, posterior);
                    }
                    else
                    {
                        TOps.StoreHardBits(tail, posterior);
                        new ReadOnlySpan<byte>(tail, bits.Length - first).CopyTo(bits.Slice(first));
                    }
                }
            }
        }
    }

    /// <summary>Checks that expanding the QC layout gives exactly H, so the lifted syndrome is H's.</summary>
    private void VerifyLayoutIsH(IBlockCode code)
    {
        var expected = new List<int>(_maxRowDegree);
        for (var r = 0; r < _rowStart.Length - 1; r++)
        {
            for (var t = 0; t < _z; t++)
            {
                expected.Clear();
                for (var e = _rowStart[r]; e < _rowStart[r + 1]; e++)
                    expected.Add(_edgeColumn[e] * _z + (t + _edgeShift[e]) % _z);
                expected.Sort();
                if (!code.H.RowSupport(r * _z + t).SequenceEqual(expected.ToArray()))
                    throw new ArgumentException($"{code.Name}: row {r * _z + t} of H differs from its QC layout", nameof(code));
            }
        }
    }

    /// <summary>Per-thread buffers, sized once for the code and pinned: posteriors, check messages, scratch.</summary>
    public sealed class Workspace
    {
        private readonly byte[] _posteriorMemory;
        private readonly byte[] _messageMemory;
        private readonly byte[] _scratchMemory;
        private readonly byte[] _stagingMemory;
        private readonly nint[] _pointerMemory;
        private readonly int[] _offsetMemory;
        private readonly byte* _posteriors;
        private readonly int _columnStride;

        internal Workspace(QcLayeredMinSumDecoder decoder)
        {
            var lanes = decoder.Lanes;
            var vectorBytes = lanes * decoder.ElementSize;
            VectorsPerBlock = (decoder._z + lanes - 1) / lanes;
            // One spare vector after every buffer (and one before the first) for wrap-around loads.
            _columnStride = (VectorsPerBlock + 1) * vectorBytes;
            _posteriorMemory = GC.AllocateArray<byte>(vectorBytes + 2 * decoder._baseColumns * _columnStride + 64, pinned: true);
            _posteriors = Align(_posteriorMemory) + vectorBytes;
            _messageMemory = GC.AllocateArray<byte>(decoder._edgeColumn.Length * VectorsPerBlock * vectorBytes + 64, pinned: true);
            Messages = Align(_messageMemory);
            _scratchMemory = GC.AllocateArray<byte>(Math.Max(1, decoder._maxRowDegree) * vectorBytes + 64, pinned: true);
            Scratch = Align(_scratchMemory);
            _pointerMemory = GC.AllocateArray<nint>(2 * Math.Max(1, decoder._maxRowDegree), pinned: true);
            _offsetMemory = GC.AllocateArray<int>(Math.Max(1, decoder._maxRowDegree), pinned: true);
            GraphLlr = decoder._segmentsReadChannel ? [] : new float[decoder.OutputLength];
            _stagingMemory = GC.AllocateArray<byte>((decoder.OutputLength + lanes) * decoder.ElementSize + 64, pinned: true);
            Staging = Align(_stagingMemory);
            TailLlrs = GC.AllocateArray<float>(lanes, pinned: true);
            Rotation = new int[decoder._baseColumns];
            Bank = new int[decoder._baseColumns];
            CheckBits = new byte[decoder.OutputLength];
        }

        /// <summary>Leading hard decisions handed to the outer check.</summary>
        internal byte[] CheckBits { get; }

        internal int VectorsPerBlock { get; }
        /// <summary>Graph LLRs as floats, for codes whose graph mapping could not be probed.</summary>
        internal float[] GraphLlr { get; }
        /// <summary>Quantised graph LLRs in graph order, padded by one vector.</summary>
        internal byte* Staging { get; }
        /// <summary>Room for the last, partial vector of a segment.</summary>
        internal float[] TailLlrs { get; }
        /// <summary>Per column block: the shift its stored buffer is rotated by.</summary>
        internal int[] Rotation { get; }
        /// <summary>Per column block: which of its two buffers is current.</summary>
        internal int[] Bank { get; }
        internal byte* Messages { get; }
        internal byte* Scratch { get; }
        internal byte** Sources => (byte**)Unsafe.AsPointer(ref _pointerMemory[0]);
        internal byte** Targets => Sources + _pointerMemory.Length / 2;
        internal int* Offsets => (int*)Unsafe.AsPointer(ref _offsetMemory[0]);

        internal byte* Column(int column, int bank) => _posteriors + (2 * column + bank) * _columnStride;

        private static byte* Align(byte[] pinned)
        {
            var address = (nint)Unsafe.AsPointer(ref pinned[0]);
            return (byte*)((address + 63) & ~(nint)63);
        }
    }

    private interface IIterationPhase
    {
        /// <summary>First iteration: all check messages are still zero, so they are not read.</summary>
        static abstract bool IsFirst { get; }
    }

    private readonly struct FirstIteration : IIterationPhase { public static bool IsFirst => true; }

    private readonly struct LaterIteration : IIterationPhase { public static bool IsFirst => false; }
}
