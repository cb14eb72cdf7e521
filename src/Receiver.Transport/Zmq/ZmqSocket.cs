using System.Diagnostics;
using System.Text;

namespace Receiver.Transport.Zmq;

/// <summary>
/// A libzmq socket created by <see cref="ZmqContext.CreateSocket"/>.
/// </summary>
/// <remarks>
/// <para>Thread-safety: as in libzmq, a socket belongs to one thread at a time. Create, use and dispose it on
/// one thread, or hand it over to another thread with a memory barrier (starting a thread, a lock, a
/// channel). Only <see cref="Dispose"/> may race with a call in progress: the close waits for that call.</para>
/// <para>Options that shape connections (high-water marks, buffers, CURVE keys, subscriptions on SUB for
/// fresh connections) take effect for binds and connects made after they are set.</para>
/// <para>Timeouts: <see cref="TryReceive"/> and <see cref="TrySend"/> take a timeout in milliseconds
/// (0 = do not wait, -1 = wait forever), so a loop with a short timeout can check a CancellationToken.
/// Interrupted calls (EINTR) are retried with the time left. When the context has been disposed the calls
/// throw <see cref="ObjectDisposedException"/> (libzmq's ETERM), which a worker loop treats as a clean exit.</para>
/// </remarks>
public sealed unsafe class ZmqSocket : IDisposable
{
    private const int EndpointBufferBytes = 1024;
    private const int CurveKeyBytes = 32;
    private const int CurveKeyZ85Chars = 40;

    /// <summary>How long the cancellable overloads wait per native call before they look at the token again.</summary>
    public const int CancellationSliceMs = 50;

    private readonly ZmqSocketHandle _handle;
    private int _receiveTimeoutMs = -1; // libzmq defaults for ZMQ_RCVTIMEO / ZMQ_SNDTIMEO
    private int _sendTimeoutMs = -1;

    internal ZmqSocket(ZmqSocketHandle handle, ZmqSocketType type)
    {
        _handle = handle;
        Type = type;
        LingerMs = 0;
    }

    internal ZmqSocketHandle Handle => _handle;

    /// <summary>The socket type it was created with.</summary>
    public ZmqSocketType Type { get; }

    /// <summary>Whether the message part received last has more parts after it (ZMQ_RCVMORE).</summary>
    public bool ReceiveMore { get; private set; }

    /// <summary>Binds to <paramref name="endpoint"/>, e.g. <c>tcp://127.0.0.1:0</c>, <c>ipc:///tmp/x</c>, <c>inproc://name</c>.</summary>
    /// <exception cref="ZmqException">The endpoint is malformed, in use, or its transport is unknown.</exception>
    public void Bind(string endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        if (ZmqNative.zmq_bind(_handle, endpoint) != 0) throw ZmqException.FromLastError("zmq_bind", endpoint);
    }

    /// <summary>Connects to <paramref name="endpoint"/>; libzmq connects (and reconnects) in the background.</summary>
    /// <exception cref="ZmqException">The endpoint is malformed or its transport is unknown.</exception>
    public void Connect(string endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        if (ZmqNative.zmq_connect(_handle, endpoint) != 0) throw ZmqException.FromLastError("zmq_connect", endpoint);
    }

    /// <summary>Stops listening on an endpoint bound before (use <see cref="LastEndpoint"/> for a wildcard port).</summary>
    public void Unbind(string endpoint)
    {
        if (ZmqNative.zmq_unbind(_handle, endpoint) != 0) throw ZmqException.FromLastError("zmq_unbind", endpoint);
    }

    /// <summary>Drops a connection made before with <see cref="Connect"/>.</summary>
    public void Disconnect(string endpoint)
    {
        if (ZmqNative.zmq_disconnect(_handle, endpoint) != 0) throw ZmqException.FromLastError("zmq_disconnect", endpoint);
    }

    /// <summary>
    /// Binds or connects a comma-separated list of endpoints with the CZMQ/NetMQ prefixes:
    /// <c>@tcp://*:5555</c> binds, <c>&gt;tcp://host:5555</c> connects, and an endpoint without a prefix binds
    /// when <paramref name="defaultBind"/> is true and connects otherwise.
    /// </summary>
    public void Open(string endpoints, bool defaultBind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoints);
        foreach (var entry in endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool bind = entry[0] switch { '@' => true, '>' => false, _ => defaultBind };
            var endpoint = entry[0] is '@' or '>' ? entry[1..].Trim() : entry;
            if (bind) Bind(endpoint);
            else Connect(endpoint);
        }
    }

    /// <summary>The endpoint bound or connected last (ZMQ_LAST_ENDPOINT), with the real port after binding port 0.</summary>
    public string LastEndpoint
    {
        get
        {
            byte* buffer = stackalloc byte[EndpointBufferBytes];
            nuint length = EndpointBufferBytes;
            if (ZmqNative.zmq_getsockopt(_handle, ZmqNative.ZMQ_LAST_ENDPOINT, buffer, &length) != 0)
                throw ZmqException.FromLastError("zmq_getsockopt(ZMQ_LAST_ENDPOINT)");
            var text = new ReadOnlySpan<byte>(buffer, (int)length);
            int terminator = text.IndexOf((byte)0);
            return Encoding.UTF8.GetString(terminator >= 0 ? text[..terminator] : text);
        }
    }

    /// <summary>Most messages queued for sending per peer (ZMQ_SNDHWM, default 1000; 0 = no limit).</summary>
    public int SendHighWaterMark
    {
        get => GetInt32(ZmqNative.ZMQ_SNDHWM, nameof(ZmqNative.ZMQ_SNDHWM));
        set => SetInt32(ZmqNative.ZMQ_SNDHWM, value, nameof(ZmqNative.ZMQ_SNDHWM));
    }

    /// <summary>Most messages queued on receipt per peer (ZMQ_RCVHWM, default 1000; 0 = no limit).</summary>
    public int ReceiveHighWaterMark
    {
        get => GetInt32(ZmqNative.ZMQ_RCVHWM, nameof(ZmqNative.ZMQ_RCVHWM));
        set => SetInt32(ZmqNative.ZMQ_RCVHWM, value, nameof(ZmqNative.ZMQ_RCVHWM));
    }

    /// <summary>How long unsent messages are kept after close (ZMQ_LINGER); 0 here by default so shutdown never waits, -1 forever.</summary>
    public int LingerMs
    {
        get => GetInt32(ZmqNative.ZMQ_LINGER, nameof(ZmqNative.ZMQ_LINGER));
        set => SetInt32(ZmqNative.ZMQ_LINGER, value, nameof(ZmqNative.ZMQ_LINGER));
    }

    /// <summary>Kernel receive buffer size in bytes (ZMQ_RCVBUF; -1 = OS default).</summary>
    public int ReceiveBufferBytes
    {
        get => GetInt32(ZmqNative.ZMQ_RCVBUF, nameof(ZmqNative.ZMQ_RCVBUF));
        set => SetInt32(ZmqNative.ZMQ_RCVBUF, value, nameof(ZmqNative.ZMQ_RCVBUF));
    }

    /// <summary>Kernel send buffer size in bytes (ZMQ_SNDBUF; -1 = OS default).</summary>
    public int SendBufferBytes
    {
        get => GetInt32(ZmqNative.ZMQ_SNDBUF, nameof(ZmqNative.ZMQ_SNDBUF));
        set => SetInt32(ZmqNative.ZMQ_SNDBUF, value, nameof(ZmqNative.ZMQ_SNDBUF));
    }

    /// <summary>Largest inbound message accepted; a peer sending a larger one is disconnected (ZMQ_MAXMSGSIZE; -1 = no limit).</summary>
    public long MaxMessageSize
    {
        get => GetInt64(ZmqNative.ZMQ_MAXMSGSIZE, nameof(ZmqNative.ZMQ_MAXMSGSIZE));
        set => SetInt64(ZmqNative.ZMQ_MAXMSGSIZE, value, nameof(ZmqNative.ZMQ_MAXMSGSIZE));
    }

    /// <summary>Queue messages only to completed connections (ZMQ_IMMEDIATE).</summary>
    public bool Immediate
    {
        get => GetInt32(ZmqNative.ZMQ_IMMEDIATE, nameof(ZmqNative.ZMQ_IMMEDIATE)) != 0;
        set => SetInt32(ZmqNative.ZMQ_IMMEDIATE, value ? 1 : 0, nameof(ZmqNative.ZMQ_IMMEDIATE));
    }

    /// <summary>Keep only the newest message (ZMQ_CONFLATE; single-part messages only). Write-only in libzmq.</summary>
    public bool Conflate
    {
        set => SetInt32(ZmqNative.ZMQ_CONFLATE, value ? 1 : 0, nameof(ZmqNative.ZMQ_CONFLATE));
    }

    /// <summary>Delay before reconnecting a dropped connection (ZMQ_RECONNECT_IVL, default 100 ms).</summary>
    public int ReconnectIntervalMs
    {
        get => GetInt32(ZmqNative.ZMQ_RECONNECT_IVL, nameof(ZmqNative.ZMQ_RECONNECT_IVL));
        set => SetInt32(ZmqNative.ZMQ_RECONNECT_IVL, value, nameof(ZmqNative.ZMQ_RECONNECT_IVL));
    }

    /// <summary>SUB: receive messages that start with <paramref name="prefix"/> (empty = everything).</summary>
    public void Subscribe(ReadOnlySpan<byte> prefix) => SetBytes(ZmqNative.ZMQ_SUBSCRIBE, prefix, nameof(ZmqNative.ZMQ_SUBSCRIBE));

    /// <summary>SUB: receive messages that start with the UTF-8 bytes of <paramref name="prefix"/> ("" = everything).</summary>
    public void Subscribe(string prefix = "") => Subscribe(Encoding.UTF8.GetBytes(prefix));

    /// <summary>SUB: removes a subscription made with the same prefix.</summary>
    public void Unsubscribe(ReadOnlySpan<byte> prefix) => SetBytes(ZmqNative.ZMQ_UNSUBSCRIBE, prefix, nameof(ZmqNative.ZMQ_UNSUBSCRIBE));

    /// <summary>
    /// Receives the next message part into <paramref name="message"/> without copying it; the previous
    /// content of <paramref name="message"/> is released. Allocates nothing.
    /// </summary>
    /// <param name="message">A reusable message; its <see cref="ZmqMessage.Data"/> stays valid until the next receive into it.</param>
    /// <param name="timeoutMs">0 = do not wait, -1 = wait forever, otherwise milliseconds.</param>
    /// <returns>False when nothing arrived within <paramref name="timeoutMs"/>.</returns>
    /// <exception cref="ObjectDisposedException">The socket or its context was disposed.</exception>
    public bool TryReceive(ZmqMessage message, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);
        long start = Stopwatch.GetTimestamp();
        int waitMs = timeoutMs;
        while (true)
        {
            int flags = WaitFlags(ref _receiveTimeoutMs, ZmqNative.ZMQ_RCVTIMEO, waitMs);
            if (ZmqNative.zmq_msg_recv(message.Handle, _handle, flags) >= 0)
            {
                message.Refresh();
                ReceiveMore = message.More;
                return true;
            }
            int error = ZmqNative.LastError();
            if (error == ZmqNative.EAGAIN) return false;
            if (error != ZmqNative.EINTR) throw Failure(error, "zmq_msg_recv");
            if (!TimeLeft(start, timeoutMs, out waitMs)) return false;
        }
    }

    /// <summary>
    /// Waits for the next message part until one arrives or <paramref name="cancellationToken"/> is cancelled,
    /// looking at the token every <see cref="CancellationSliceMs"/> ms. Allocates nothing.
    /// </summary>
    /// <returns>True with a message; false once cancelled.</returns>
    public bool TryReceive(ZmqMessage message, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
            if (TryReceive(message, CancellationSliceMs)) return true;
        return false;
    }

    /// <summary>Sends one part like <see cref="TrySend(ReadOnlySpan{byte}, bool, int)"/>, waiting until it is queued or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>True once queued; false once cancelled.</returns>
    public bool TrySend(ReadOnlySpan<byte> data, bool more, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
            if (TrySend(data, more, CancellationSliceMs)) return true;
        return false;
    }

    /// <summary>Sends a prepared message like <see cref="TrySend(ZmqMessage, bool, int)"/>, waiting until it is queued or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>True once queued; false once cancelled (the message keeps its content).</returns>
    public bool TrySend(ZmqMessage message, bool more, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
            if (TrySend(message, more, CancellationSliceMs)) return true;
        return false;
    }

    /// <summary>Sends one message part, copying <paramref name="data"/>.</summary>
    /// <param name="more">More parts of the same message follow (ZMQ_SNDMORE), e.g. the key of a [key][payload] message.</param>
    /// <param name="timeoutMs">0 = do not wait, -1 = wait forever, otherwise milliseconds.</param>
    /// <returns>False when the message could not be queued in time (high-water mark reached or no peer for PUSH).
    /// PUB never waits: above the high-water mark libzmq drops the message and this returns true.</returns>
    /// <exception cref="ObjectDisposedException">The socket or its context was disposed.</exception>
    public bool TrySend(ReadOnlySpan<byte> data, bool more = false, int timeoutMs = -1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);
        long start = Stopwatch.GetTimestamp();
        int waitMs = timeoutMs;
        fixed (byte* bytes = data)
        {
            while (true)
            {
                int flags = WaitFlags(ref _sendTimeoutMs, ZmqNative.ZMQ_SNDTIMEO, waitMs) | (more ? ZmqNative.ZMQ_SNDMORE : 0);
                if (ZmqNative.zmq_send(_handle, bytes, (nuint)data.Length, flags) >= 0) return true;
                int error = ZmqNative.LastError();
                if (error == ZmqNative.EAGAIN) return false;
                if (error != ZmqNative.EINTR) throw Failure(error, "zmq_send");
                if (!TimeLeft(start, timeoutMs, out waitMs)) return false;
            }
        }
    }

    /// <summary>
    /// Sends the content of <paramref name="message"/> (filled through <see cref="ZmqMessage.Prepare"/>) without
    /// copying it: libzmq takes the buffer and <paramref name="message"/> is left empty. On false the content stays.
    /// </summary>
    /// <param name="more">More parts of the same message follow (ZMQ_SNDMORE).</param>
    /// <param name="timeoutMs">0 = do not wait, -1 = wait forever, otherwise milliseconds.</param>
    /// <exception cref="ObjectDisposedException">The socket or its context was disposed.</exception>
    public bool TrySend(ZmqMessage message, bool more = false, int timeoutMs = -1)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);
        long start = Stopwatch.GetTimestamp();
        int waitMs = timeoutMs;
        while (true)
        {
            int flags = WaitFlags(ref _sendTimeoutMs, ZmqNative.ZMQ_SNDTIMEO, waitMs) | (more ? ZmqNative.ZMQ_SNDMORE : 0);
            if (ZmqNative.zmq_msg_send(message.Handle, _handle, flags) >= 0)
            {
                message.Refresh();
                return true;
            }
            int error = ZmqNative.LastError();
            if (error == ZmqNative.EAGAIN) return false;
            if (error != ZmqNative.EINTR) throw Failure(error, "zmq_msg_send");
            if (!TimeLeft(start, timeoutMs, out waitMs)) return false;
        }
    }

    /// <summary>Makes this socket a CURVE server with its 32-byte secret key. Call before <see cref="Bind"/>.</summary>
    public void SetCurveServer(ReadOnlySpan<byte> secretKey32)
    {
        if (secretKey32.Length != CurveKeyBytes) throw new ArgumentException($"A CURVE secret key has {CurveKeyBytes} bytes.", nameof(secretKey32));
        SetInt32(ZmqNative.ZMQ_CURVE_SERVER, 1, nameof(ZmqNative.ZMQ_CURVE_SERVER));
        SetBytes(ZmqNative.ZMQ_CURVE_SECRETKEY, secretKey32, nameof(ZmqNative.ZMQ_CURVE_SECRETKEY));
    }

    /// <summary>Makes this socket a CURVE server with its Z85 secret key (40 characters). Call before <see cref="Bind"/>.</summary>
    public void SetCurveServer(string z85Secret)
    {
        SetInt32(ZmqNative.ZMQ_CURVE_SERVER, 1, nameof(ZmqNative.ZMQ_CURVE_SERVER));
        SetCurveKey(ZmqNative.ZMQ_CURVE_SECRETKEY, z85Secret, nameof(ZmqNative.ZMQ_CURVE_SECRETKEY));
    }

    /// <summary>
    /// Makes this socket a CURVE client of a server whose public key is <paramref name="serverPublicZ85"/>,
    /// with its own key pair (all Z85, 40 characters; see <see cref="ZmqCurve.GenerateKeyPair"/>). Call before <see cref="Connect"/>.
    /// A client given the wrong server key never completes the handshake, so it sends and receives nothing.
    /// </summary>
    public void SetCurveClient(string serverPublicZ85, string publicZ85, string secretZ85)
    {
        SetCurveKey(ZmqNative.ZMQ_CURVE_SERVERKEY, serverPublicZ85, nameof(ZmqNative.ZMQ_CURVE_SERVERKEY));
        SetCurveKey(ZmqNative.ZMQ_CURVE_PUBLICKEY, publicZ85, nameof(ZmqNative.ZMQ_CURVE_PUBLICKEY));
        SetCurveKey(ZmqNative.ZMQ_CURVE_SECRETKEY, secretZ85, nameof(ZmqNative.ZMQ_CURVE_SECRETKEY));
    }

    /// <summary>Closes the socket (linger applies); waits for a call in progress on another thread to return first.</summary>
    public void Dispose() => _handle.Dispose();

    private void SetCurveKey(int option, string z85, string name)
    {
        ArgumentNullException.ThrowIfNull(z85);
        if (z85.Length != CurveKeyZ85Chars || !Ascii.IsValid(z85))
            throw new ArgumentException($"A Z85 CURVE key has {CurveKeyZ85Chars} ASCII characters.", nameof(z85));
        Span<byte> key = stackalloc byte[CurveKeyZ85Chars];
        Encoding.ASCII.GetBytes(z85, key);
        SetBytes(option, key, name);
    }

    /// <summary>
    /// Flags for a call that waits up to <paramref name="timeoutMs"/>: ZMQ_DONTWAIT for 0, otherwise the socket's
    /// timeout option, set only when it changes so the steady state makes no extra native call.
    /// </summary>
    private int WaitFlags(ref int current, int option, int timeoutMs)
    {
        if (timeoutMs == 0) return ZmqNative.ZMQ_DONTWAIT;
        if (current != timeoutMs)
        {
            SetInt32(option, timeoutMs, option == ZmqNative.ZMQ_RCVTIMEO ? nameof(ZmqNative.ZMQ_RCVTIMEO) : nameof(ZmqNative.ZMQ_SNDTIMEO));
            current = timeoutMs;
        }
        return 0;
    }

    private static bool TimeLeft(long start, int timeoutMs, out int leftMs)
    {
        if (timeoutMs < 0)
        {
            leftMs = -1;
            return true;
        }
        leftMs = timeoutMs - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return leftMs > 0;
    }

    private static Exception Failure(int error, string call) =>
        error == ZmqNative.ETERM
            ? new ObjectDisposedException(nameof(ZmqContext), "The ZeroMQ context was shut down.")
            : new ZmqException(error, call);

    private int GetInt32(int option, string name)
    {
        int value;
        nuint length = sizeof(int);
        if (ZmqNative.zmq_getsockopt(_handle, option, &value, &length) != 0) throw Failure(ZmqNative.LastError(), $"zmq_getsockopt({name})");
        return value;
    }

    private void SetInt32(int option, int value, string name)
    {
        if (ZmqNative.zmq_setsockopt(_handle, option, &value, sizeof(int)) != 0) throw Failure(ZmqNative.LastError(), $"zmq_setsockopt({name})");
    }

    private long GetInt64(int option, string name)
    {
        long value;
        nuint length = sizeof(long);
        if (ZmqNative.zmq_getsockopt(_handle, option, &value, &length) != 0) throw Failure(ZmqNative.LastError(), $"zmq_getsockopt({name})");
        return value;
    }

    private void SetInt64(int option, long value, string name)
    {
        if (ZmqNative.zmq_setsockopt(_handle, option, &value, sizeof(long)) != 0) throw Failure(ZmqNative.LastError(), $"zmq_setsockopt({name})");
    }

    private void SetBytes(int option, ReadOnlySpan<byte> value, string name)
    {
        fixed (byte* bytes = value)
        {
            if (ZmqNative.zmq_setsockopt(_handle, option, bytes, (nuint)value.Length) != 0)
                throw Failure(ZmqNative.LastError(), $"zmq_setsockopt({name})");
        }
    }
}
