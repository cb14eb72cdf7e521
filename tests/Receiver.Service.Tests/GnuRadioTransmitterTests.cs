using System.Globalization;
using System.Runtime.InteropServices;
using Receiver.Codes;
using NetMQ;
using NetMQ.Sockets;

namespace Receiver.Service.Tests;

/// <summary>
/// flowgraphs/ldpc_tx.py on its own, read by a plain PULL socket: pins what the receiver is fed
/// (every item arrives, message sizes unrelated to codewords, GNU Radio's sign and the 2/sigma^2
/// scale at the stated Eb/N0). Needs Debian's gnuradio: fails, never skips, without it.
/// </summary>
[Collection(GnuRadio.Collection)]
public sealed class GnuRadioTransmitterTests
{
    [Fact]
    public async Task SendsEveryCodewordBitAsAnLlrPositiveForOneAtTheStatedNoiseLevel()
    {
        await GnuRadio.RequireInstalledAsync();
        const int frames = 300;
        const double ebN0Db = 4.0;
        using var folder = new TemporaryFolder();
        var codewordFile = folder.File("codewords.bin");
        var code = CodeLibrary.Load("LDPC_N121_K70");
        using (var output = new StringWriter())
            Assert.Equal(Cli.Cli.ExitSuccess, await Cli.Cli.RunAsync(["codes", "encode", "--code", "LDPC_N121_K70",
                "--frames", frames.ToString(CultureInfo.InvariantCulture), "--seed", "3",
                "--info-out", folder.File("info.bin"), "--codeword-out", codewordFile], output, output));
        var bits = await File.ReadAllBytesAsync(codewordFile);

        var endpoint = LoopbackPorts.FreeEndpoint();
        using var pull = new PullSocket();
        pull.Connect(endpoint);
        var rate = (double)code.K / code.N;
        using var transmitter = ChildProcess.Start(GnuRadio.Python, [
            "-u", GnuRadio.Flowgraph("ldpc_tx.py"), "--codeword-file", codewordFile, "--endpoint", endpoint,
            "--ebn0", ebN0Db.ToString("R", CultureInfo.InvariantCulture), "--rate", rate.ToString("R", CultureInfo.InvariantCulture),
        ], folder.Path);

        var llrs = new List<float>(bits.Length);
        var messageSizes = new List<int>();
        while (llrs.Count < bits.Length && pull.TryReceiveFrameBytes(TimeSpan.FromSeconds(30), out var message))
        {
            var items = MemoryMarshal.Cast<byte, float>(message);
            messageSizes.Add(items.Length);
            foreach (var item in items) llrs.Add(item);
        }
        Assert.True(await transmitter.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, transmitter.Describe("ldpc_tx.py"));

        Assert.Equal(bits.Length, llrs.Count);
        Assert.Contains(messageSizes, size => size % code.N != 0);

        // y = s + n with s = +1 for bit 1, L = 2y/sigma^2: E[L s] = 2/sigma^2 and P(sign(L) != s) = Q(1/sigma).
        var sigma = Math.Sqrt(1.0 / (2.0 * rate * Math.Pow(10.0, ebN0Db / 10.0)));
        var scale = 2.0 / (sigma * sigma);
        double signedSum = 0;
        var hardErrors = 0;
        for (var i = 0; i < bits.Length; i++)
        {
            var symbol = bits[i] == 1 ? 1.0 : -1.0;
            signedSum += llrs[i] * symbol;
            if (llrs[i] > 0 != (bits[i] == 1)) hardErrors++;
        }
        var meanSigned = signedSum / bits.Length;
        var standardError = scale * sigma / Math.Sqrt(bits.Length);
        Assert.InRange(meanSigned, scale - 5 * standardError, scale + 5 * standardError);

        var errorProbability = 0.5 * Erfc(1.0 / (sigma * Math.Sqrt(2.0)));
        var expectedErrors = errorProbability * bits.Length;
        var tolerance = 5 * Math.Sqrt(expectedErrors * (1 - errorProbability));
        Assert.InRange(hardErrors, expectedErrors - tolerance, expectedErrors + tolerance);
    }

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
