using System.Text.Json;

namespace Receiver.Service.Tests;

/// <summary>
/// <c>receiver bench</c> over real ZMQ loopback: tiny runs (no timing assertions) that check the JSON contract and
/// that every frame sent is accounted for (received by the client or counted dropped by the service).
/// </summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task FixedRateRunReportsTheJsonContractAndAccountsForEveryFrame()
    {
        var runs = await BenchJsonAsync(["--rates", "300,600", "--seconds", "0.5", "--warmup", "0.2"]);

        Assert.Equal(2, runs.Count);
        Assert.Equal(300, runs[0].GetProperty("rate_target").GetDouble());
        Assert.Equal(600, runs[1].GetProperty("rate_target").GetDouble());
        foreach (var run in runs)
        {
            AssertContract(run);
            Assert.Equal(150 * run.GetProperty("rate_target").GetDouble() / 300, run.GetProperty("frames_sent").GetInt64());
            Assert.Equal("histogram", run.GetProperty("latency_source").GetString());
        }
    }

    [Fact]
    public async Task MaxRunWithRawFloatMessagesOfSeveralFramesAccountsForEveryFrame()
    {
        var runs = await BenchJsonAsync(["--max", "--seconds", "0.3", "--warmup", "0", "--format", "gr-float", "--frames-per-message", "4",
            "--code", "nr:224,256", "--decoder", "hard"]);

        var run = Assert.Single(runs);
        AssertContract(run);
        Assert.Equal("max", run.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("rate_target").ValueKind);
        Assert.Equal(0, run.GetProperty("frames_sent").GetInt64() % 4);
        Assert.Equal("hard", run.GetProperty("decoder").GetString());
    }

    [Fact]
    public async Task SubprocessServiceIsDrivenOverLoopbackAndReportsItsDropsAndCpu()
    {
        var runs = await BenchJsonAsync(["--subprocess", "--rates", "400", "--seconds", "0.5", "--warmup", "0.2"]);

        var run = Assert.Single(runs);
        AssertContract(run);
        Assert.Equal("subprocess", run.GetProperty("target").GetString());
        Assert.Equal("metadata", run.GetProperty("latency_source").GetString());
        Assert.True(run.GetProperty("cpu").GetProperty("service").GetDouble() > 0, "the child process used no CPU time");
    }

    [Fact]
    public async Task BadArgumentsAreUsageErrors()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await Cli.Cli.RunAsync(["bench", "--rates", "100,-5"], stdout, stderr);

        Assert.Equal(Cli.Cli.ExitUsage, exit);
        Assert.Contains("--rates", stderr.ToString());
    }

    private static void AssertContract(JsonElement run)
    {
        foreach (var field in new[] { "rate_target", "rate_achieved", "frames_sent", "frames_received", "frames_dropped", "ingest_mb_per_s", "latency_us", "e2e_latency_us", "cpu" })
            Assert.True(run.TryGetProperty(field, out _), $"missing '{field}' in {run}");
        foreach (var latency in new[] { "latency_us", "e2e_latency_us" })
            foreach (var quantile in new[] { "p50", "p99", "p999" })
                Assert.True(run.GetProperty(latency).GetProperty(quantile).GetDouble() >= 0, $"{latency}.{quantile} in {run}");
        Assert.True(run.GetProperty("cpu").TryGetProperty("service", out _));
        Assert.True(run.GetProperty("cpu").TryGetProperty("client", out _));

        var sent = run.GetProperty("frames_sent").GetInt64();
        Assert.True(sent > 0);
        Assert.Equal(sent, run.GetProperty("frames_received").GetInt64() + run.GetProperty("frames_dropped").GetInt64());
        Assert.True(run.GetProperty("accounted").GetBoolean());
        Assert.True(run.GetProperty("ingest_mb_per_s").GetDouble() > 0);
        Assert.Equal(sent, run.GetProperty("e2e_latency_us").GetProperty("count").GetInt64() + run.GetProperty("frames_dropped").GetInt64()
            + run.GetProperty("metadata_dropped").GetInt64());
    }

    private static async Task<List<JsonElement>> BenchJsonAsync(string[] arguments)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await Cli.Cli.RunAsync(["bench", "--json", .. arguments], stdout, stderr);

        Assert.True(exit == Cli.Cli.ExitSuccess, $"bench failed ({exit}): {stderr}");
        return stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
    }
}
