using System.Buffers.Binary;
using System.Text;
using Receiver.Transport.Zmq;

namespace Receiver.Transport.Tests;

public sealed class ZmqSocketTests : IDisposable
{
    private const int ReceiveTimeoutMs = 5000;
    private readonly ZmqContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void PushPull_over_tcp_with_wildcard_port_delivers_messages_in_order()
    {
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind("tcp://127.0.0.1:0");
        string endpoint = pull.LastEndpoint;
        Assert.StartsWith("tcp://127.0.0.1:", endpoint);
        Assert.NotEqual("tcp://127.0.0.1:0", endpoint);

        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Connect(endpoint);
        for (int i = 0; i < 3; i++) Assert.True(push.TrySend(Encoding.ASCII.GetBytes($"message {i}"), timeoutMs: ReceiveTimeoutMs));

        using var message = new ZmqMessage();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(pull.TryReceive(message, ReceiveTimeoutMs));
            Assert.Equal($"message {i}", Encoding.ASCII.GetString(message.Data));
            Assert.Equal(message.Data.Length, message.Size);
            Assert.False(pull.ReceiveMore);
        }
    }

    [Fact]
    public void PubSub_over_tcp_delivers_only_subscribed_prefixes()
    {
        using var pub = _context.CreateSocket(ZmqSocketType.Pub);
        pub.Bind("tcp://127.0.0.1:0");
        using var sub = _context.CreateSocket(ZmqSocketType.Sub);
        sub.Subscribe("keep");
        sub.Connect(pub.LastEndpoint);
        using var message = new ZmqMessage();

        ZmqTestHelpers.WaitForSubscription(pub, sub, message, "keep:sync"u8);

        Assert.True(pub.TrySend("drop:1"u8));
        Assert.True(pub.TrySend("keep:2"u8));
        Assert.True(sub.TryReceive(message, ReceiveTimeoutMs));
        Assert.Equal("keep:2", Encoding.ASCII.GetString(message.Data));
    }

    [Fact]
    public void Inproc_push_pull_works_within_one_context()
    {
        string endpoint = $"inproc://zmq-test-{Guid.NewGuid():N}";
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind(endpoint);
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Connect(endpoint);

        byte[] payload = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        Assert.True(push.TrySend(payload, timeoutMs: ReceiveTimeoutMs));
        using var message = new ZmqMessage();
        Assert.True(pull.TryReceive(message, ReceiveTimeoutMs));
        Assert.True(message.Data.SequenceEqual(payload));
    }

    [Fact]
    public void Multipart_key_and_payload_arrive_with_ReceiveMore()
    {
        using var pub = _context.CreateSocket(ZmqSocketType.Pub);
        pub.Bind("tcp://127.0.0.1:0");
        using var sub = _context.CreateSocket(ZmqSocketType.Sub);
        sub.Subscribe("nr:8448,26112"u8);
        sub.Connect(pub.LastEndpoint);
        using var message = new ZmqMessage();

        // Subscriptions filter on the first part, i.e. the key.
        ZmqTestHelpers.WaitForSubscription(pub, sub, message, "nr:8448,26112"u8, multipart: true);

        Assert.True(pub.TrySend("nr:8448,26112"u8, more: true));
        Assert.True(pub.TrySend([1, 2, 3, 4]));
        Assert.True(sub.TryReceive(message, ReceiveTimeoutMs));
        Assert.Equal("nr:8448,26112", Encoding.ASCII.GetString(message.Data));
        Assert.True(sub.ReceiveMore);
        Assert.True(message.More);
        Assert.True(sub.TryReceive(message, ReceiveTimeoutMs));
        Assert.Equal([1, 2, 3, 4], message.Data.ToArray());
        Assert.False(sub.ReceiveMore);
    }

    [Fact]
    public void Prepared_message_is_sent_without_copy_and_left_empty()
    {
        string endpoint = $"inproc://zmq-prepare-{Guid.NewGuid():N}";
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind(endpoint);
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Connect(endpoint);

        using var outgoing = new ZmqMessage();
        for (int round = 0; round < 3; round++)
        {
            Span<byte> buffer = outgoing.Prepare(1000 + round);
            for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(i + round);
            Assert.True(push.TrySend(outgoing, timeoutMs: ReceiveTimeoutMs));
            Assert.Equal(0, outgoing.Size);
        }

        using var incoming = new ZmqMessage();
        for (int round = 0; round < 3; round++)
        {
            Assert.True(pull.TryReceive(incoming, ReceiveTimeoutMs));
            Assert.Equal(1000 + round, incoming.Size);
            for (int i = 0; i < incoming.Size; i++) Assert.Equal((byte)(i + round), incoming.Data[i]);
        }
    }

    [Fact]
    public void Receive_returns_false_when_nothing_arrives_in_time()
    {
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind("tcp://127.0.0.1:0");
        using var message = new ZmqMessage();
        Assert.False(pull.TryReceive(message, 20));
        Assert.False(pull.TryReceive(message, 0));
        Assert.Equal(0, message.Size);
    }

    [Fact]
    public void Cancellable_receive_and_send_return_false_once_cancelled()
    {
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind("tcp://127.0.0.1:0");
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Bind("tcp://127.0.0.1:0");
        using var message = new ZmqMessage();
        using var cancellation = new CancellationTokenSource();
        cancellation.CancelAfter(100);
        Assert.False(pull.TryReceive(message, cancellation.Token));
        Assert.False(push.TrySend("nobody"u8, more: false, cancellation.Token));
        message.Prepare(8);
        Assert.False(push.TrySend(message, more: false, cancellation.Token));
        Assert.Equal(8, message.Size);
    }

    [Fact]
    public void Cancellable_receive_returns_a_message_that_arrives()
    {
        string endpoint = $"inproc://zmq-cancel-{Guid.NewGuid():N}";
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind(endpoint);
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Connect(endpoint);
        Assert.True(push.TrySend("here"u8, more: false, CancellationToken.None));
        using var message = new ZmqMessage();
        Assert.True(pull.TryReceive(message, CancellationToken.None));
        Assert.Equal("here", Encoding.ASCII.GetString(message.Data));
    }

    [Fact]
    public void Send_returns_false_when_push_has_no_peer()
    {
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Bind("tcp://127.0.0.1:0");
        Assert.False(push.TrySend("nobody"u8, timeoutMs: 0));
        Assert.False(push.TrySend("nobody"u8, timeoutMs: 10));
    }

    [Fact]
    public void Open_binds_with_at_and_connects_with_greater_than()
    {
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Open("@tcp://127.0.0.1:0", defaultBind: false);
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Open(">" + pull.LastEndpoint, defaultBind: true);
        Assert.True(push.TrySend("prefixed"u8, timeoutMs: ReceiveTimeoutMs));
        using var message = new ZmqMessage();
        Assert.True(pull.TryReceive(message, ReceiveTimeoutMs));
        Assert.Equal("prefixed", Encoding.ASCII.GetString(message.Data));
    }

    [Fact]
    public void Open_takes_a_comma_separated_list_and_the_default_direction()
    {
        string first = $"inproc://zmq-open-{Guid.NewGuid():N}";
        string second = $"inproc://zmq-open-{Guid.NewGuid():N}";
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Open($"{first}, @{second}", defaultBind: true);
        using var pushFirst = _context.CreateSocket(ZmqSocketType.Push);
        pushFirst.Open(first, defaultBind: false);
        using var pushSecond = _context.CreateSocket(ZmqSocketType.Push);
        pushSecond.Open($">{second}", defaultBind: true);

        Assert.True(pushFirst.TrySend("one"u8, timeoutMs: ReceiveTimeoutMs));
        Assert.True(pushSecond.TrySend("two"u8, timeoutMs: ReceiveTimeoutMs));
        using var message = new ZmqMessage();
        var received = new HashSet<string>();
        for (int i = 0; i < 2; i++)
        {
            Assert.True(pull.TryReceive(message, ReceiveTimeoutMs));
            received.Add(Encoding.ASCII.GetString(message.Data));
        }
        Assert.Equal(["one", "two"], received.Order());
    }

    [Theory]
    [InlineData("tcp://not an address")]
    [InlineData("nosuchtransport://127.0.0.1:5555")]
    public void Bad_endpoint_throws_ZmqException_naming_call_and_endpoint(string endpoint)
    {
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        var error = Assert.Throws<ZmqException>(() => pull.Bind(endpoint));
        Assert.Contains("zmq_bind", error.Message);
        Assert.Contains(endpoint, error.Message);
        Assert.NotEqual(0, error.ErrorNumber);
        Assert.Equal(endpoint, error.Endpoint);
    }

    [Fact]
    public void Binding_a_port_in_use_throws()
    {
        using var first = _context.CreateSocket(ZmqSocketType.Pull);
        first.Bind("tcp://127.0.0.1:0");
        using var second = _context.CreateSocket(ZmqSocketType.Pull);
        var error = Assert.Throws<ZmqException>(() => second.Bind(first.LastEndpoint));
        Assert.Contains("in use", error.Message);
    }

    [Fact]
    public void Options_round_trip_and_linger_defaults_to_zero()
    {
        using var socket = _context.CreateSocket(ZmqSocketType.Pull);
        Assert.Equal(0, socket.LingerMs);
        Assert.Equal(ZmqSocketType.Pull, socket.Type);
        socket.SendHighWaterMark = 12;
        socket.ReceiveHighWaterMark = 34;
        socket.LingerMs = 250;
        socket.ReceiveBufferBytes = 1 << 20;
        socket.SendBufferBytes = 1 << 19;
        socket.MaxMessageSize = 1 << 24;
        socket.Immediate = true;
        Assert.Equal(12, socket.SendHighWaterMark);
        Assert.Equal(34, socket.ReceiveHighWaterMark);
        Assert.Equal(250, socket.LingerMs);
        Assert.Equal(1 << 20, socket.ReceiveBufferBytes);
        Assert.Equal(1 << 19, socket.SendBufferBytes);
        Assert.Equal(1 << 24, socket.MaxMessageSize);
        Assert.True(socket.Immediate);
    }

    [Fact]
    public void Poll_reports_which_socket_is_readable()
    {
        string endpoint = $"inproc://zmq-poll-{Guid.NewGuid():N}";
        using var idle = _context.CreateSocket(ZmqSocketType.Pull);
        idle.Bind("tcp://127.0.0.1:0");
        using var busy = _context.CreateSocket(ZmqSocketType.Pull);
        busy.Bind(endpoint);
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.Connect(endpoint);

        ZmqSocket[] sockets = [idle, busy];
        Span<bool> readable = stackalloc bool[2];
        Assert.Equal(0, ZmqPoller.Poll(sockets, readable, 0));
        Assert.True(push.TrySend("x"u8, timeoutMs: ReceiveTimeoutMs));
        Assert.Equal(1, ZmqPoller.Poll(sockets, readable, ReceiveTimeoutMs));
        Assert.False(readable[0]);
        Assert.True(readable[1]);
    }

    [Fact]
    public void Disposing_the_context_ends_a_blocked_receive_with_ObjectDisposedException()
    {
        var context = new ZmqContext();
        var pull = context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind("tcp://127.0.0.1:0");
        using var started = new ManualResetEventSlim();
        Exception? thrown = null;
        var receiver = new Thread(() =>
        {
            using var message = new ZmqMessage();
            started.Set();
            try { pull.TryReceive(message, -1); }
            catch (Exception e) { thrown = e; }
            finally { pull.Dispose(); }
        });
        receiver.Start();
        started.Wait();
        Thread.Sleep(50); // let the receive block
        context.Dispose();
        Assert.True(receiver.Join(TimeSpan.FromSeconds(10)));
        Assert.IsType<ObjectDisposedException>(thrown);
        Assert.Throws<ObjectDisposedException>(() => context.CreateSocket(ZmqSocketType.Pull));
    }

    [Fact]
    public void Disposed_socket_and_message_throw_ObjectDisposedException()
    {
        var socket = _context.CreateSocket(ZmqSocketType.Pull);
        var message = new ZmqMessage();
        socket.Dispose();
        Assert.Throws<ObjectDisposedException>(() => socket.TryReceive(message, 0));
        message.Dispose();
        Assert.Throws<ObjectDisposedException>(() => message.Data.Length);
    }

    [Fact]
    public void Ten_thousand_messages_arrive_in_order_without_allocating_on_the_receive_path()
    {
        const int count = 10_000;
        const int warmup = 200;
        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.Bind("tcp://127.0.0.1:0");
        string endpoint = pull.LastEndpoint;
        var sender = new Thread(() =>
        {
            using var push = _context.CreateSocket(ZmqSocketType.Push);
            push.LingerMs = 5000;
            push.Connect(endpoint);
            Span<byte> payload = stackalloc byte[256];
            for (int i = 0; i < warmup + count; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(payload, i);
                push.TrySend(payload);
            }
        });
        sender.Start();

        using var message = new ZmqMessage();
        for (int i = 0; i < warmup; i++) Assert.True(pull.TryReceive(message, ReceiveTimeoutMs));

        int outOfOrder = 0, missing = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = warmup; i < warmup + count; i++)
        {
            if (!pull.TryReceive(message, ReceiveTimeoutMs)) { missing++; break; }
            if (message.Size != 256 || BinaryPrimitives.ReadInt32LittleEndian(message.Data) != i) outOfOrder++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        sender.Join();

        Assert.Equal(0, missing);
        Assert.Equal(0, outOfOrder);
        Assert.True(allocated < 1024, $"receiving {count} messages allocated {allocated} bytes");
    }
}
