using Receiver.Codes;

namespace Receiver.Service.Tests;

/// <summary><c>receiver codes encode</c>: the reference files the GNU Radio flowgraphs send and compare against.</summary>
public sealed class GnuRadioEncodeTests
{
    private static async Task<(int ExitCode, string Out, string Error)> Encode(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Cli.Cli.RunAsync(["codes", "encode", .. args], stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task WritesFramesOfInfoBitsAndTheirCodewords()
    {
        using var folder = new TemporaryFolder();
        var (exitCode, stdout, stderr) = await Encode("--code", "LDPC_N121_K70", "--frames", "20", "--seed", "4",
            "--info-out", folder.File("info.bin"), "--codeword-out", folder.File("codewords.bin"));

        Assert.True(exitCode == Cli.Cli.ExitSuccess, stderr);
        Assert.Contains("\"n\":121", stdout);
        var code = CodeLibrary.Load("LDPC_N121_K70");
        var info = await File.ReadAllBytesAsync(folder.File("info.bin"));
        var codewords = await File.ReadAllBytesAsync(folder.File("codewords.bin"));
        Assert.Equal(20 * code.K, info.Length);
        Assert.Equal(20 * code.N, codewords.Length);
        Assert.All(info, bit => Assert.InRange(bit, (byte)0, (byte)1));
        Assert.InRange(info.Count(bit => bit == 1), info.Length / 3, 2 * info.Length / 3);

        var expected = new byte[code.N];
        for (var frame = 0; frame < 20; frame++)
        {
            var codeword = codewords.AsSpan(frame * code.N, code.N);
            Assert.True(code.H.IsCodeword(codeword), $"frame {frame} is not a codeword");
            code.Encode(info.AsSpan(frame * code.K, code.K), expected);
            Assert.True(codeword.SequenceEqual(expected), $"frame {frame} is not the encoding of its info bits");
        }
    }

    [Fact]
    public async Task SameSeedWritesTheSameBitsAndAnotherSeedOthers()
    {
        using var folder = new TemporaryFolder();
        foreach (var (name, seed) in new[] { ("a", "9"), ("b", "9"), ("c", "10") })
            Assert.Equal(Cli.Cli.ExitSuccess, (await Encode("--code", "nr:224,256", "--frames", "3", "--seed", seed,
                "--info-out", folder.File(name + ".info"), "--codeword-out", folder.File(name + ".cw"))).ExitCode);

        Assert.Equal(await File.ReadAllBytesAsync(folder.File("a.cw")), await File.ReadAllBytesAsync(folder.File("b.cw")));
        Assert.NotEqual(await File.ReadAllBytesAsync(folder.File("a.info")), await File.ReadAllBytesAsync(folder.File("c.info")));
        Assert.Equal(3 * 256, new FileInfo(folder.File("a.cw")).Length);
    }

    [Theory]
    [InlineData("--code", "LDPC_N121_K70", "--frames", "0")]
    [InlineData("--code", "no_such_code", "--frames", "2")]
    public async Task BadInputIsAUsageError(params string[] args)
    {
        using var folder = new TemporaryFolder();
        var (exitCode, stdout, stderr) = await Encode([.. args, "--info-out", folder.File("i"), "--codeword-out", folder.File("c")]);
        Assert.Equal(Cli.Cli.ExitUsage, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
    }
}
