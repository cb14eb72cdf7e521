namespace Receiver.Codes.Channel;

/// <summary>Eb/N0 to noise level, the papers' convention.</summary>
public static class EbN0
{
    /// <summary>
    /// Noise standard deviation per real dimension for unit-amplitude symbols:
    /// sigma^2 = 1 / (2 R 10^(EbN0/10)), with R = k/n from the code's nominal k.
    /// </summary>
    public static double NoiseSigma(double ebN0Db, double rate)
    {
        if (!(rate > 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "code rate must be in (0, 1]");
        if (!double.IsFinite(ebN0Db)) throw new ArgumentOutOfRangeException(nameof(ebN0Db), ebN0Db, "Eb/N0 must be finite");
        return Math.Sqrt(1.0 / (2.0 * rate * Math.Pow(10.0, ebN0Db / 10.0)));
    }
}
