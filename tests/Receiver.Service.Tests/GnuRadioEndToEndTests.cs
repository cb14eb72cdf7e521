using System.Globalization;
using System.Text.Json;
using Receiver.Codes;

namespace Receiver.Service.Tests;

/// <summary>
/// Real GNU Radio flowgraphs through the receiver service: flowgraphs/ldpc_tx.py (BPSK over AWGN,
/// float LLRs in GNU Radio's sign, zeromq.push_sink vlen 1, message sizes chosen by GNU Radio's
/// scheduler) -> <c>receiver run</c> (gr-float ingest) -> flowgraphs/bit_sink.py (zeromq.pull_source,
/// counts bit errors against the transmitted info bits). Needs Debian's gnuradio: fails, never
/// skips, without it.
/// </summary>
[Collection(GnuRadio.Collection)]
public sealed class GnuRadioEndToEndTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    /// <param name="workers">Decoding workers of the service (0: one per core, the default).</param>
    [Theory]
    [InlineData("LDPC_N121_K70", 300, 8.0, 1)]
    [InlineData("LDPC_N121_K70", 300, 8.0, 0)]
    [InlineData("nr:224,256", 200, 8.0, 0)]
    public async Task TransmitterFlowgraphThroughTheReceiverDeliversTheTransmittedInfoBits(string codeSpec, int frames, double ebN0Db, int workers)
    {
        await GnuRadio.RequireInstalledAsync();
        using var folder = new TemporaryFolder();
        var infoFile = folder.File("info.bin");
        var codewordFile = folder.File("codewords.bin");
        var code = CodeLibrary.Load(codeSpec);

        using (var stdout = new StringWriter())
        using (var stderr = new StringWriter())
        {
            var encoded = await Cli.Cli.RunAsync(["codes", "encode", "--code", codeSpec, "--frames", frames.ToString(CultureInfo.InvariantCulture),
                "--seed", "11", "--info-out", infoFile, "--codeword-out", codewordFile], stdout, stderr);
            Assert.True(encoded == Cli.Cli.ExitSuccess, $"codes encode failed: {stderr}");
        }

        var ingest = LoopbackPorts.FreeEndpoint();
        var publish = LoopbackPorts.FreeEndpoint();
        var config = folder.File("gnuradio-test.json");
        await File.WriteAllTextAsync(config, ConfigJson(codeSpec, ingest, publish, workers));

        // No '@'/'>' prefixes on the command line: ingest connects and publish binds by default.
        using var receiver = ChildProcess.Start(DotnetHost(), [
            typeof(Cli.Cli).Assembly.Location, "run", "--config", config, "--code", codeSpec,
            "--ingest", ingest, "--ingest-format", "gr-float", "--llr-sign", "gnuradio",
            "--publish", publish, "--output", "unpacked-info",
        ], GnuRadio.RepositoryRoot);
        Assert.True(await receiver.WaitForLineAsync("ready", StartTimeout), "receiver run did not print 'ready'\n" + receiver.Describe("receiver"));

        using var bitSink = ChildProcess.Start(GnuRadio.Python, [
            "-u", GnuRadio.Flowgraph("bit_sink.py"), "--endpoint", publish, "--reference-file", infoFile,
            "--info-bits", code.K.ToString(CultureInfo.InvariantCulture),
        ], folder.Path);
        using var transmitter = ChildProcess.Start(GnuRadio.Python, [
            "-u", GnuRadio.Flowgraph("ldpc_tx.py"), "--codeword-file", codewordFile, "--endpoint", ingest,
            "--ebn0", ebN0Db.ToString("R", CultureInfo.InvariantCulture),
            "--rate", ((double)code.K / code.N).ToString("R", CultureInfo.InvariantCulture), "--noise-seed", "5",
        ], folder.Path);

        var transmitterExit = await transmitter.WaitForExitAsync(RunTimeout);
        var bitSinkExit = await bitSink.WaitForExitAsync(RunTimeout);
        var diagnostics = string.Join("\n", transmitter.Describe("ldpc_tx.py"), bitSink.Describe("bit_sink.py"), receiver.Describe("receiver"));
        Assert.True(transmitterExit == 0, $"ldpc_tx.py exit {transmitterExit?.ToString() ?? "timeout"}\n{diagnostics}");
        Assert.True(bitSinkExit == 0, $"bit_sink.py exit {bitSinkExit?.ToString() ?? "timeout"} (not all frames came back)\n{diagnostics}");

        using var summary = JsonDocument.Parse(bitSink.Output.Trim().Split('\n')[^1]);
        var result = summary.RootElement;
        Assert.True(frames == result.GetProperty("frames").GetInt32(), $"frames compared\n{diagnostics}");
        var misordered = result.GetProperty("misordered_frames").GetInt64();
        Assert.True(misordered == 0, $"{misordered} frames were decoded right but published out of ingest order " +
            $"(a GNU Radio stream has no sequence numbers: order is the contract)\n{diagnostics}");
        Assert.True(0 == result.GetProperty("bit_errors").GetInt64(), $"bit errors at {ebN0Db} dB\n{diagnostics}");
        Assert.Equal(0, result.GetProperty("frame_errors").GetInt64());

        receiver.Terminate();
        Assert.True(await receiver.WaitForExitAsync(StartTimeout) is not null, "receiver did not stop on SIGTERM\n" + receiver.Describe("receiver"));
    }

    /// <summary>A complete configuration; the command-line overrides repeat the parts scripts set.</summary>
    private static string ConfigJson(string codeSpec, string ingest, string publish, int workers) => JsonSerializer.Serialize(new
    {
        Receiver = new
        {
            Codes = new[] { new { Spec = codeSpec, Chain = new { SyndromeCheck = true, Decoder = "layered-nms", Iterations = 20 } } },
            Ingest = new[] { new { Endpoints = new[] { ">" + ingest }, Socket = "pull", Format = "gr-float", Code = codeSpec, LlrSign = "gnuradio" } },
            Batching = new { Workers = workers },
            Publish = new { Endpoint = "@" + publish, Socket = "push", Output = "unpacked-info" },
            Metrics = new { ConsoleIntervalSeconds = 0 },
        },
    });

    /// <summary>The dotnet host running these tests (so the receiver runs on the same runtime).</summary>
    private static string DotnetHost()
        => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
