using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Receiver.Transport.Zmq;

namespace Receiver.Transport.Tests;

/// <summary>A fact that runs only when /usr/bin/python3 can import zmq (Debian's python3-zmq).</summary>
public sealed class PythonZmqFactAttribute : FactAttribute
{
    public PythonZmqFactAttribute()
    {
        if (!PythonZmq.Available) Skip = "/usr/bin/python3 cannot import zmq: apt-get install python3-zmq";
    }
}

internal static class PythonZmq
{
    public const string Interpreter = "/usr/bin/python3";

    public static readonly bool Available = File.Exists(Interpreter) && Run("import zmq", [], 30_000).ExitCode == 0;

    public static (int ExitCode, string Output, string Error) Run(string script, string[] arguments, int timeoutMs)
    {
        using var process = Start(script, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill();
            return (-1, output.Result, "timed out: " + error.Result);
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    public static Process Start(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }
}

public sealed class ZmqPythonInteropTests : IDisposable
{
    private const int Count = 200;
    private readonly ZmqContext _context = new();

    public void Dispose() => _context.Dispose();

    /// <summary>Message i: a little-endian u32 i, then i % 97 bytes of (i + j) & 0xFF.</summary>
    private static byte[] Expected(int i)
    {
        var message = new byte[4 + i % 97];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)i);
        for (int j = 4; j < message.Length; j++) message[j] = (byte)(i + j);
        return message;
    }

    private const string PythonMessage = """
        import struct
        def message(i):
            return struct.pack('<I', i) + bytes((i + j) & 0xFF for j in range(4, 4 + i % 97))
        """;

    [PythonZmqFact]
    public void Python_push_to_csharp_pull()
    {
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind("tcp://127.0.0.1:0");
        const string script = PythonMessage + """

            import sys, zmq
            ctx = zmq.Context()
            s = ctx.socket(zmq.PUSH)
            s.connect(sys.argv[1])
            for i in range(int(sys.argv[2])):
                s.send(message(i))
            s.close(linger=10000)
            ctx.term()
            """;
        using var python = PythonZmq.Start(script, pull.LastEndpoint, Count.ToString());

        using var message = new ZmqMessage();
        for (int i = 0; i < Count; i++)
        {
            Assert.True(pull.TryReceive(message, 10_000), $"message {i} did not arrive: {(python.HasExited ? python.StandardError.ReadToEnd() : "")}");
            Assert.Equal(Expected(i), message.Data.ToArray());
        }
        Assert.True(python.WaitForExit(10_000));
        Assert.Equal(0, python.ExitCode);
    }

    [PythonZmqFact]
    public void Csharp_push_to_python_pull()
    {
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Bind("tcp://127.0.0.1:0");
        const string script = PythonMessage + """

            import sys, zmq, hashlib
            ctx = zmq.Context()
            s = ctx.socket(zmq.PULL)
            s.setsockopt(zmq.RCVTIMEO, 10000)
            s.connect(sys.argv[1])
            digest, wrong = hashlib.sha256(), 0
            for i in range(int(sys.argv[2])):
                m = s.recv()
                wrong += m != message(i)
                digest.update(m)
            print(wrong, digest.hexdigest())
            s.close(linger=0)
            ctx.term()
            """;
        using var python = PythonZmq.Start(script, push.LastEndpoint, Count.ToString());

        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < Count; i++)
        {
            var message = Expected(i);
            Assert.True(push.TrySend(message, timeoutMs: 10_000), $"python did not take message {i}");
            digest.AppendData(message);
        }
        Assert.True(python.WaitForExit(20_000));
        string output = python.StandardOutput.ReadToEnd().Trim();
        Assert.True(python.ExitCode == 0, python.StandardError.ReadToEnd());
        Assert.Equal($"0 {Convert.ToHexStringLower(digest.GetHashAndReset())}", output);
    }

    [PythonZmqFact]
    public void Python_pub_multipart_to_csharp_sub()
    {
        using var sub = _context.CreateSocket(ZmqSocketType.Sub);
        sub.Subscribe("key");
        sub.Bind("tcp://127.0.0.1:0");
        // The publisher connects to us and repeats (PUB drops until the subscription arrives) until it is killed.
        const string script = """
            import sys, time, zmq
            ctx = zmq.Context()
            s = ctx.socket(zmq.PUB)
            s.connect(sys.argv[1])
            deadline = time.time() + 10
            while time.time() < deadline:
                s.send_multipart([b'other', b'x'])
                s.send_multipart([b'key', b'payload'])
                time.sleep(0.01)
            s.close(linger=0)
            """;
        using var python = PythonZmq.Start(script, sub.LastEndpoint);
        try
        {
            using var message = new ZmqMessage();
            Assert.True(sub.TryReceive(message, 10_000));
            Assert.Equal("key"u8.ToArray(), message.Data.ToArray());
            Assert.True(sub.ReceiveMore);
            Assert.True(sub.TryReceive(message, 1000));
            Assert.Equal("payload"u8.ToArray(), message.Data.ToArray());
            Assert.False(sub.ReceiveMore);
        }
        finally
        {
            python.Kill();
        }
    }
}
