using BenchmarkDotNet.Attributes;
using Receiver.Decoders;

namespace Receiver.Bench;

/// <summary>BenchmarkDotNet: one operation is one frame (a batch of Frames per invoke); Threads 0 = all cores.</summary>
[MemoryDiagnoser]
public abstract class DecoderBenchmark
{
    private BenchCase _case = null!;
    private IBatchDecoder _decoder = null!;
    private byte[] _bits = [];
    private DecodeStatus[] _status = [];

    [Params(1, 0)]
    public int Threads { get; set; }

    protected abstract BenchCase CreateCase();

    [GlobalSetup]
    public void Setup()
    {
        _case = CreateCase();
        _decoder = _case.CreateDecoder(_case.Options with { Parallelism = Threads });
        (_bits, _status) = _case.NewOutputs(_decoder);
    }

    protected void DecodeBatch() => _decoder.Decode(_case.Llrs, _bits, _status);
}

public class QcLayeredNr8448Benchmark : DecoderBenchmark
{
    [Params(false, true)]
    public bool EarlyStop { get; set; }

    protected override BenchCase CreateCase() => BenchCase.NrQcLayered(EarlyStop);

    [Benchmark(OperationsPerInvoke = 64)]
    public void Decode() => DecodeBatch();
}

public class GenericLayeredNr8448Benchmark : DecoderBenchmark
{
    protected override BenchCase CreateCase() => BenchCase.NrGenericLayered();

    [Benchmark(OperationsPerInvoke = 64)]
    public void Decode() => DecodeBatch();
}

public class GenericLayeredN121Benchmark : DecoderBenchmark
{
    protected override BenchCase CreateCase() => BenchCase.ShortCodeLayered();

    [Benchmark(OperationsPerInvoke = 4096)]
    public void Decode() => DecodeBatch();
}

public class OsdBch63Benchmark : DecoderBenchmark
{
    [Params(1, 2, 3)]
    public int Order { get; set; }

    protected override BenchCase CreateCase() => BenchCase.Osd(Order);

    [Benchmark(OperationsPerInvoke = 1024)]
    public void Decode() => DecodeBatch();
}

public class SclPolar64Benchmark : DecoderBenchmark
{
    [Params(1, 8, 32)]
    public int ListSize { get; set; }

    protected override BenchCase CreateCase() => BenchCase.Scl(ListSize);

    [Benchmark(OperationsPerInvoke = 1024)]
    public void Decode() => DecodeBatch();
}
