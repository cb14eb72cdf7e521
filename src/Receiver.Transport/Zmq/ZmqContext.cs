namespace Receiver.Transport.Zmq;

/// <summary>
/// A libzmq context: the I/O threads and the namespace for <c>inproc://</c> endpoints. Thread-safe.
/// </summary>
/// <remarks>
/// <see cref="Dispose"/> first shuts the context down (<c>zmq_ctx_shutdown</c>), so a call blocked on one
/// of its sockets in another thread returns at once with <see cref="ObjectDisposedException"/>; the context
/// itself is terminated (<c>zmq_ctx_term</c>) once its last socket is disposed. Sockets linger 0 ms by
/// default, so termination never waits for unsent messages unless <see cref="ZmqSocket.LingerMs"/> says so.
/// </remarks>
public sealed class ZmqContext : IDisposable
{
    private readonly ZmqContextHandle _handle;
    private int _disposed;

    /// <summary>Creates a context with <paramref name="ioThreads"/> background I/O threads.</summary>
    /// <exception cref="DllNotFoundException">libzmq5 is not installed.</exception>
    public ZmqContext(int ioThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ioThreads);
        ZmqNative.EnsureLoaded();
        _handle = ZmqContextHandle.Create();
        if (ZmqNative.zmq_ctx_set(_handle, ZmqNative.ZMQ_IO_THREADS, ioThreads) != 0)
        {
            var error = ZmqException.FromLastError("zmq_ctx_set(ZMQ_IO_THREADS)");
            _handle.Dispose();
            throw error;
        }
    }

    /// <summary>True when libzmq can be loaded on this machine (tests and tools use it to skip cleanly).</summary>
    public static bool IsAvailable => ZmqNative.IsAvailable;

    /// <summary>The loaded libzmq version, e.g. 4.3.4.</summary>
    public static Version LibraryVersion
    {
        get
        {
            ZmqNative.EnsureLoaded();
            ZmqNative.zmq_version(out int major, out int minor, out int patch);
            return new Version(major, minor, patch);
        }
    }

    /// <summary>True when libzmq was built with CURVE security (Debian's is, through libsodium).</summary>
    public static bool HasCurve
    {
        get
        {
            ZmqNative.EnsureLoaded();
            return ZmqNative.zmq_has("curve") != 0;
        }
    }

    /// <summary>Creates a socket of <paramref name="type"/> with linger 0. The socket belongs to one thread at a time.</summary>
    public ZmqSocket CreateSocket(ZmqSocketType type)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var handle = ZmqSocketHandle.Create(_handle, (int)type);
        try
        {
            return new ZmqSocket(handle, type);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Shuts the context down (blocked socket calls return) and terminates it once its sockets are disposed.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ZmqNative.zmq_ctx_shutdown(_handle);
        _handle.Dispose();
    }
}

/// <summary>libzmq socket types (values of <c>ZMQ_PAIR</c> ... <c>ZMQ_PUSH</c>).</summary>
public enum ZmqSocketType
{
    Pair = 0,
    Pub = 1,
    Sub = 2,
    Req = 3,
    Rep = 4,
    Dealer = 5,
    Router = 6,
    Pull = 7,
    Push = 8,
}
