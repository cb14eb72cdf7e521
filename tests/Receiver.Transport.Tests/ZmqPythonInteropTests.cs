using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using NetMQ;
using NetMQ.Sockets;
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

/// <summary>NetMQ against libzmq (Debian's python3-zmq): byte-exact both ways, multipart, endpoint prefixes.</summary>
public sealed class ZmqPythonInteropTests
{
    private const int Count = 200;

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
        using var pull = ZmqSockets.Create(ZmqSocketKind.Pull);
        var endpoint = ZmqSockets.Open(pull, "@tcp://127.0.0.1:0", defaultBind: false)[0];
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
        using var python = PythonZmq.Start(script, endpoint, Count.ToString());

        for (int i = 0; i < Count; i++)
        {
            Assert.True(pull.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var message), $"message {i} did not arrive: {(python.HasExited ? python.StandardError.ReadToEnd() : "")}");
            Assert.Equal(Expected(i), message);
        }
        Assert.True(python.WaitForExit(10_000));
        Assert.Equal(0, python.ExitCode);
    }

    [PythonZmqFact]
    public void Csharp_push_to_python_pull()
    {
        using var push = ZmqSockets.Create(ZmqSocketKind.Push);
        var endpoint = ZmqSockets.Open(push, "tcp://127.0.0.1:0", defaultBind: true)[0];
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
        using var python = PythonZmq.Start(script, endpoint, Count.ToString());

        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < Count; i++)
        {
            var message = Expected(i);
            Assert.True(ZmqSockets.TrySend(push, message, more: false, TimeSpan.FromSeconds(10)), $"python did not take message {i}");
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
        using var sub = ZmqSockets.Create(ZmqSocketKind.Sub, new ZmqSocketSettings { Subscribe = "key" });
        var endpoint = ZmqSockets.Open(sub, "@tcp://127.0.0.1:0", defaultBind: false)[0];
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
        using var python = PythonZmq.Start(script, endpoint);
        try
        {
            Assert.True(sub.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var key, out var more));
            Assert.Equal("key"u8.ToArray(), key);
            Assert.True(more);
            Assert.True(sub.TryReceiveFrameBytes(TimeSpan.FromSeconds(1), out var payload, out more));
            Assert.Equal("payload"u8.ToArray(), payload);
            Assert.False(more);
        }
        finally
        {
            python.Kill();
        }
    }
}

/// <summary>What the receiver relies on from NetMQ itself: endpoint prefixes, bound ports, MaxMsgSize disconnecting a peer.</summary>
public sealed class ZmqSocketsTests
{
    [Fact]
    public void Prefixes_choose_bind_or_connect_and_port_zero_reports_the_port_picked()
    {
        using var pull = ZmqSockets.Create(ZmqSocketKind.Pull);
        var bound = ZmqSockets.Open(pull, "@tcp://127.0.0.1:0", defaultBind: false);
        Assert.Matches(@"^tcp://127\.0\.0\.1:\d+$", bound[0]);
        Assert.DoesNotContain(":0", bound[0][^2..]);
        using var push = ZmqSockets.Create(ZmqSocketKind.Push);
        Assert.Equal([bound[0]], ZmqSockets.Open(push, bound[0], defaultBind: false));
        Assert.True(ZmqSockets.TrySend(push, "hello"u8, more: false, TimeSpan.FromSeconds(5)));
        Assert.True(pull.TryReceiveFrameBytes(TimeSpan.FromSeconds(5), out var message));
        Assert.Equal("hello"u8.ToArray(), message);
    }

    [Fact]
    public void Push_without_a_peer_times_out_instead_of_blocking()
    {
        using var push = ZmqSockets.Create(ZmqSocketKind.Push);
        ZmqSockets.Open(push, "@tcp://127.0.0.1:0", defaultBind: true);
        Assert.False(ZmqSockets.TrySend(push, "nobody"u8, more: false, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void A_message_over_max_message_bytes_disconnects_the_sender_and_is_never_delivered()
    {
        using var pull = ZmqSockets.Create(ZmqSocketKind.Pull, new ZmqSocketSettings { MaxMessageBytes = 1000 });
        var endpoint = ZmqSockets.Open(pull, "@tcp://127.0.0.1:0", defaultBind: false)[0];
        using (var big = ZmqSockets.Create(ZmqSocketKind.Push))
        {
            ZmqSockets.Open(big, endpoint, defaultBind: false);
            Assert.True(ZmqSockets.TrySend(big, new byte[5000], more: false, TimeSpan.FromSeconds(5)));
            Assert.False(pull.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(300), out _));
        }
        using var small = ZmqSockets.Create(ZmqSocketKind.Push);
        ZmqSockets.Open(small, endpoint, defaultBind: false);
        Assert.True(ZmqSockets.TrySend(small, new byte[1000], more: false, TimeSpan.FromSeconds(5)));
        Assert.True(pull.TryReceiveFrameBytes(TimeSpan.FromSeconds(5), out var message));
        Assert.Equal(1000, message.Length);
    }
}
