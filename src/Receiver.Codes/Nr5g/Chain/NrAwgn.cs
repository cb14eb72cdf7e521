using Receiver.Codes.Channel;

namespace Receiver.Codes.Nr5g.Chain;

/// <summary>
/// Complex AWGN on unit-energy symbols at a given Es/N0: each of I and Q gets N(0, N0/2). Seeded and
/// reproducible; buffers grow once. Not thread-safe: one instance per thread.
/// </summary>
public sealed class NrAwgn
{
    private readonly Xoshiro256StarStarX8 _random;
    private double[] _noise = [];

    public NrAwgn(ulong seed) => _random = new Xoshiro256StarStarX8(seed);

    public void Reseed(ulong seed) => _random.Reseed(seed);

    /// <summary>N0 for unit symbol energy at Es/N0 = snrDb.</summary>
    public static double NoiseVariance(double snrDb) => Math.Pow(10, -snrDb / 10);

    /// <summary>Adds noise of complex variance N0 to interleaved (I, Q) symbols in place.</summary>
    public void AddNoise(Span<float> symbols, double noiseVariance)
    {
        if (!(noiseVariance > 0) || !double.IsFinite(noiseVariance)) throw new ArgumentOutOfRangeException(nameof(noiseVariance), noiseVariance, "noise variance must be positive and finite");
        if (_noise.Length < symbols.Length) _noise = new double[symbols.Length];
        var noise = _noise.AsSpan(0, symbols.Length);
        _random.FillStandardNormal(noise);
        var sigma = Math.Sqrt(noiseVariance / 2);
        for (var i = 0; i < symbols.Length; i++) symbols[i] += (float)(sigma * noise[i]);
    }
}
