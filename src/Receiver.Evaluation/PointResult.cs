namespace Receiver.Evaluation;

/// <summary>
/// Counts of one (code, decoder, Eb/N0) point. Bit errors are over the N transmitted codeword
/// bits; info bit errors over the K information bits; a frame is in error when either differs.
/// A decoder's FER is never below <see cref="MlLowerBoundFer"/>, which it measures for ML decoding.
/// </summary>
public sealed record PointResult(
    string Code,
    int N,
    int K,
    string Decoder,
    double EbN0Db,
    long Frames,
    long BitErrors,
    long FrameErrors,
    long InfoBitErrors,
    long DecoderIterations,
    double ElapsedSeconds,
    ulong Seed,
    StopReason StopReason,
    long MlFrameErrors = 0)
{
    /// <summary>
    /// Lower bound on the FER of maximum-likelihood decoding: the share of frames where the decoder returned a
    /// codeword other than the sent one that correlates better with the channel LLRs (ML decoding fails on those
    /// too). <see cref="MlFrameErrors"/> counts them.
    /// </summary>
    public double MlLowerBoundFer => MlFrameErrors / (double)Frames;

    /// <summary>Bit error rate over the N transmitted bits (NaN before any frame).</summary>
    public double Ber => BitErrors / ((double)Frames * N);

    /// <summary>Frame error rate (NaN before any frame).</summary>
    public double Fer => FrameErrors / (double)Frames;

    /// <summary>Bit error rate over the K information bits (NaN before any frame).</summary>
    public double InfoBer => InfoBitErrors / ((double)Frames * K);

    /// <summary>-ln(BER), the papers' table unit; +infinity when no bit error was seen.</summary>
    public double NegLnBer => -Math.Log(Ber);

    /// <summary>Mean decoder iterations per frame as reported by the decoder's statuses.</summary>
    public double AverageIterations => DecoderIterations / (double)Frames;

    public double FramesPerSecond => ElapsedSeconds > 0 ? Frames / ElapsedSeconds : 0;
}
