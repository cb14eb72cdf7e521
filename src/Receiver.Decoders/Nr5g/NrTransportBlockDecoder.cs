using System.Collections.Concurrent;
using Receiver.Codes.Nr5g;
using Receiver.Codes.Nr5g.Chain;

namespace Receiver.Decoders.Nr5g;

/// <summary>How one code block of a transport block ended.</summary>
/// <param name="CrcOk">CRC24B passed (segmented TB) or, for a single block, the TB CRC passed.</param>
/// <param name="Decoded">False when the block had passed in an earlier transmission and was not decoded again.</param>
/// <param name="Status">The LDPC decoder's result (default when not decoded).</param>
public readonly record struct NrCodeBlockResult(bool CrcOk, bool Decoded, DecodeStatus Status);

/// <summary>How a transport block's decoding ended: TB CRC status, code blocks that passed, transmissions combined.</summary>
public readonly record struct NrTransportBlockResult(bool CrcOk, int BlocksOk, int Transmissions, int HarqProcess, int RedundancyVersion);

/// <summary>
/// Receive side of the TS 38.212 LDPC chain: per code block the inverse of bit interleaving (5.4.2.2),
/// de-rate-matching with soft combining into the HARQ process's circular buffer (5.4.2.1; fillers are
/// known zeros, the 2Z_c punctured systematic bits and unreceived positions LLR 0), layered min-sum
/// decoding (<see cref="QcLayeredMinSumDecoder"/>) of every block not yet passed, the CRC24B check per
/// block, then transport-block assembly (5.2.2 inverse) and the TB CRC check (7.2.1).
/// </summary>
/// <remarks>
/// The decoder runs on the graph pruned to the row blocks that the received buffer positions reach (as the
/// bare decoder for nr:K',E at RV0), and stops on a zero syndrome or, with CRC early termination (the default),
/// as soon as the block's hard decision passes its CRC (CRC24B, 5.1; the TB CRC for a single block) after an
/// iteration with at most <see cref="CrcCheckLimit"/> unsatisfied checks; the CRC is checked again on the output.
/// Decoders per pruning are made once and kept. Not thread-safe (one workspace): one instance per thread.
/// </remarks>
public sealed class NrTransportBlockDecoder
{
    private readonly DecoderOptions _options;
    private readonly ConcurrentDictionary<int, QcLayeredMinSumDecoder> _decoders = new();
    private readonly float[] _blockLlrs;
    private readonly float[] _decoderInput;
    private readonly byte[] _decoderOutput;
    private readonly DecodeStatus[] _status;
    private readonly int[] _pending;
    private readonly byte[] _tbWithCrc;
    private readonly int _graphColumns;
    private readonly IHardDecisionCheck? _blockCheck;

    /// <param name="crcEarlyTermination">Stop a block's iterations once its hard decision passes its CRC (with early stop only).</param>
    public NrTransportBlockDecoder(NrTransportBlockLayout layout, DecoderOptions options, bool crcEarlyTermination = true)
    {
        Layout = layout ?? throw new ArgumentNullException(nameof(layout));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Iterations < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Iterations, "Iterations must be at least 1");
        MaxInputLength = layout.Ncb - layout.Fillers;
        _graphColumns = ((layout.BaseGraph == 1 ? 68 : 52)) * layout.Z;
        _blockLlrs = new float[layout.MaxBlockBits];
        _decoderInput = new float[layout.CodeBlocks * MaxInputLength];
        _decoderOutput = new byte[layout.CodeBlocks * _graphColumns];
        _status = new DecodeStatus[layout.CodeBlocks];
        _pending = new int[layout.CodeBlocks];
        _tbWithCrc = new byte[layout.B];
        if (crcEarlyTermination && options.EarlyStop)
            _blockCheck = layout.CodeBlocks > 1 ? new CrcCheck(NrCrc.Crc24B, layout.KPrime) : new CrcCheck(layout.TbCrc, layout.B);
    }

    /// <summary>
    /// Most unsatisfied checks at which a block's CRC is tried between iterations (default 8). A block with correct
    /// information bits and a few wrong parity bits shows one or two unsatisfied checks per wrong bit, a wrong decision
    /// hundreds; each try costs a hard decision and a CRC over K' bits, about a third of an iteration at Z = 384, and
    /// at Z/4 (96) the tries cost more than the iterations they saved (bench `chain`, bench/README.md).
    /// </summary>
    public int CrcCheckLimit
    {
        get => _crcCheckLimit;
        init => _crcCheckLimit = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "limit must be non-negative");
    }

    private readonly int _crcCheckLimit = 8;

    public NrTransportBlockLayout Layout { get; }

    /// <summary>Filler-free circular buffer length N_cb - F: the most LLRs one block's decoder takes.</summary>
    public int MaxInputLength { get; }

    /// <summary>A HARQ process sized for this layout.</summary>
    public NrHarqProcess CreateProcess(int id = 0) => new(Layout, id);

    /// <summary>
    /// Combines the G LLRs of one transmission (redundancy version rv, canonical sign) into the process and
    /// decodes: A payload bits into <paramref name="payload"/>, one result per code block into
    /// <paramref name="blocks"/>. The process keeps its soft state for a retransmission when the TB CRC fails.
    /// </summary>
    public NrTransportBlockResult Decode(ReadOnlySpan<float> llrs, int rv, NrHarqProcess process, Span<byte> payload, Span<NrCodeBlockResult> blocks)
    {
        var layout = Layout;
        ArgumentNullException.ThrowIfNull(process);
        if (!ReferenceEquals(process.Layout, layout) && process.Layout.ToString() != layout.ToString())
            throw new ArgumentException("HARQ process belongs to another transport block layout", nameof(process));
        if (llrs.Length != layout.Bits) throw new ArgumentException($"transport block needs G={layout.Bits} LLRs, got {llrs.Length}", nameof(llrs));
        if (rv is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(rv), rv, "redundancy version must be 0..3");
        if (payload.Length != layout.TbSize) throw new ArgumentException($"need A={layout.TbSize} payload slots, got {payload.Length}", nameof(payload));
        if (blocks.Length < layout.CodeBlocks) throw new ArgumentException($"need {layout.CodeBlocks} block result slots, got {blocks.Length}", nameof(blocks));

        // 5.5 inverse, 5.4.2.2 inverse, 5.4.2.1 inverse with combining.
        var offset = 0;
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            var e = _blockLlrs.AsSpan(0, layout.BlockBits(r));
            NrRateMatching.Deinterleave(llrs.Slice(offset, e.Length), layout.BitsPerSymbol, e);
            offset += e.Length;
            var highest = NrRateMatching.Accumulate(layout, e, rv, process.WritableSoftBuffer(r), ref process.Extent(r));
            ref var known = ref process.Highest(r);
            known = Math.Max(known, highest);
        }
        process.Transmissions++;

        // Blocks still to decode, on one graph reaching the furthest buffer position any of them received.
        var pendingCount = 0;
        var furthest = 0;
        for (var r = 0; r < layout.CodeBlocks; r++)
        {
            if (process.Done(r))
            {
                blocks[r] = new NrCodeBlockResult(true, false, default);
                continue;
            }
            _pending[pendingCount++] = r;
            furthest = Math.Max(furthest, process.Highest(r));
        }
        if (pendingCount > 0) DecodePending(process, pendingCount, furthest, blocks);

        // 5.2.2 inverse: the first K' - L bits of every block, then the TB CRC.
        var perBlock = layout.PayloadPerBlock;
        for (var r = 0; r < layout.CodeBlocks; r++)
            process.BlockBits(r)[..perBlock].CopyTo(_tbWithCrc.AsSpan(r * perBlock, perBlock));
        var tbOk = layout.TbCrc.Check(_tbWithCrc);
        _tbWithCrc.AsSpan(0, layout.TbSize).CopyTo(payload);
        if (layout.CodeBlocks == 1)
        {
            process.Done(0) = tbOk;
            blocks[0] = blocks[0] with { CrcOk = tbOk };
        }
        var blocksOk = 0;
        for (var r = 0; r < layout.CodeBlocks; r++) if (blocks[r].CrcOk) blocksOk++;
        return new NrTransportBlockResult(tbOk, blocksOk, process.Transmissions, process.Id, rv);
    }

    private void DecodePending(NrHarqProcess process, int pendingCount, int furthest, Span<NrCodeBlockResult> blocks)
    {
        var layout = Layout;
        var decoder = DecoderReaching(furthest);
        var n = decoder.InputLength;
        var columns = decoder.OutputLength;
        var fillerStart = layout.FillerStart;
        for (var j = 0; j < pendingCount; j++)
        {
            // Filler-free buffer: d_0..d_{K'-2Z-1}, then d_{K-2Z}.. (the code's channel order).
            var block = _pending[j];
            NrRateMatching.Extend(process.WritableSoftBuffer(block), ref process.Extent(block), layout.FillerEnd + n - fillerStart);
            ReadOnlySpan<float> buffer = process.WritableSoftBuffer(block);
            var input = _decoderInput.AsSpan(j * n, n);
            buffer[..fillerStart].CopyTo(input);
            buffer.Slice(layout.FillerEnd, n - fillerStart).CopyTo(input[fillerStart..]);
        }
        decoder.Decode(_decoderInput.AsSpan(0, pendingCount * n), _decoderOutput.AsSpan(0, pendingCount * columns), _status.AsSpan(0, pendingCount));
        for (var j = 0; j < pendingCount; j++)
        {
            var r = _pending[j];
            var info = _decoderOutput.AsSpan(j * columns, layout.KPrime);
            info.CopyTo(process.BlockBits(r));
            // A block that stopped on its CRC24B (CheckPassed) was checked on these very bits. Without scrambling an
            // erased block (all LLRs 0) decodes to all zeros, which every zero-initialised CRC accepts: such a block
            // has not passed (only an all-zero decision needs the scan of its input).
            var crcOk = layout.CodeBlocks > 1 && (_status[j].Outcome == DecodeOutcome.CheckPassed || NrCrc.Crc24B.Check(info)) &&
                        (info.ContainsAnyExcept((byte)0) || _decoderInput.AsSpan(j * n, n).ContainsAnyExcept(0f));
            if (crcOk) process.Done(r) = true;
            blocks[r] = new NrCodeBlockResult(crcOk, true, _status[j]);
        }
    }

    /// <summary>Decoder on the graph pruned to the row blocks whose parity reaches buffer index <paramref name="highest"/> (at least the 4 core rows).</summary>
    private QcLayeredMinSumDecoder DecoderReaching(int highest)
    {
        var layout = Layout;
        var systematic = layout.KPrime - 2 * layout.Z; // filler-free index where parity starts
        var fillerFree = highest < layout.FillerStart ? highest : highest - layout.Fillers;
        var rows = Math.Max(4, fillerFree < systematic ? 0 : (fillerFree - systematic) / layout.Z + 1);
        var n = Math.Min(systematic + rows * layout.Z, MaxInputLength);
        return _decoders.GetOrAdd(n, static (length, state) =>
            new QcLayeredMinSumDecoder(Nr5gLdpcCode.Create(state.Layout.KPrime, length, state.Layout.BaseGraph), state._options)
            {
                HardDecisionCheck = state._blockCheck,
                HardDecisionCheckLimit = state.CrcCheckLimit,
            }, this);
    }

    /// <summary>A CRC over the block's first bits (information bits and parity), as the decoder's early-termination check.</summary>
    private sealed class CrcCheck(NrCrc crc, int bits) : IHardDecisionCheck
    {
        public int Bits => bits;

        public bool Accepts(ReadOnlySpan<byte> hardDecision) => crc.Check(hardDecision);
    }
}
