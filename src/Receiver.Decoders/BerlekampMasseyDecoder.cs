using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Receiver.Codes;
using Receiver.Codes.Bch;

namespace Receiver.Decoders;

/// <summary>
/// Bounded-distance hard-decision decoder of a narrow-sense primitive BCH code ("bm"):
/// sign decisions (L &lt; 0 gives 1, L = 0 gives 0), syndromes S_1..S_2t, Berlekamp-Massey for the
/// error locator, Chien search for its roots. Corrects every pattern of at most t errors.
/// <para>
/// Status: <see cref="DecodeOutcome.Converged"/> with Iterations = number of corrected bits and
/// UnsatisfiedChecks = 0 when the corrected word is a codeword; <see cref="DecodeOutcome.Failure"/>
/// (output = the hard decision, Iterations = 0, UnsatisfiedChecks = its syndrome weight under H) when
/// the locator has degree &gt; t, fewer roots in the field than its degree, or the flips leave a nonzero syndrome.
/// </para>
/// </summary>
public sealed class BerlekampMasseyDecoder : BatchDecoder<BerlekampMasseyDecoder.Workspace>
{
    private const int LanesPerWord = 4; // syndromes are m <= 16 bit elements packed four to a ulong
    private const int ChunkBits = 8;    // the syndrome is looked up per byte of the hard decision

    private readonly int _n;
    private readonly int _t;
    private readonly int _syndromeWords;
    private readonly int _frameWords;
    // For bit position i, words [i * _syndromeWords, (i + 1) * _syndromeWords) hold alpha^(i j) for
    // the odd j = 1, 3, ..., 2t-1 in 16-bit lanes: the odd syndromes of a word are the XOR over its ones.
    private readonly ulong[] _positionSyndromes;
    // The same XOR precomputed for every value of every byte of the hard decision: entry
    // ((chunk * 256 + value) * _syndromeWords + w) covers positions 8 chunk .. 8 chunk + 7.
    private readonly ulong[] _chunkSyndromes;
    // H's rows as bit masks, to count unsatisfied checks of a failed frame with AND + popcount.
    private readonly ulong[] _denseRows;

    /// <summary>The BCH algebra proven to describe <see cref="IBatchDecoder.Code"/>.</summary>
    public BchCode Bch { get; }

    public override string Name => "bm";

    protected override int ChunkFrames => 64;

    private BerlekampMasseyDecoder(IBlockCode code, BchCode bch, DecoderOptions options)
        : base(code, options.Parallelism)
    {
        Bch = bch;
        _n = bch.N;
        _t = bch.T;
        _syndromeWords = (_t + LanesPerWord - 1) / LanesPerWord;
        _frameWords = (_n + 63) / 64;
        _positionSyndromes = new ulong[_n * _syndromeWords];
        for (var i = 0; i < _n; i++)
            for (var s = 0; s < _t; s++)
            {
                var element = (ulong)bch.Field.Exp((long)i * (2 * s + 1));
                _positionSyndromes[i * _syndromeWords + s / LanesPerWord] |= element << (16 * (s % LanesPerWord));
            }

        var chunks = (_n + ChunkBits - 1) / ChunkBits;
        _chunkSyndromes = new ulong[chunks * 256 * _syndromeWords];
        for (var chunk = 0; chunk < chunks; chunk++)
            for (var value = 1; value < 256; value++)
            {
                var entry = (chunk * 256 + value) * _syndromeWords;
                for (var bit = 0; bit < ChunkBits; bit++)
                {
                    var position = chunk * ChunkBits + bit;
                    if (((value >> bit) & 1) == 0 || position >= _n) continue;
                    for (var w = 0; w < _syndromeWords; w++) _chunkSyndromes[entry + w] ^= _positionSyndromes[position * _syndromeWords + w];
                }
            }

        var dense = code.H.ToBitMatrix();
        _denseRows = new ulong[dense.Rows * _frameWords];
        for (var r = 0; r < dense.Rows; r++) dense.Row(r).CopyTo(_denseRows.AsSpan(r * _frameWords, _frameWords));
    }

    /// <summary>
    /// Decoder for <paramref name="code"/>, which must be a narrow-sense primitive BCH code in natural
    /// order with no puncturing (N = H.Columns); see <see cref="BchCode.Identify"/>. Throws <see cref="ArgumentException"/> otherwise.
    /// </summary>
    public static BerlekampMasseyDecoder Create(IBlockCode code, DecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(options);
        if (code.N != code.H.Columns)
            throw new ArgumentException($"{code.Name}: Berlekamp-Massey needs the transmitted word to be the graph word (N = {code.N}, H has {code.H.Columns} columns)", nameof(code));
        return new BerlekampMasseyDecoder(code, BchCode.Identify(code), options);
    }

    /// <summary>Per-thread scratch: syndromes, the Berlekamp-Massey polynomials and the Chien search state.</summary>
    public sealed class Workspace
    {
        internal readonly ulong[] HardDecision; // bit i of word i / 64 = bit i of the frame
        internal readonly ulong[] PackedSyndromes;
        internal readonly int[] Syndromes;  // S_j at index j, 1..2t
        internal readonly int[] Locator;    // C(x), coefficients ascending; degree <= register length <= 2t
        internal readonly int[] Previous;   // B(x), the locator before the last length change
        internal readonly int[] Scratch;
        internal readonly int[] ChienLogs;  // log of C_j alpha^(-i j) at the current position i, -1 where C_j = 0
        internal readonly int[] ErrorPositions;

        internal Workspace(int t, int syndromeWords, int frameWords)
        {
            HardDecision = new ulong[frameWords];
            PackedSyndromes = new ulong[syndromeWords];
            Syndromes = new int[2 * t + 1];
            Locator = new int[2 * t + 1];
            Previous = new int[2 * t + 1];
            Scratch = new int[2 * t + 1];
            ChienLogs = new int[t + 1];
            ErrorPositions = new int[t];
        }
    }

    protected override Workspace CreateWorkspace() => new(_t, _syndromeWords, _frameWords);

    protected override void DecodeChunk(Workspace workspace, ReadOnlySpan<float> llrs, Span<byte> bits, Span<DecodeStatus> status)
    {
        for (var f = 0; f < status.Length; f++)
            status[f] = DecodeFrame(workspace, llrs.Slice(f * _n, _n), bits.Slice(f * _n, _n));
    }

    private DecodeStatus DecodeFrame(Workspace ws, ReadOnlySpan<float> llr, Span<byte> bits)
    {
        var hardDecision = ws.HardDecision.AsSpan();
        SignBits(llr, hardDecision, bits);

        var packed = ws.PackedSyndromes.AsSpan();
        packed.Clear();
        var chunkSyndromes = _chunkSyndromes.AsSpan();
        for (var chunk = 0; chunk * ChunkBits < _n; chunk++)
        {
            var value = (int)(hardDecision[chunk >> 3] >> (ChunkBits * (chunk & 7))) & 0xFF;
            var entry = chunkSyndromes.Slice((chunk * 256 + value) * _syndromeWords, _syndromeWords);
            for (var w = 0; w < packed.Length; w++) packed[w] ^= entry[w];
        }
        if (IsZero(packed)) return new DecodeStatus(DecodeOutcome.Converged, 0, 0);

        var field = Bch.Field;
        var exp = field.ExpTable;
        var log = field.LogTable;
        var order = field.Order;

        // Odd syndromes from the lanes; even ones by S_2j = S_j^2 (binary received word).
        var syndromes = ws.Syndromes.AsSpan();
        for (var j = 1; j <= 2 * _t; j++)
        {
            if ((j & 1) == 1)
            {
                var s = j >> 1;
                syndromes[j] = (int)((packed[s / LanesPerWord] >> (16 * (s % LanesPerWord))) & 0xFFFF);
            }
            else
            {
                var half = syndromes[j >> 1];
                syndromes[j] = half == 0 ? 0 : exp[2 * log[half] % order];
            }
        }

        var length = BerlekampMassey(ws, syndromes, exp, log, order);
        if (length > _t) return Fail(hardDecision);

        // Chien search: C(alpha^-i) = 0 means an error at position i (locator X = alpha^i).
        // For C(x) = 1 + X x the root is read off directly: i = log X.
        var locator = ws.Locator;
        var positions = ws.ErrorPositions;
        if (length == 1)
        {
            if (locator[1] == 0) return Fail(hardDecision);
            positions[0] = log[locator[1]];
            return Correct(packed, positions.AsSpan(0, 1), bits, hardDecision);
        }
        var chienLogs = ws.ChienLogs.AsSpan(0, length + 1);
        for (var j = 1; j <= length; j++) chienLogs[j] = locator[j] == 0 ? -1 : log[locator[j]];
        var found = 0;
        for (var i = 0; i < _n && found < length; i++)
        {
            var value = 1; // C_0
            for (var j = 1; j <= length; j++)
            {
                var l = chienLogs[j];
                if (l < 0) continue;
                value ^= exp[l];
                l -= j;
                chienLogs[j] = l < 0 ? l + order : l;
            }
            if (value == 0) positions[found++] = i;
        }
        if (found != length) return Fail(hardDecision);
        return Correct(packed, positions.AsSpan(0, found), bits, hardDecision);
    }

    /// <summary>Flips the located bits, or fails when they do not clear the syndrome.</summary>
    private DecodeStatus Correct(Span<ulong> packed, ReadOnlySpan<int> positions, Span<byte> bits, ReadOnlySpan<ulong> hardDecision)
    {
        // Converged must mean a codeword: the flips have to clear the odd syndromes (then every S_j
        // vanishes and g(x) divides the word). A cheap guard of that contract, t table XORs.
        foreach (var position in positions)
        {
            var contribution = _positionSyndromes.AsSpan(position * _syndromeWords, _syndromeWords);
            for (var w = 0; w < packed.Length; w++) packed[w] ^= contribution[w];
        }
        if (!IsZero(packed)) return Fail(hardDecision);
        foreach (var position in positions) bits[position] ^= 1;
        return new DecodeStatus(DecodeOutcome.Converged, positions.Length, 0);
    }

    /// <summary>
    /// Massey's shortest-LFSR synthesis over S_1..S_2t; leaves C(x) in ws.Locator and returns the register
    /// length L. Binary codes (S_2j = S_j^2) have a zero discrepancy at every even step (Berlekamp), so
    /// only the odd steps are computed and each also counts the even step after it.
    /// </summary>
    private int BerlekampMassey(Workspace ws, ReadOnlySpan<int> syndromes, ReadOnlySpan<ushort> exp, ReadOnlySpan<ushort> log, int order)
    {
        var locator = ws.Locator.AsSpan();
        var previous = ws.Previous.AsSpan();
        var scratch = ws.Scratch.AsSpan();
        locator.Clear();
        previous.Clear();
        locator[0] = 1;
        previous[0] = 1;
        var length = 0;
        var shift = 1;
        var previousDiscrepancy = 1;
        for (var r = 1; r < 2 * _t; r += 2)
        {
            var discrepancy = syndromes[r];
            for (var i = 1; i <= length; i++)
                if (locator[i] != 0 && syndromes[r - i] != 0)
                    discrepancy ^= exp[log[locator[i]] + log[syndromes[r - i]]];
            if (discrepancy == 0)
            {
                shift += 2;
                continue;
            }
            // C(x) -= (d / b) x^shift B(x); deg C stays <= the register length, within the arrays.
            var factorLog = log[discrepancy] + order - log[previousDiscrepancy];
            var lengthChanges = 2 * length < r;
            if (lengthChanges) locator.CopyTo(scratch);
            for (var i = 0; i + shift < locator.Length; i++)
                if (previous[i] != 0) locator[i + shift] ^= exp[(factorLog + log[previous[i]]) % order];
            if (lengthChanges)
            {
                length = r - length;
                scratch.CopyTo(previous);
                previousDiscrepancy = discrepancy;
                shift = 2;
            }
            else shift += 2;
        }
        return length;
    }

    /// <summary>Failure status; the output already holds the hard decision.</summary>
    private DecodeStatus Fail(ReadOnlySpan<ulong> hardDecision)
    {
        var unsatisfied = 0;
        for (var r = 0; r < _denseRows.Length; r += _frameWords)
        {
            var parity = 0;
            for (var w = 0; w < hardDecision.Length; w++) parity ^= BitOperations.PopCount(_denseRows[r + w] & hardDecision[w]);
            unsatisfied += parity & 1;
        }
        return new DecodeStatus(DecodeOutcome.Failure, 0, unsatisfied);
    }

    /// <summary>
    /// Sign decisions, 1 when llr[i] &lt; 0 (so 0 and -0 give 0), both as bytes and as a bit mask
    /// (bit i of words[i / 64]; bits past the frame stay 0).
    /// </summary>
    private static void SignBits(ReadOnlySpan<float> llr, Span<ulong> words, Span<byte> bits)
    {
        words.Clear();
        var i = 0;
        if (Avx512F.IsSupported)
        {
            var one = Vector512.Create(1u);
            for (; i + Vector512<float>.Count <= llr.Length; i += Vector512<float>.Count)
            {
                var negative = Vector512.LessThan(Vector512.Create(llr.Slice(i, Vector512<float>.Count)), Vector512<float>.Zero);
                words[i >> 6] |= negative.ExtractMostSignificantBits() << (i & 63);
                Avx512F.ConvertToVector128Byte(negative.AsUInt32() & one).CopyTo(bits.Slice(i, Vector512<float>.Count));
            }
        }
        for (; i < llr.Length; i++)
        {
            var bit = llr[i] < 0f ? 1 : 0;
            bits[i] = (byte)bit;
            words[i >> 6] |= (ulong)bit << (i & 63);
        }
    }

    private static bool IsZero(ReadOnlySpan<ulong> words)
    {
        foreach (var w in words)
            if (w != 0) return false;
        return true;
    }
}
