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

    /// <summary>
    /// SHA-256 of every stage file of one fixed configuration (A = 100, 16QAM, rate 0.5: CRC16, BG2, Z = 20, F = 84,
    /// RV 0-3; payload bit i = 1 when 7i mod 5 < 2), as the dump wrote them when the clauses were checked by hand:
    /// any change to a stage's bits or to the file format shows here.
    /// </summary>
    private static readonly Dictionary<string, string> GoldenDump = new()
    {
        ["cb_0.txt"] = "c11ebcece42c8d27fe8b6326820588f73577253cc741845409599dca9441637f",
        ["codeword_0.txt"] = "6ef2a8506e50ac447fef5c4c343c4218b3340801cb790123f011cbfa856768a2",
        ["payload.txt"] = "0a46b196d2fc227e71809253bb9228ca8713487c43f6ec0683a310c7b9e406af",
        ["rv0_concatenated.txt"] = "10c0744452a3d8dba802e07bf064cf0166d29e7213e0390fe2eb1df128593976",
        ["rv0_interleaved_0.txt"] = "10c0744452a3d8dba802e07bf064cf0166d29e7213e0390fe2eb1df128593976",
        ["rv0_ratematched_0.txt"] = "4a74c138cb72dfe62e6632f15519e860baf3818c6fbdf6c4d95aea5104efd791",
        ["rv0_symbols.txt"] = "d5e13172d0996b8fc696bd846dad7aff6f23acd77e36966348cee9cf8a6069f1",
        ["rv1_concatenated.txt"] = "17b9d66c5cd0bff8e0c8abb9e6df488f8fbec169b7cf30dee451288e303cf838",
        ["rv1_interleaved_0.txt"] = "17b9d66c5cd0bff8e0c8abb9e6df488f8fbec169b7cf30dee451288e303cf838",
        ["rv1_ratematched_0.txt"] = "aad564a984ac880063b70e640e0985e6175f3751c52718ad85e2054550387a86",
        ["rv1_symbols.txt"] = "83089b86a74a4cdc6b1a6ff494a927957b850de443ca9757f41c7ff19d385b59",
        ["rv2_concatenated.txt"] = "6f862283ece566df47f941ca209012935db419b34a197b4bf15d959cf0366b74",
        ["rv2_interleaved_0.txt"] = "6f862283ece566df47f941ca209012935db419b34a197b4bf15d959cf0366b74",
        ["rv2_ratematched_0.txt"] = "7f61e3881f0ea85485e4d1eafe9054fe2980ceebc777295d9b91a3332b7ea959",
        ["rv2_symbols.txt"] = "ec639dae44a6a94aaef23468d84d68d58d5de9149f7ffd05e9c54ecb636a6ece",
        ["rv3_concatenated.txt"] = "3f7d24eab94f0f2ff73537703b78cd3676fb25701d8434c491e58d52cc2b191a",
        ["rv3_interleaved_0.txt"] = "3f7d24eab94f0f2ff73537703b78cd3676fb25701d8434c491e58d52cc2b191a",
        ["rv3_ratematched_0.txt"] = "f4ff9520b6c6b672d1fc259ae2db6445a9940592d074f9586db578041c512227",
        ["rv3_symbols.txt"] = "12c897a9c0720b3bf0446da3d676f6c68188e87394ad53660de4daf8cacd5adc",
        ["tb_crc.txt"] = "e373656376dc666fc04f9fa28d092a54d329c60cb73028f798f2d8a3e1180e16",
    };

    [Fact]
    public async Task DumpOfAFixedConfigurationMatchesItsGoldenFiles()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"nr-golden-{Guid.NewGuid():N}");
        var payload = Path.Combine(Path.GetTempPath(), $"nr-golden-payload-{Guid.NewGuid():N}.txt");
        try
        {
            await File.WriteAllTextAsync(payload, string.Concat(Enumerable.Range(0, 100).Select(i => i * 7 % 5 < 2 ? '1' : '0')));
            var (exitCode, _, error) = await Run("nr", "dump", "--tbs", "100", "--modulation", "16qam", "--rate", "0.5",
                "--rv", "0,1,2,3", "--payload", payload, "--out", folder);
            Assert.True(exitCode == 0, error);
            var written = Directory.GetFiles(folder).Select(Path.GetFileName).Where(name => name != "config.json").Order().ToArray();
            Assert.Equal(GoldenDump.Keys.Order().ToArray(), written);
            foreach (var (name, hash) in GoldenDump)
                Assert.True(hash == Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(folder, name)))), name);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            File.Delete(payload);
        }
    }
}
