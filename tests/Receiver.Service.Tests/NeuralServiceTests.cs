using Microsoft.Extensions.Configuration;
using Receiver.Service.Source;

namespace Receiver.Service.Tests;

/// <summary>A neural main decoder (the fixture ECCT of Receiver.Neural.Tests) in the service's decoder chain.</summary>
public class NeuralServiceTests
{
    private static readonly string FixtureModel = Path.Combine(ServiceTestHelpers.RepositoryRoot(),
        "tests", "Receiver.Neural.Tests", "Fixtures", "models", "ecct-fixture-ldpc49");

    [Fact]
    public async Task NeuralChainDecodesOverZmqWithAllFramesAccountedFor()
    {
        var report = await LoopbackDemo.RunAsync(new DemoSettings
        {
            Code = "LDPC_N49_K24",
            Decoder = "ecct",
            Model = FixtureModel,
            EbN0Db = 6,
            FramesPerSecond = 0,
            MaxFrames = 400,
            Seconds = 0,
            WarmUpFrames = 0,
            Workers = 1,
            Seed = 3,
        });

        var m = report.Metrics;
        Assert.Equal(400, report.FramesSent);
        Assert.Equal(400, m.FramesIn);
        Assert.Equal(400, m.FramesPublished);
        Assert.Equal(0, m.FramesDropped);
        Assert.Equal(400, report.FramesReceivedBySubscriber);
        Assert.True(report.Fer < 0.5, $"FER {report.Fer} at 6 dB");
    }

    [Fact]
    public void NeuralDecoderWithoutAModelIsAConfigurationError()
    {
        var values = ServiceTestHelpers.LoopbackValues();
        values["Receiver:Codes:0:Chain:Decoder"] = "eccfm";
        var options = new ReceiverOptions();
        ServiceTestHelpers.Configuration(values).GetSection(ReceiverOptions.SectionName).Bind(options);

        var failure = Assert.Single(ReceiverOptionsValidator.Failures(options));
        Assert.StartsWith("Receiver:Codes[0]:Chain:Model: decoder 'eccfm' needs a model", failure);
    }
}
