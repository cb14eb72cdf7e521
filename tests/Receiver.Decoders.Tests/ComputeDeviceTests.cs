using Receiver.Codes;

namespace Receiver.Decoders.Tests;

/// <summary>Device names, and classical decoders refusing a CUDA device instead of running on the CPU without a word.</summary>
public sealed class ComputeDeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0)]
    [InlineData("CUDA", DeviceKind.Cuda, 0)]
    [InlineData(" cuda:3 ", DeviceKind.Cuda, 3)]
    public void NamesParse(string text, DeviceKind kind, int index) =>
        Assert.Equal(new ComputeDevice(kind, index), ComputeDevice.Parse(text));

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    public void OtherNamesAreRefusedWithTheAcceptedForms(string text) =>
        Assert.Contains("is not one of cpu, cuda, cuda:N", Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(text)).Message);

    [Theory]
    [InlineData("bp")]
    [InlineData("layered-nms")]
    [InlineData("bm")]
    public void AClassicalDecoderOnCudaIsAnError(string decoder)
    {
        var code = BchHarness.Load("BCH_N31_K16");
        var e = Assert.Throws<ArgumentException>(() => DecoderFactory.Create(decoder, code, new DecoderOptions { Device = ComputeDevice.Parse("cuda") }));
        Assert.Contains(CudaDevices.Count == 0 ? "this machine has no CUDA device" : "runs on the CPU only", e.Message);
    }
}
