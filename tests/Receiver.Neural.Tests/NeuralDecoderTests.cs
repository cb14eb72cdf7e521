using Receiver.Codes;
using Receiver.Decoders;
using Receiver.Neural;

namespace Receiver.Neural.Tests;

/// <summary>The fixture ECCT behind <see cref="IBatchDecoder"/>, built through <see cref="DecoderFactory"/>.</summary>
public sealed class NeuralDecoderTests
{
    private readonly IBlockCode _code = TestModels.LoadCode(TestModels.FixtureCode);

    private NeuralDecoder Create(int maxBatch = 256) =>
        (NeuralDecoder)DecoderFactory.Create("ecct", _code, new DecoderOptions { Model = TestModels.FixtureFolder, NeuralMaxBatch = maxBatch, Parallelism = 1 });

    [Fact]
    public void NoiselessCodewordsDecodeToThemselves()
    {
        using var decoder = Create();
        var (codewords, llrs) = Frames(frames: 40, ebN0Db: null, seed: 1);
        var bits = new byte[codewords.Length];
        var status = new DecodeStatus[40];
        decoder.Decode(llrs, bits, status);
        Assert.Equal(codewords, bits);
        Assert.All(status, s => Assert.Equal(new DecodeStatus(DecodeOutcome.Converged, 1, 0), s));
    }

    [Fact]
    public void LightNoiseThatKeepsEverySignDecodesRight()
    {
        using var decoder = Create(maxBatch: 7); // 40 frames run as 6 sub-batches
        var (codewords, llrs) = Frames(frames: 40, ebN0Db: null, seed: 2);
        var random = new Random(3);
        for (var i = 0; i < llrs.Length; i++) llrs[i] *= 0.2f + 1.6f * (float)random.NextDouble();
        var bits = new byte[codewords.Length];
        var status = new DecodeStatus[40];
        decoder.Decode(llrs, bits, status);
        Assert.Equal(codewords, bits);
        Assert.All(status, s => Assert.True(s.IsCodeword));
    }

    [Fact]
    public void NoisyFramesGiveFewerBitErrorsThanHardDecisionAndHonestStatus()
    {
        using var decoder = Create();
        const int frames = 300;
        var (codewords, llrs) = Frames(frames, ebN0Db: 6.0, seed: 4);
        var bits = new byte[codewords.Length];
        var status = new DecodeStatus[frames];
        decoder.Decode(llrs, bits, status);
        var neuralErrors = 0;
        var hardErrors = 0;
        for (var i = 0; i < bits.Length; i++)
        {
            neuralErrors += bits[i] != codewords[i] ? 1 : 0;
            hardErrors += (llrs[i] < 0f ? 1 : 0) != codewords[i] ? 1 : 0;
        }
        Assert.True(hardErrors > 0, "the noise should flip some hard decisions");
        Assert.True(neuralErrors < hardErrors, $"neural {neuralErrors} bit errors, hard decision {hardErrors}");
        for (var f = 0; f < frames; f++)
        {
            var frameBits = bits.AsSpan(f * _code.N, _code.N);
            Assert.Equal(_code.H.SyndromeWeight(frameBits), status[f].UnsatisfiedChecks);
            Assert.Equal(_code.H.IsCodeword(frameBits), status[f].IsCodeword);
        }
    }

    [Fact]
    public void SubBatchesGiveTheSameBitsAsOneBatch()
    {
        var (_, llrs) = Frames(frames: 50, ebN0Db: 4.0, seed: 5);
        var once = new byte[llrs.Length];
        var parts = new byte[llrs.Length];
        using (var decoder = Create()) decoder.Decode(llrs, once, new DecodeStatus[50]);
        using (var decoder = Create(maxBatch: 16)) decoder.Decode(llrs, parts, new DecodeStatus[50]);
        Assert.Equal(once, parts);
    }

    [Fact]
    public void CudaWithoutACudaDeviceIsOneClearErrorNotACpuRun()
    {
        if (CudaDevices.Count > 0) return; // a GPU machine: scripts/gpu-check.sh covers it
        var e = Assert.Throws<ArgumentException>(() => DecoderFactory.Create("ecct", _code,
            new DecoderOptions { Model = TestModels.FixtureFolder, Device = ComputeDevice.Parse("cuda") }));
        Assert.StartsWith("device cuda:0 asked for, but this machine has no CUDA device", e.Message);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("onnxruntime")]
    [InlineData("torchsharp")]
    public void EveryRuntimeDecodesTheSameBits(string runtime)
    {
        var (_, llrs) = Frames(frames: 50, ebN0Db: 4.0, seed: 6);
        var reference = new byte[llrs.Length];
        var bits = new byte[llrs.Length];
        using (var decoder = Create()) decoder.Decode(llrs, reference, new DecodeStatus[50]);
        using (var decoder = (NeuralDecoder)DecoderFactory.Create("ecct", _code, new DecoderOptions { Model = TestModels.FixtureFolder, Runtime = runtime, Parallelism = 1 }))
        {
            Assert.Equal(runtime == "torchsharp" ? Runtime.NeuralRuntime.TorchSharp : Runtime.NeuralRuntime.OnnxRuntime, decoder.Session.Runtime);
            decoder.Decode(llrs, bits, new DecodeStatus[50]);
        }
        Assert.Equal(reference, bits);
    }

    [Fact]
    public void WrongBufferLengthsAreRefused()
    {
        using var decoder = Create();
        Assert.Throws<ArgumentException>(() => decoder.Decode(new float[49 * 2], new byte[49], new DecodeStatus[2]));
        decoder.Decode([], [], []);
    }

    /// <summary>Random codewords and their canonical LLRs (noiseless: +-4; else BPSK over AWGN at Eb/N0).</summary>
    private (byte[] Codewords, float[] Llrs) Frames(int frames, double? ebN0Db, int seed)
    {
        var random = new Random(seed);
        var n = _code.N;
        var codewords = new byte[frames * n];
        var llrs = new float[frames * n];
        var info = new byte[_code.K];
        var rate = (double)_code.K / n;
        var sigma = ebN0Db is { } db ? Math.Sqrt(1.0 / (2 * rate * Math.Pow(10, db / 10))) : 0;
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < info.Length; i++) info[i] = (byte)random.Next(2);
            var codeword = codewords.AsSpan(f * n, n);
            _code.Encode(info, codeword);
            for (var i = 0; i < n; i++)
            {
                var x = codeword[i] == 0 ? 1.0 : -1.0;
                llrs[f * n + i] = sigma == 0 ? (float)(4 * x) : (float)(2 * (x + sigma * Gaussian(random)) / (sigma * sigma));
            }
        }
        return (codewords, llrs);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
