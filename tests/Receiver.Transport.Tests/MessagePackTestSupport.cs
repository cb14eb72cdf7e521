using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Receiver.Transport.Tests;

/// <summary>The python3-msgpack runner and fixture helpers.</summary>
internal static class MessagePackTestSupport
{
    public static string FixtureDirectory([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Fixtures");

    /// <summary>Runs Fixtures/msgpack_interop.py; fails with the script's message (or a missing-module hint).</summary>
    public static byte[] RunPython(string mode, byte[]? stdin = null)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), $"{python} is missing: MessagePack interop tests need Debian's python3 with python3-msgpack (scripts/setup.sh)");
        var start = new ProcessStartInfo(python, [Path.Combine(FixtureDirectory(), "msgpack_interop.py"), mode])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdoutTask = Task.Run(() =>
        {
            using var buffer = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(buffer);
            return buffer.ToArray();
        });
        if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(60_000), $"msgpack_interop.py {mode} did not finish in 60 s");
        var stderr = stderrTask.Result;
        Assert.False(process.ExitCode == 3, $"python3-msgpack is missing: {stderr.Trim()}");
        Assert.True(process.ExitCode == 0, $"msgpack_interop.py {mode} failed (exit {process.ExitCode}): {stderr.Trim()}");
        return stdoutTask.Result;
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
