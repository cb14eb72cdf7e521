using System.Text.Json;
using Receiver.Evaluation;
using static Receiver.Cli.Tests.CliTestSupport;

namespace Receiver.Cli.Tests;

/// <summary><c>eval --shard I/N --out</c> and <c>eval merge</c>: the merged shards are the unsharded run, count for count.</summary>
public sealed class ShardTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("receiver-shard-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] Point = ["eval", "--code", "LDPC_N49_K24", "--decoder", "bp,hard", "--iterations", "20", "--ebn0", "2,3", "--max-frames", "700", "--seed", "11"];

    /// <summary>The counts of each point, keyed by decoder and Eb/N0.</summary>
    private static Dictionary<string, string> Counts(string jsonLines)
    {
        var counts = new Dictionary<string, string>();
        foreach (var line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var r = JsonDocument.Parse(line).RootElement;
            counts.Add($"{r.GetProperty("decoder")} {r.GetProperty("ebn0_db")}",
                $"{r.GetProperty("frames")} {r.GetProperty("bit_errors")} {r.GetProperty("frame_errors")} {r.GetProperty("info_bit_errors")} {r.GetProperty("decoder_iterations")} {r.GetProperty("ml_frame_errors")} {r.GetProperty("stop_reason")}");
        }
        return counts;
    }

    private string[] RunShards(int count)
    {
        var files = new string[count];
        for (var i = 0; i < count; i++)
        {
            files[i] = Path.Combine(_folder, $"shard-{i}.jsonl");
            var (exitCode, _, stderr) = Run([.. Point, "--shard", $"{i}/{count}", "--out", files[i]]).GetAwaiter().GetResult();
            Assert.True(exitCode == Cli.ExitSuccess, stderr);
        }
        return files;
    }

    [Fact]
    public async Task MergedShardsEqualTheUnshardedRunExactly()
    {
        var whole = await Run([.. Point, "--min-frame-errors", "0", "--json"]);
        Assert.Equal(Cli.ExitSuccess, whole.ExitCode);

        var files = RunShards(3);
        var shardFrames = files.Select(f => JsonDocument.Parse(File.ReadLines(f).First()).RootElement.GetProperty("frames").GetInt64()).ToArray();
        Assert.Equal([233L, 233L, 234L], shardFrames);
        // Shards run different frames: their counts differ from each other (bp at 2 dB has hundreds of bit errors).
        Assert.NotEqual(Counts(File.ReadAllText(files[0])), Counts(File.ReadAllText(files[1])));

        var plot = Path.Combine(_folder, "merged.png");
        var merged = await Run(["eval", "merge", .. files.Reverse(), "--json", "--plot", plot]);
        Assert.True(merged.ExitCode == Cli.ExitSuccess, merged.Error);
        Assert.Equal(Counts(whole.Out), Counts(merged.Out));
        Assert.True(new FileInfo(plot).Length > 1000);
    }

    [Fact]
    public async Task MergeRefusesMissingDuplicateOrForeignShards()
    {
        var files = RunShards(2);

        var missing = await Run("eval", "merge", files[0]);
        Assert.Equal(Cli.ExitUsage, missing.ExitCode);
        Assert.Contains("shard(s) 1/2 missing", missing.Error);

        var twice = await Run("eval", "merge", files[0], files[0], files[1]);
        Assert.Equal(Cli.ExitUsage, twice.ExitCode);
        Assert.Contains("more than once", twice.Error);

        var garbage = Path.Combine(_folder, "garbage.jsonl");
        File.WriteAllText(garbage, "{\"code\": \"x\"}\n");
        var bad = await Run("eval", "merge", files[0], garbage);
        Assert.Equal(Cli.ExitUsage, bad.ExitCode);
        Assert.Contains("garbage.jsonl:1", bad.Error);
    }

    [Fact]
    public async Task ShardNeedsAFixedFrameBudgetAndAValidIndex()
    {
        var errorStop = await Run([.. Point, "--shard", "0/2", "--min-frame-errors", "10"]);
        Assert.Equal(Cli.ExitUsage, errorStop.ExitCode);
        Assert.Contains("--min-frame-errors 0", errorStop.Error);
        foreach (var bad in new[] { "2/2", "1", "-1/2", "a/b" })
            Assert.Equal(Cli.ExitUsage, (await Run([.. Point, "--shard", bad])).ExitCode);
    }

    [Fact]
    public void ShardRangesTileTheFrames()
    {
        for (var count = 1; count <= 7; count++)
        {
            long next = 0;
            for (var i = 0; i < count; i++)
            {
                var (first, frames) = new Shard(i, count).Range(1000);
                Assert.Equal(next, first);
                next = first + frames;
            }
            Assert.Equal(1000, next);
        }
    }
}
