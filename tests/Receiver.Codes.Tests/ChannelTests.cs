using Receiver.Codes.Channel;

namespace Receiver.Codes.Tests;

public class ChannelTests
{
    private const int Samples = 200_000;

    [Theory]
    [InlineData(0.0, 0.5, 1.0)]
    [InlineData(3.0, 0.5, 0.7079457843841379)]   // sqrt(1 / 10^0.3)
    [InlineData(4.0, 24.0 / 49.0, 0.6374959372)] // sqrt(1 / (2 * 24/49 * 10^0.4))
    public void NoiseSigmaFollowsThePapersConvention(double ebN0Db, double rate, double expected)
        => Assert.Equal(expected, EbN0.NoiseSigma(ebN0Db, rate), 6);

    [Fact]
    public void NoiseSigmaRejectsBadRates()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => EbN0.NoiseSigma(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EbN0.NoiseSigma(1, 1.5));
    }

    [Theory]
    [InlineData(Modulation.Bpsk)]
    [InlineData(Modulation.Qpsk)]
    public void NoiseIsStandardNormalPerDimension(Modulation modulation)
    {
        const double sigma = 0.8;
        var channel = new AwgnChannel(seed: 7, modulation);
        var llr = new float[Samples];
        channel.Transmit(new byte[Samples], sigma, llr);

        // Undo L = 2 (1 + sigma n) / sigma^2 to recover the standard normal n.
        double sum = 0, sumSquares = 0;
        var beyondTwo = 0;
        foreach (var l in llr)
        {
            var n = (l * sigma * sigma / 2 - 1) / sigma;
            sum += n;
            sumSquares += n * n;
            if (Math.Abs(n) > 2) beyondTwo++;
        }
        var mean = sum / Samples;
        var variance = sumSquares / Samples - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);            // 4.5 standard errors
        Assert.InRange(variance, 0.985, 1.015);       // 4.7 standard errors
        Assert.InRange(beyondTwo / (double)Samples, 0.0455 - 0.0025, 0.0455 + 0.0025);
    }

    [Theory]
    [InlineData(Modulation.Bpsk, Fading.None)]
    [InlineData(Modulation.Qpsk, Fading.None)]
    [InlineData(Modulation.Bpsk, Fading.Rayleigh)]
    public void LlrSignPositiveMeansBitZero(Modulation modulation, Fading fading)
    {
        var bits = new byte[4096];
        for (var i = 0; i < bits.Length; i++) bits[i] = (byte)(i % 3 == 0 ? 1 : 0);
        var llr = new float[bits.Length];
        new AwgnChannel(11, modulation, fading).Transmit(bits, 0.05, llr);
        // A deep fade can make a symbol unreliable, so allow a few near-zero values under fading.
        var wrong = 0;
        for (var i = 0; i < bits.Length; i++)
            if ((llr[i] > 0) != (bits[i] == 0)) wrong++;
        Assert.True(wrong <= (fading == Fading.None ? 0 : 5), $"{wrong} LLRs with the wrong sign");
    }

    [Fact]
    public void BpskLlrIsTwoYOverSigmaSquaredInTheNoiselessLimit()
    {
        var llr = new float[2];
        new AwgnChannel(1).Transmit([0, 1], 1e-4, llr);
        Assert.Equal(2.0 / 1e-8, llr[0], 2.0 / 1e-8 * 1e-3);
        Assert.Equal(-2.0 / 1e-8, llr[1], 2.0 / 1e-8 * 1e-3);
    }

    [Theory]
    [InlineData(Modulation.Bpsk, Fading.None)]
    [InlineData(Modulation.Qpsk, Fading.Rayleigh)]
    public void SameSeedGivesSameOutput(Modulation modulation, Fading fading)
    {
        var bits = new byte[1000];
        new Xoshiro256StarStarX8(3).FillBits(bits);
        float[] a = new float[1000], b = new float[1000], c = new float[1000];
        new AwgnChannel(42, modulation, fading).Transmit(bits, 0.7, a);
        new AwgnChannel(42, modulation, fading).Transmit(bits, 0.7, b);
        new AwgnChannel(43, modulation, fading).Transmit(bits, 0.7, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);

        var reseeded = new AwgnChannel(99, modulation, fading);
        reseeded.Transmit(bits, 0.7, c);
        reseeded.Reseed(42);
        reseeded.Transmit(bits, 0.7, c);
        Assert.Equal(a, c);
    }

    [Fact]
    public void AwgnLlrsAreTheTextbookFormulaOverTheNoiseStream()
    {
        // The channel draws its noise as the first normals of its seed's stream; every LLR, vector
        // path and scalar tail alike, must be (float)(2 (x + sigma n) / sigma^2).
        const double sigma = 0.9;
        var bits = new byte[1003];
        new Xoshiro256StarStarX8(4).FillBits(bits);
        var llr = new float[bits.Length];
        new AwgnChannel(77).Transmit(bits, sigma, llr);
        var noise = new double[bits.Length];
        new Xoshiro256StarStarX8(77).FillStandardNormal(noise);
        for (var i = 0; i < bits.Length; i++)
            Assert.Equal((float)(2 / (sigma * sigma) * ((1 - 2 * bits[i]) + sigma * noise[i])), llr[i]);
    }

    [Fact]
    public void RayleighGainHasUnitMeanPower()
    {
        // With negligible noise L sigma^2 / 2 = h^2 for bit 0.
        const double sigma = 1e-3;
        var llr = new float[Samples];
        new AwgnChannel(5, Modulation.Bpsk, Fading.Rayleigh).Transmit(new byte[Samples], sigma, llr);
        var meanPower = llr.Average(l => l * sigma * sigma / 2);
        Assert.InRange(meanPower, 0.99, 1.01);        // h^2 ~ Exp(1): standard error 0.0022
        var belowMedian = llr.Count(l => l * sigma * sigma / 2 < Math.Log(2));
        Assert.InRange(belowMedian / (double)Samples, 0.495, 0.505);
    }

    [Fact]
    public void QpskBitsOfOneSymbolShareTheFade()
    {
        var llr = new float[64];
        new AwgnChannel(8, Modulation.Qpsk, Fading.Rayleigh).Transmit(new byte[64], 1e-4, llr);
        for (var s = 0; s < 32; s++)
            Assert.Equal(llr[2 * s], llr[2 * s + 1], llr[2 * s] * 1e-3);
        Assert.NotEqual(llr[0], llr[2], llr[0] * 1e-3);
    }

    [Fact]
    public void RandomBitsAreFairAndReproducible()
    {
        var bits = new byte[100_001];
        new Xoshiro256StarStarX8(9).FillBits(bits);
        var ones = bits.Count(b => b == 1);
        Assert.True(bits.All(b => b <= 1));
        Assert.InRange(ones, 50_000 - 800, 50_000 + 800);
        var again = new byte[100_001];
        new Xoshiro256StarStarX8(9).FillBits(again);
        Assert.Equal(bits, again);
    }
}
