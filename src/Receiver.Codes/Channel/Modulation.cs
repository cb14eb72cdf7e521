namespace Receiver.Codes.Channel;

/// <summary>
/// Mapping of code bits onto real channel dimensions. Both keep amplitude 1 per dimension and bit,
/// so Eb = 1 and the noise per dimension follows <see cref="EbN0.NoiseSigma"/> for either.
/// </summary>
public enum Modulation
{
    /// <summary>One bit per symbol: 0 -> +1, 1 -> -1.</summary>
    Bpsk,

    /// <summary>Gray QPSK: bits 2k and 2k+1 ride on the I and Q of symbol k (0 -> +1, 1 -> -1 on each).</summary>
    Qpsk,
}

/// <summary>Channel gain per symbol.</summary>
public enum Fading
{
    /// <summary>Gain 1 (pure AWGN).</summary>
    None,

    /// <summary>Independent Rayleigh amplitude per symbol with E[h^2] = 1, known to the receiver.</summary>
    Rayleigh,
}
