using Microsoft.Extensions.Configuration;
using Receiver.Cli;
using Receiver.Service;

namespace Receiver.Service.Tests;

public class ReceiverOptionsTests
{
    [Theory]
    [InlineData("loopback.json")]
    [InlineData("gnuradio.json")]
    [InlineData("bench.json")]
    public void ShippedConfigurationsAreValid(string file)
    {
        var path = Path.Combine(ServiceTestHelpers.RepositoryRoot(), "configs", file);
        var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
        var options = new ReceiverOptions();
        configuration.GetSection(ReceiverOptions.SectionName).Bind(options, b => b.ErrorOnUnknownConfiguration = true);

        Assert.Empty(ReceiverOptionsValidator.Failures(options));
        Assert.NotEmpty(options.Codes);
        Assert.NotEmpty(options.Ingest);
    }

    [Theory]
    [InlineData("Receiver:Ingest:0:Format", "gr-flaot", "Receiver:Ingest[0]:Format: 'gr-flaot' is not one of gr-float, gr-char, gr-tagged, framed")]
    [InlineData("Receiver:Ingest:0:Socket", "dealer", "Receiver:Ingest[0]:Socket: 'dealer' is not one of pull, sub")]
    [InlineData("Receiver:Ingest:0:LlrSign", "positive", "Receiver:Ingest[0]:LlrSign: 'positive' is not one of gnuradio, canonical")]
    [InlineData("Receiver:Ingest:0:Endpoints:0", "127.0.0.1:5555", "Receiver:Ingest[0]:Endpoints[0]: '127.0.0.1:5555' is not a ZMQ endpoint")]
    [InlineData("Receiver:Codes:0:Chain:Decoder", "turbo", "Receiver:Codes[0]:Chain:Decoder: 'turbo' is not one of")]
    [InlineData("Receiver:Codes:0:Chain:Iterations", "0", "Receiver:Codes[0]:Chain:Iterations: must be at least 1, got 0")]
    [InlineData("Receiver:Codes:0:Chain:Runtime", "tensorrt", "Receiver:Codes[0]:Chain:Runtime: runtime 'tensorrt' is not one of auto, onnxruntime, torchsharp")]
    [InlineData("Receiver:Codes:0:Chain:Device", "gpu", "Receiver:Codes[0]:Chain:Device: device 'gpu' is not one of cpu, cuda, cuda:N")]
    [InlineData("Receiver:Batching:Overflow", "spill", "Receiver:Batching:Overflow: 'spill' is not one of block, drop-oldest")]
    [InlineData("Receiver:Batching:QueueCapacity", "8", "Receiver:Batching:QueueCapacity: must be at least MaxBatch (64), got 8")]
    [InlineData("Receiver:Publish:Output", "bits", "Receiver:Publish:Output: 'bits' is not one of unpacked-info, packed-info, unpacked-codeword, packed-codeword")]
    [InlineData("Receiver:Publish:Socket", "sub", "Receiver:Publish:Socket: 'sub' is not one of pub, push")]
    [InlineData("Receiver:Metrics:PrometheusPort", "70000", "Receiver:Metrics:PrometheusPort: must be 0 (off) or a TCP port up to 65535, got 70000")]
    [InlineData("Receiver:Metrics:OtlpEndpoint", "collector:4317", "Receiver:Metrics:OtlpEndpoint: 'collector:4317' is not an http(s) URL")]
    [InlineData("Receiver:Shutdown:DrainDeadlineMs", "-1", "Receiver:Shutdown:DrainDeadlineMs: must be 0 or more, got -1")]
    public void EachBadValueGivesOneLineNamingItsPath(string key, string value, string expected)
    {
        var values = ServiceTestHelpers.LoopbackValues();
        values[key] = value;
        var options = new ReceiverOptions();
        ServiceTestHelpers.Configuration(values).GetSection(ReceiverOptions.SectionName).Bind(options);

        var failures = ReceiverOptionsValidator.Failures(options).ToList();

        var failure = Assert.Single(failures);
        Assert.StartsWith(expected, failure);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public void RawFormatsNeedACodeAndEmptyConfigurationsSayWhatIsMissing()
    {
        var raw = ServiceTestHelpers.LoopbackValues();
        raw["Receiver:Ingest:0:Format"] = "gr-float";
        var options = new ReceiverOptions();
        ServiceTestHelpers.Configuration(raw).GetSection(ReceiverOptions.SectionName).Bind(options);
        Assert.Contains(ReceiverOptionsValidator.Failures(options), f => f.StartsWith("Receiver:Ingest[0]:Code: format gr-float carries no code id"));

        var empty = ReceiverOptionsValidator.Failures(new ReceiverOptions()).ToList();
        Assert.Contains(empty, f => f.StartsWith("Receiver:Codes: configure at least one code"));
        Assert.Contains(empty, f => f.StartsWith("Receiver:Ingest: configure at least one ingest socket"));
    }

    [Fact]
    public void OverridesReplaceCodeEndpointsAndFormats()
    {
        var options = new ReceiverOptions();
        ServiceTestHelpers.Configuration(ServiceTestHelpers.LoopbackValues()).GetSection(ReceiverOptions.SectionName).Bind(options);

        new ReceiverOverrides
        {
            Code = "nr:112,128",
            IngestEndpoint = ">tcp://127.0.0.1:6000",
            IngestFormat = "gr-float",
            LlrSign = "gnuradio",
            Decoder = "nms",
            Iterations = 7,
            PublishEndpoint = "tcp://127.0.0.1:6001",
            Output = "packed-info",
            MetricsPort = 9100,
        }.ApplyTo(options);

        Assert.Equal("nr:112,128", Assert.Single(options.Codes).Spec);
        Assert.Equal("nms", options.Codes[0].Chain.Decoder);
        Assert.Equal(7, options.Codes[0].Chain.Iterations);
        Assert.Equal([">tcp://127.0.0.1:6000"], options.Ingest[0].Endpoints);
        Assert.Equal("gr-float", options.Ingest[0].Format);
        Assert.Equal("nr:112,128", options.Ingest[0].Code);
        Assert.Equal("gnuradio", options.Ingest[0].LlrSign);
        Assert.Equal("tcp://127.0.0.1:6001", options.Publish.Endpoint);
        Assert.Equal("packed-info", options.Publish.Output);
        Assert.Equal(9100, options.Metrics.PrometheusPort);
        Assert.Empty(ReceiverOptionsValidator.Failures(options));
    }

    [Theory]
    [InlineData("""{"Receiver": {"Codes": [{"Spec": "nr:224,256"}], "Ingest": [{"Endpoints": [">tcp://127.0.0.1:5555"], "Format": "gr-flaot"}]}}""", "Receiver:Ingest[0]:Format: 'gr-flaot'")]
    [InlineData("""{"Receiver": {"Codes": [{"Spec": "nr:224,256", "Chian": {}}], "Ingest": [{"Endpoints": [">tcp://127.0.0.1:5555"]}]}}""", "Chian")]
    [InlineData("""{"Receiver": {"Codes": [{"Spec": "nr:224,256"}], "Ingest": [{"Endpoints": [">tcp://127.0.0.1:5555"], "Hwm": "lots"}]}}""", "lots")]
    [InlineData("""{"Receiver": {"Codes": [ """, "not valid JSON")]
    [InlineData("""{"Other": {}}""", "no \"Receiver\" section")]
    public async Task RunWithABadConfigurationPrintsOneErrorLineAndExits2(string json, string expectedFragment)
    {
        var path = Path.Combine(Path.GetTempPath(), $"receiver-bad-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = await Receiver.Cli.Cli.RunAsync(["run", "--config", path], stdout, stderr);

            Assert.Equal(2, exit);
            Assert.Equal("", stdout.ToString());
            var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", line);
            Assert.Contains(expectedFragment, line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--output", "bits", "Receiver:Publish:Output: 'bits'")]
    [InlineData("--ingest-format", "wav", "Receiver:Ingest[0]:Format: 'wav'")]
    [InlineData("--decoder", "turbo", "Receiver:Codes[0]:Chain:Decoder: 'turbo'")]
    [InlineData("--ingest", "nowhere", "Receiver:Ingest[0]:Endpoints[0]: 'nowhere' is not a ZMQ endpoint")]
    [InlineData("--code", "nr:5,3", "nr:5,3")]
    public async Task BadFlagsExit2WithOneErrorLine(string flag, string value, string expectedFragment)
    {
        var path = Path.Combine(ServiceTestHelpers.RepositoryRoot(), "configs", "loopback.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] args = ["run", "--config", path, "--metrics-port", "0", flag, value,
            .. flag == "--ingest" ? Array.Empty<string>() : ["--ingest", "@tcp://127.0.0.1:0"], "--publish", "@tcp://127.0.0.1:0"];
        var exit = await Receiver.Cli.Cli.RunAsync(args, stdout, stderr);

        Assert.Equal(2, exit);
        Assert.DoesNotContain("ready", stdout.ToString());
        var errorLines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error: ")).ToList();
        Assert.Contains(expectedFragment, Assert.Single(errorLines));
    }

    [Fact]
    public async Task MissingConfigFileExits2()
    {
        var stderr = new StringWriter();
        var exit = await Receiver.Cli.Cli.RunAsync(["run", "--config", "/nonexistent/receiver.json"], new StringWriter(), stderr);
        Assert.Equal(2, exit);
        Assert.Equal("error: config file '/nonexistent/receiver.json' not found", stderr.ToString().Trim());
    }
}
