using System.Text.Json;
using Receiver.Cli;
using static Receiver.Cli.Tests.CliTestSupport;

namespace Receiver.Cli.Tests;

public class CliTests
{
    private static readonly string[] ContractFields =
    [
        "code", "n", "k", "decoder", "iterations", "ebn0_db", "frames", "bit_errors", "frame_errors", "ber", "fer", "neg_ln_ber",
        "info_bit_errors", "info_ber", "seed", "min_frame_errors", "max_frames", "elapsed_s", "frames_per_s",
        "ml_frame_errors", "ml_lower_bound_fer",
    ];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task JsonPrintsOneParseableObjectPerPointWithTheContractFields()
    {
        var (exitCode, stdout, stderr) = await Run("eval", "--code", "BCH_N31_K16", "--decoder", "hard", "--ebn0", "3,5",
            "--min-frame-errors", "50", "--max-frames", "300", "--seed", "7", "--json");

        Assert.Equal(Cli.ExitSuccess, exitCode);
        Assert.Equal("", stderr);
        var lines = Lines(stdout);
        Assert.Equal(2, lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            using var point = JsonDocument.Parse(lines[i]);
            var root = point.RootElement;
            foreach (var field in ContractFields) Assert.True(root.TryGetProperty(field, out _), $"missing {field} in {lines[i]}");
            Assert.Equal("BCH_N31_K16", root.GetProperty("code").GetString());
            Assert.Equal((31, 16), (root.GetProperty("n").GetInt32(), root.GetProperty("k").GetInt32()));
            Assert.Equal("hard", root.GetProperty("decoder").GetString());
            Assert.Equal(i == 0 ? 3.0 : 5.0, root.GetProperty("ebn0_db").GetDouble());
            Assert.Equal(7UL, root.GetProperty("seed").GetUInt64());

            var frames = root.GetProperty("frames").GetInt64();
            var bitErrors = root.GetProperty("bit_errors").GetInt64();
            var frameErrors = root.GetProperty("frame_errors").GetInt64();
            Assert.InRange(frames, 1, 300);
            Assert.True(frameErrors >= 50 || frames == 300);
            Assert.Equal(bitErrors / (31.0 * frames), root.GetProperty("ber").GetDouble(), 12);
            Assert.Equal(frameErrors / (double)frames, root.GetProperty("fer").GetDouble(), 12);
            Assert.Equal(-Math.Log(bitErrors / (31.0 * frames)), root.GetProperty("neg_ln_ber").GetDouble(), 9);
            Assert.InRange(root.GetProperty("ml_frame_errors").GetInt64(), 0, frameErrors);
        }
    }

    [Fact]
    public async Task OsdReportsAnMlLowerBoundAtMostItsFer()
    {
        var (exitCode, stdout, stderr) = await Run("eval", "--code", "BCH_N31_K16", "--decoder", "osd2,bp+osd1", "--ebn0", "2",
            "--min-frame-errors", "0", "--max-frames", "400", "--seed", "7", "--json");

        Assert.Equal(Cli.ExitSuccess, exitCode);
        Assert.Equal("", stderr);
        var lines = Lines(stdout);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var point = JsonDocument.Parse(line);
            var root = point.RootElement;
            var mlErrors = root.GetProperty("ml_frame_errors").GetInt64();
            Assert.InRange(mlErrors, 1, root.GetProperty("frame_errors").GetInt64());
            Assert.True(root.GetProperty("ml_lower_bound_fer").GetDouble() <= root.GetProperty("fer").GetDouble());
        }
    }

    [Fact]
    public async Task SameSeedPrintsTheSameCounts()
    {
        string[] args = ["eval", "--code", "LDPC_N49_K24", "--decoder", "hard", "--ebn0", "2", "--max-frames", "500", "--min-frame-errors", "0", "--seed", "3", "--json"];
        static string Counts(string line)
        {
            using var point = JsonDocument.Parse(line);
            var r = point.RootElement;
            return $"{r.GetProperty("frames")} {r.GetProperty("bit_errors")} {r.GetProperty("frame_errors")} {r.GetProperty("info_bit_errors")}";
        }
        var first = await Run(args);
        var second = await Run(args);
        Assert.Equal(Counts(first.Out), Counts(second.Out));
    }

    [Fact]
    public async Task NoErrorsPrintNegLnBerAsNull()
    {
        var (exitCode, stdout, _) = await Run("eval", "--code", "BCH_N31_K16", "--decoder", "hard", "--ebn0", "20", "--max-frames", "50", "--json");
        Assert.Equal(Cli.ExitSuccess, exitCode);
        using var point = JsonDocument.Parse(stdout);
        Assert.Equal(0, point.RootElement.GetProperty("bit_errors").GetInt64());
        Assert.Equal(JsonValueKind.Null, point.RootElement.GetProperty("neg_ln_ber").ValueKind);
    }

    [Fact]
    public async Task WithoutJsonPrintsATable()
    {
        var (exitCode, stdout, stderr) = await Run("eval", "--code", "BCH_N31_K16", "--decoder", "hard,bp", "--ebn0", "1:1:2", "--max-frames", "100");
        Assert.Equal(Cli.ExitSuccess, exitCode);
        Assert.Contains("BCH_N31_K16", stdout);
        Assert.Contains("-ln BER", stdout);
        Assert.Equal(2, stdout.Split("│ hard").Length - 1);
        Assert.Equal(2, stdout.Split("│ bp").Length - 1);
        Assert.Equal(4, Lines(stderr).Length); // one plain progress line per point
    }

    [Fact]
    public async Task PlotWritesAPng()
    {
        var path = Path.Combine(Path.GetTempPath(), $"receiver-cli-test-{Guid.NewGuid():N}.png");
        try
        {
            var (exitCode, _, stderr) = await Run("eval", "--code", "BCH_N31_K16", "--decoder", "hard,bp", "--ebn0", "1,3", "--max-frames", "200", "--json", "--plot", path);
            Assert.Equal(Cli.ExitSuccess, exitCode);
            Assert.Contains(path, stderr);
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 1000);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CodesListShowsBundledCodes()
    {
        var (exitCode, stdout, _) = await Run("codes", "list", "--json");
        Assert.Equal(Cli.ExitSuccess, exitCode);
        var bch = Lines(stdout).Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("code").GetString() == "BCH_N31_K16.txt");
        Assert.Equal((31, 16, 15, 15), (bch.GetProperty("n").GetInt32(), bch.GetProperty("k").GetInt32(), bch.GetProperty("m").GetInt32(), bch.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public async Task CancellationPrintsWhatWasMeasuredAndExits130()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        // Cancelled from a plain thread, not a timer: timer callbacks run on the thread pool, which the
        // point's own work can keep busy on a loaded 2-core machine, so the cancel might never come.
        using var interrupt = new CancellationTokenSource();
        var canceller = new Thread(() => { Thread.Sleep(300); interrupt.Cancel(); }) { IsBackground = true };
        canceller.Start();
        string[] args = ["eval", "--code", "BCH_N31_K16", "--decoder", "hard", "--ebn0", "0,1,2", "--min-frame-errors", "0", "--max-frames", "1000000000000", "--json"];
        var exitCode = await Cli.RunAsync(args, stdout, stderr, interrupt.Token);

        Assert.Equal(Cli.ExitCancelled, exitCode);
        using var point = JsonDocument.Parse(Lines(stdout.ToString()).Single());
        Assert.Equal("cancelled", point.RootElement.GetProperty("stop_reason").GetString());
        Assert.Contains("cancelled", stderr.ToString());
    }

    public static TheoryData<string, string[]> BadInputs()
    {
        var malformed = Path.Combine(Path.GetTempPath(), "receiver-cli-test-malformed.alist");
        File.WriteAllText(malformed, "not an alist\n1 2 3\n");
        string[] run = ["--decoder", "hard", "--max-frames", "10", "--json"];
        return new TheoryData<string, string[]>
        {
            { "missing file", ["eval", "--code", "/nonexistent/code.alist", .. run] },
            { "malformed alist", ["eval", "--code", malformed, .. run] },
            { "k > n", ["eval", "--code", "nr:300,200", .. run] },
            { "unknown decoder", ["eval", "--code", "BCH_N31_K16", "--decoder", "nope", "--json"] },
            { "bad ebn0", ["eval", "--code", "BCH_N31_K16", "--ebn0", "4,five", .. run] },
            { "bad ebn0 range", ["eval", "--code", "BCH_N31_K16", "--ebn0", "4:-1:6", .. run] },
            { "negative frame errors", ["eval", "--code", "BCH_N31_K16", "--min-frame-errors", "-1", .. run] },
            { "negative max frames", ["eval", "--code", "BCH_N31_K16", "--decoder", "hard", "--max-frames", "-5"] },
            { "zero iterations", ["eval", "--code", "BCH_N31_K16", "--iterations", "0", .. run] },
            { "non-numeric iterations", ["eval", "--code", "BCH_N31_K16", "--iterations", "many", .. run] },
            { "decoder that does not fit the code", ["eval", "--code", "LDPC_N49_K24", "--decoder", "bm", "--max-frames", "10"] },
            { "missing --code", ["eval", "--decoder", "hard"] },
            { "unknown option", ["eval", "--code", "BCH_N31_K16", "--frobnicate"] },
            { "no command", [] },
            { "unknown element type", ["eval", "--code", "LDPC_N49_K24", "--decoder", "layered-nms", "--element", "int4", "--max-frames", "10"] },
            { "element type bp does not run", ["eval", "--code", "LDPC_N49_K24", "--decoder", "bp", "--element", "int8", "--max-frames", "10"] },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInputGivesExitCode2AndOneErrorLine(string what, string[] args)
    {
        var (exitCode, stdout, stderr) = await Run(args);
        Assert.True(exitCode == Cli.ExitUsage, $"{what}: exit code {exitCode}, stderr: {stderr}");
        Assert.Equal("", stdout);
        var lines = Lines(stderr);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task NoEarlyStopRunsEveryIterationInTheElementTypeAsked()
    {
        var (exitCode, stdout, stderr) = await Run("eval", "--code", "LDPC_N49_K24", "--decoder", "layered-nms", "--element", "int8",
            "--no-early-stop", "--iterations", "7", "--ebn0", "6", "--min-frame-errors", "0", "--max-frames", "200", "--json");
        Assert.True(exitCode == Cli.ExitSuccess, stderr);
        using var point = JsonDocument.Parse(Lines(stdout).Single());
        var root = point.RootElement;
        Assert.Equal(7.0, root.GetProperty("avg_iterations").GetDouble());
        Assert.False(root.GetProperty("early_stop").GetBoolean());
        Assert.Equal("int8", root.GetProperty("element").GetString());
    }
}
