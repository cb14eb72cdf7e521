using System.Text;
using System.Text.Json;
using Receiver.Service.Source;

namespace Receiver.Service.Tests;

/// <summary><c>receiver run</c> and <c>receiver demo</c> through the CLI entry point, in process.</summary>
public class CliServiceTests
{
    [Fact]
    public async Task RunPrintsReadyOnceSocketsAreUpAndExitsZeroWhenStopped()
    {
        var path = Path.Combine(Path.GetTempPath(), $"receiver-run-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """
            {
              "Receiver": {
                "Codes": [ { "Spec": "nr:224,256" } ],
                "Ingest": [ { "Endpoints": [ "@tcp://127.0.0.1:0" ], "Format": "framed" } ],
                "Publish": { "Endpoint": "@tcp://127.0.0.1:0", "MetadataEndpoint": "@tcp://127.0.0.1:0" },
                "Metrics": { "ConsoleIntervalSeconds": 0 }
              }
            }
            """);
        try
        {
            var stdout = new SynchronizedWriter();
            var stderr = new SynchronizedWriter();
            using var stop = new CancellationTokenSource();
            var running = Receiver.Cli.Cli.RunAsync(["run", "--config", path, "--log-level", "Warning"], stdout, stderr, stop.Token);

            Assert.True(await ServiceTestHelpers.WaitUntilAsync(() => stdout.Text.Contains('\n') || running.IsCompleted, TimeSpan.FromSeconds(20)), stderr.Text);
            Assert.Equal("ready\n", stdout.Text);
            await stop.CancelAsync();

            Assert.Equal(0, await running);
            Assert.Equal("ready\n", stdout.Text);
            Assert.DoesNotContain("error", stderr.Text);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task DemoByDefaultDecodesNeurallyWithTheBundledModelAndEndsWithOneJsonObject()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await Receiver.Cli.Cli.RunAsync(["demo", "--seconds", "1", "--json", "--rate", "2000", "--seed", "4"], stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var json = JsonDocument.Parse(lines[^1]);
        var root = json.RootElement;
        foreach (var key in new[] { "frames_in", "frames_published", "frames_dropped", "dropped_by_reason", "bit_errors", "ber", "fer", "frames_per_s", "latency_us", "code", "decoder", "ebn0_db", "seconds" })
            Assert.True(root.TryGetProperty(key, out _), $"missing {key} in {lines[^1]}");
        foreach (var quantile in new[] { "p50", "p99", "p999" })
            Assert.True(root.GetProperty("latency_us").GetProperty(quantile).GetDouble() > 0);

        var framesIn = root.GetProperty("frames_in").GetInt64();
        Assert.True(framesIn > 0);
        Assert.Equal(framesIn, root.GetProperty("frames_published").GetInt64() + root.GetProperty("frames_dropped").GetInt64());
        Assert.Equal(root.GetProperty("frames_dropped").GetInt64(), root.GetProperty("dropped_by_reason").EnumerateObject().Sum(r => r.Value.GetInt64()));
        Assert.Equal("POLAR_N64_K32", root.GetProperty("code").GetString());
        Assert.Equal("eccfm", root.GetProperty("decoder").GetString());
        Assert.Equal(DemoSettings.DefaultModel, root.GetProperty("model").GetString());
        Assert.InRange(root.GetProperty("ber").GetDouble(), 0, 0.5);
    }

    [Theory]
    [InlineData("--seconds", "0", "--seconds must be a positive number")]
    [InlineData("--decoder", "turbo", "unknown decoder 'turbo'")]
    [InlineData("--format", "gr-tagged", "--format must be framed or gr-float")]
    [InlineData("--code", "nr:5,3", "nr:5,3")]
    public async Task DemoRejectsBadFlagsWithExit2(string flag, string value, string expected)
    {
        var stderr = new StringWriter();
        var exit = await Receiver.Cli.Cli.RunAsync(["demo", "--json", flag, value], new StringWriter(), stderr);
        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
    }

    /// <summary>A text writer safe to read from the test while the service writes to it.</summary>
    private sealed class SynchronizedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get { lock (_text) return _text.ToString(); }
        }

        public override void Write(char value)
        {
            lock (_text) _text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (_text) _text.Append(value);
        }
    }
}
