using System.Text.Json;
using NetMQ;
using NetMQ.Sockets;

namespace Receiver.Service.Tests;

/// <summary>
/// flowgraphs/bit_sink.py on its own, fed by a plain PUSH socket: it counts bit errors, frame
/// errors and misordered frames whatever the message sizes. Needs Debian's gnuradio: fails, never
/// skips, without it.
/// </summary>
[Collection(GnuRadio.Collection)]
public sealed class GnuRadioBitSinkTests
{
    [Fact]
    public async Task CountsFlippedBitsAndSwappedFramesAcrossUnalignedMessages()
    {
        await GnuRadio.RequireInstalledAsync();
        const int frameBits = 70;
        const int frames = 50;
        using var folder = new TemporaryFolder();
        var reference = new byte[frames * frameBits];
        var random = new Random(8);
        for (var i = 0; i < reference.Length; i++) reference[i] = (byte)random.Next(2);
        var referenceFile = folder.File("info.bin");
        await File.WriteAllBytesAsync(referenceFile, reference);

        var sent = (byte[])reference.Clone();
        reference.AsSpan(3 * frameBits, frameBits).CopyTo(sent.AsSpan(4 * frameBits));
        reference.AsSpan(4 * frameBits, frameBits).CopyTo(sent.AsSpan(3 * frameBits));
        sent[10 * frameBits + 5] ^= 1;
        sent[10 * frameBits + 6] ^= 1;
        sent[20 * frameBits] ^= 1;
        var swapErrors = 0;
        for (var i = 3 * frameBits; i < 5 * frameBits; i++) swapErrors += sent[i] != reference[i] ? 1 : 0;

        var endpoint = LoopbackPorts.FreeEndpoint();
        using var push = new PushSocket();
        push.Bind(endpoint);
        using var bitSink = ChildProcess.Start(GnuRadio.Python, [
            "-u", GnuRadio.Flowgraph("bit_sink.py"), "--endpoint", endpoint, "--reference-file", referenceFile, "--info-bits", "70",
        ], folder.Path);
        for (var start = 0; start < sent.Length; start += 333)
            Assert.True(push.TrySendFrame(TimeSpan.FromSeconds(30), sent[start..Math.Min(start + 333, sent.Length)]), "bit_sink.py did not connect");

        Assert.True(await bitSink.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, bitSink.Describe("bit_sink.py"));
        using var summary = JsonDocument.Parse(bitSink.Output.Trim().Split('\n')[^1]);
        var result = summary.RootElement;
        Assert.Equal(frames, result.GetProperty("frames").GetInt32());
        Assert.Equal(swapErrors + 3, result.GetProperty("bit_errors").GetInt64());
        Assert.Equal(4, result.GetProperty("frame_errors").GetInt64());
        Assert.Equal(2, result.GetProperty("misordered_frames").GetInt64());
    }
}
