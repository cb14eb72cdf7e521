namespace Receiver.Codes.Nr5g.Chain;

/// <summary>
/// What one transport block's chain needs, fixed for all its (re)transmissions: payload size A, modulation,
/// rate-matching output G, layers, the target code rate that selects the base graph, and TBS_LBRM for
/// limited-buffer rate matching (null: I_LBRM = 0).
/// </summary>
public sealed record NrTransportBlockConfig(
    int TbSize,
    NrModulation Modulation,
    int Bits,
    double TargetCodeRate,
    int Layers = 1,
    int? LbrmTbs = null)
{
    /// <summary>
    /// A configuration at roughly the given code rate: G the smallest multiple of Q_m N_L with A / G &lt;= rate
    /// (the rate of an MCS counts the payload against the coded bits).
    /// </summary>
    public static NrTransportBlockConfig ForRate(int tbSize, NrModulation modulation, double rate, int layers = 1, int? lbrmTbs = null)
    {
        if (!(rate > 0 && rate < 1)) throw new ArgumentException($"code rate must be in (0, 1), got {rate}");
        if (tbSize < 1) throw new ArgumentException($"transport block size must be at least 1 bit, got {tbSize}");
        var unit = modulation.BitsPerSymbol() * Math.Max(1, layers);
        var bits = (int)Math.Ceiling(tbSize / rate / unit) * unit;
        return new NrTransportBlockConfig(tbSize, modulation, bits, rate, layers, lbrmTbs);
    }
}

/// <summary>
/// Derived sizes of TS 38.212 for one transport block: TB CRC (6.2.1/7.2.1), base graph (6.2.2/7.2.2),
/// code-block segmentation (5.2.2), LDPC sizes (5.3.2) and rate-matching sizes (5.4.2.1): N_cb, E_r, k0 per RV.
/// Immutable; checks the configuration in the constructor (ArgumentException naming the clause).
/// </summary>
public sealed class NrTransportBlockLayout
{
    /// <summary>R_LBRM of 5.4.2.1.</summary>
    private const int LbrmRateNumerator = 2, LbrmRateDenominator = 3;

    private readonly int[] _blockBits;

    public NrTransportBlockLayout(NrTransportBlockConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var a = config.TbSize;
        if (a < 1) throw new ArgumentException($"transport block size A must be at least 1 bit, got {a}");
        if (!Enum.IsDefined(config.Modulation)) throw new ArgumentException($"unknown modulation {config.Modulation}");
        if (config.Layers is < 1 or > 4) throw new ArgumentException($"layers N_L must be 1..4 for one codeword, got {config.Layers}");
        if (!(config.TargetCodeRate > 0 && config.TargetCodeRate < 1)) throw new ArgumentException($"target code rate must be in (0, 1), got {config.TargetCodeRate}");

        // 7.2.1 (6.2.1): CRC24A above 3824 payload bits, else CRC16.
        TbCrc = a > 3824 ? NrCrc.Crc24A : NrCrc.Crc16;
        B = a + TbCrc.Length;

        // 7.2.2 (6.2.2): base graph 2 for small blocks or low target rates.
        var r = config.TargetCodeRate;
        BaseGraph = a <= 292 || (a <= 3824 && r <= 0.67) || r <= 0.25 ? 2 : 1;

        // 5.2.2: segmentation.
        var maxBlock = BaseGraph == 1 ? 8448 : 3840; // K_cb
        if (B <= maxBlock)
        {
            CodeBlockCrcLength = 0;
            CodeBlocks = 1;
        }
        else
        {
            CodeBlockCrcLength = 24;
            CodeBlocks = (B + maxBlock - CodeBlockCrcLength - 1) / (maxBlock - CodeBlockCrcLength);
        }
        if (B % CodeBlocks != 0)
            throw new ArgumentException(
                $"A={a}: B={B} bits do not split evenly into C={CodeBlocks} code blocks (TS 38.212 5.2.2 needs K' = B'/C whole; " +
                $"transport block sizes from TS 38.214 5.1.3.2 always do; the next size that does is A={NextEvenSize(a, r)})");
        KPrime = (B + CodeBlocks * CodeBlockCrcLength) / CodeBlocks;
        Z = Nr5gLdpcCode.LiftingSize(KPrime, BaseGraph);
        K = (BaseGraph == 1 ? 22 : 10) * Z;
        Fillers = K - KPrime;

        // 5.3.2: N = 66 Z_c (BG1) or 50 Z_c (BG2) encoded bits d_k (the first 2 Z_c systematic bits are not in d).
        N = (BaseGraph == 1 ? 66 : 50) * Z;

        // 5.4.2.1: circular buffer length, limited by N_ref = floor(TBS_LBRM / (C R_LBRM)) when I_LBRM = 1.
        if (config.LbrmTbs is { } lbrmTbs)
        {
            if (lbrmTbs < 1) throw new ArgumentException($"TBS_LBRM must be positive, got {lbrmTbs}");
            NRef = (int)((long)lbrmTbs * LbrmRateDenominator / ((long)CodeBlocks * LbrmRateNumerator));
            Ncb = Math.Min(N, NRef.Value);
            if (Ncb < K - 2 * Z)
                throw new ArgumentException($"TBS_LBRM={lbrmTbs}: N_cb={Ncb} is shorter than the systematic part ({K - 2 * Z} bits)");
        }
        else
        {
            Ncb = N;
        }

        // 5.4.2.1: E_r over the C' = C scheduled blocks.
        var g = config.Bits;
        var unit = config.Layers * BitsPerSymbol;
        if (g < unit * CodeBlocks || g % unit != 0)
            throw new ArgumentException($"G={g} must be a positive multiple of N_L Q_m = {unit} with at least one symbol group per code block ({CodeBlocks})");
        var groups = g / unit;
        _blockBits = new int[CodeBlocks];
        for (var block = 0; block < CodeBlocks; block++)
            _blockBits[block] = unit * (block <= CodeBlocks - groups % CodeBlocks - 1 ? groups / CodeBlocks : (groups + CodeBlocks - 1) / CodeBlocks);
    }

    /// <summary>Smallest A' &gt;= A whose B' = A' + L splits into whole code blocks at target rate r (5.2.2).</summary>
    public static int NextEvenSize(int tbSize, double targetCodeRate)
    {
        for (var a = tbSize; ; a++)
        {
            var b = a + (a > 3824 ? 24 : 16);
            var maxBlock = a <= 292 || (a <= 3824 && targetCodeRate <= 0.67) || targetCodeRate <= 0.25 ? 3840 : 8448;
            var blocks = b <= maxBlock ? 1 : (b + maxBlock - 25) / (maxBlock - 24);
            if (b % blocks == 0) return a;
        }
    }

    public NrTransportBlockConfig Config { get; }

    /// <summary>A, the payload bits.</summary>
    public int TbSize => Config.TbSize;

    public NrModulation Modulation => Config.Modulation;

    /// <summary>Q_m.</summary>
    public int BitsPerSymbol => Config.Modulation.BitsPerSymbol();

    /// <summary>G, rate-matched bits of the whole transport block.</summary>
    public int Bits => Config.Bits;

    /// <summary>Transport-block CRC (CRC24A or CRC16).</summary>
    public NrCrc TbCrc { get; }

    /// <summary>B = A + L, payload with its CRC.</summary>
    public int B { get; }

    /// <summary>LDPC base graph, 1 or 2.</summary>
    public int BaseGraph { get; }

    /// <summary>C, code blocks.</summary>
    public int CodeBlocks { get; }

    /// <summary>L of 5.2.2: 24 (CRC24B per block) when segmented, else 0.</summary>
    public int CodeBlockCrcLength { get; }

    /// <summary>K', bits per code block before fillers (its CRC included).</summary>
    public int KPrime { get; }

    /// <summary>Transport-block bits per code block: K' - L.</summary>
    public int PayloadPerBlock => KPrime - CodeBlockCrcLength;

    /// <summary>Z_c, lifting size.</summary>
    public int Z { get; }

    /// <summary>K = 22 Z_c or 10 Z_c, code block length with fillers.</summary>
    public int K { get; }

    /// <summary>F = K - K', filler (&lt;NULL&gt;) bits at c_{K'}..c_{K-1}.</summary>
    public int Fillers { get; }

    /// <summary>N, encoded bits d_0..d_{N-1} per block.</summary>
    public int N { get; }

    /// <summary>N_ref when limited-buffer rate matching applies.</summary>
    public int? NRef { get; }

    /// <summary>N_cb, circular buffer length.</summary>
    public int Ncb { get; }

    /// <summary>First filler index in d (fillers are d_{K'-2Z}..d_{K-2Z-1}).</summary>
    public int FillerStart => KPrime - 2 * Z;

    /// <summary>One past the last filler index in d.</summary>
    public int FillerEnd => K - 2 * Z;

    /// <summary>E_r, rate-matched bits of code block r.</summary>
    public int BlockBits(int block) => _blockBits[block];

    /// <summary>Offset of code block r's bits in the concatenated output g (5.5).</summary>
    public int BlockOffset(int block)
    {
        var offset = 0;
        for (var r = 0; r < block; r++) offset += _blockBits[r];
        return offset;
    }

    /// <summary>Largest E_r.</summary>
    public int MaxBlockBits => _blockBits.Max();

    /// <summary>k0 of Table 5.4.2.1-2 for redundancy version 0..3.</summary>
    public int K0(int rv)
    {
        var (numerator, denominator) = (BaseGraph, rv) switch
        {
            (_, 0) => (0, 1),
            (1, 1) => (17, 66),
            (1, 2) => (33, 66),
            (1, 3) => (56, 66),
            (2, 1) => (13, 50),
            (2, 2) => (25, 50),
            (2, 3) => (43, 50),
            _ => throw new ArgumentOutOfRangeException(nameof(rv), rv, "redundancy version must be 0..3"),
        };
        return (int)((long)numerator * Ncb / ((long)denominator * Z)) * Z;
    }

    /// <summary>True for d indices that hold a filler bit (&lt;NULL&gt;, skipped by bit selection).</summary>
    public bool IsFiller(int index) => index >= FillerStart && index < FillerEnd;

    public override string ToString() =>
        $"A={TbSize} {Modulation.Name()} G={Bits} N_L={Config.Layers}: {TbCrc.Name}, BG{BaseGraph}, C={CodeBlocks}, K'={KPrime}, Z={Z}, K={K}, F={Fillers}, N={N}, N_cb={Ncb}" +
        (NRef is { } nRef ? $" (N_ref={nRef})" : "");
}
