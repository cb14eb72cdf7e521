using System.Text.Json;
using static Receiver.Cli.Tests.CliTestSupport;

namespace Receiver.Cli.Tests;

public class NrCommandTests
{
    [Fact]
    public async Task DumpWritesEveryStageWithTheDocumentedLengths()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"nr-dump-{Guid.NewGuid():N}");
        var payload = Path.Combine(Path.GetTempPath(), $"nr-payload-{Guid.NewGuid():N}.txt");
        try
        {
            await File.WriteAllTextAsync(payload, string.Concat(Enumerable.Range(0, 1000).Select(i => i % 3 == 0 ? '1' : '0')));
            var (exitCode, output, error) = await Run("nr", "dump", "--tbs", "1000", "--modulation", "16qam", "--rate", "0.5",
                "--rv", "0,3", "--payload", payload, "--out", folder);
            Assert.True(exitCode == 0, error);
            using var summary = JsonDocument.Parse(output);
            var root = summary.RootElement;
            Assert.Equal(2, root.GetProperty("base_graph").GetInt32());
            var (a, b, k, n, g) = (1000, root.GetProperty("b").GetInt32(), root.GetProperty("k").GetInt32(), root.GetProperty("n").GetInt32(), root.GetProperty("g").GetInt32());
            Assert.Equal(1016, b);
            int Lines(string name) => File.ReadAllLines(Path.Combine(folder, name)).Length;
            Assert.Equal(a, Lines("payload.txt"));
            Assert.Equal(b, Lines("tb_crc.txt"));
            Assert.Equal(k, Lines("cb_0.txt"));
            Assert.Equal(n, Lines("codeword_0.txt"));
            Assert.Equal(g, Lines("rv3_ratematched_0.txt"));
            Assert.Equal(g, Lines("rv0_concatenated.txt"));
            Assert.Equal(g / 4, Lines("rv0_symbols.txt"));
            // Fillers are -1 in c (at K'..K-1) and d; the payload file is read back unchanged.
            var fillers = root.GetProperty("fillers").GetInt32();
            Assert.Equal(fillers, File.ReadAllLines(Path.Combine(folder, "cb_0.txt")).Count(line => line == "-1"));
            Assert.Equal(fillers, File.ReadAllLines(Path.Combine(folder, "codeword_0.txt")).Count(line => line == "-1"));
            Assert.Equal(await File.ReadAllTextAsync(payload), string.Concat(File.ReadAllLines(Path.Combine(folder, "payload.txt"))));
            Assert.True(File.Exists(Path.Combine(folder, "config.json")));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            File.Delete(payload);
        }
    }

    [Fact]
    public async Task DumpRefusesATransportBlockThatDoesNotSegmentEvenly()
    {
        var (exitCode, _, error) = await Run("nr", "dump", "--tbs", "8425", "--rate", "0.9", "--out", Path.GetTempPath());
        Assert.Equal(2, exitCode);
        Assert.Contains("A=8426", error);
    }

    [Fact]
    public async Task BlerJsonCountsErrorsAfterEachTransmission()
    {
        var (exitCode, output, error) = await Run("nr", "bler", "--tbs", "500", "--mcs", "qpsk:0.5", "--snr", "-3,8",
            "--rv-sequence", "0,2", "--min-tb-errors", "5", "--max-tbs", "20", "--threads", "1", "--json");
        Assert.True(exitCode == 0, error);
        var points = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(2, points.Length);
        var low = points[0].GetProperty("errors_after").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var high = points[1].GetProperty("errors_after").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(2, low.Length);
        Assert.True(low[0] >= low[1]);     // a second transmission can only help
        Assert.True(low[0] >= 5);          // -3 dB at rate 1/2 QPSK fails the first transmission
        Assert.Equal(0, high[0]);          // 8 dB does not
        Assert.Equal(20, points[1].GetProperty("transport_blocks").GetInt64());
    }

    [Fact]
    public async Task BlerTableNamesCrcEarlyTerminationUnlessTurnedOff()
    {
        string[] args = ["nr", "bler", "--tbs", "500", "--mcs", "qpsk:0.5", "--snr", "8", "--rv-sequence", "0", "--max-tbs", "10", "--threads", "1"];
        var (exitCode, output, error) = await Run(args);
        Assert.True(exitCode == 0, error);
        Assert.Contains("(CRC early termination)", output);
        (exitCode, output, error) = await Run([.. args, "--no-crc-stop"]);
        Assert.True(exitCode == 0, error);
        Assert.DoesNotContain("CRC early termination", output);
    }
}
