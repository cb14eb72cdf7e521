namespace Receiver.Transport.Zmq;

/// <summary>
/// A reusable native <c>zmq_msg_t</c> (64 bytes, aligned) that <see cref="ZmqSocket.TryReceive"/> fills
/// without copying: <see cref="Data"/> points into libzmq's buffer. Create one per receiving loop and reuse
/// it; receiving into it releases the previous content, so <see cref="Data"/> is valid only until the next
/// receive into this message or <see cref="Dispose"/>. Not thread-safe.
/// </summary>
/// <remarks>
/// For sending without a copy, <see cref="Prepare"/> gives a fresh native buffer to write into and
/// <see cref="ZmqSocket.TrySend(ZmqMessage, bool, int)"/> hands it to libzmq.
/// </remarks>
public sealed unsafe class ZmqMessage : IDisposable
{
    private readonly ZmqMessageHandle _handle;
    private byte* _data;
    private int _size;

    /// <summary>Creates an empty message.</summary>
    /// <exception cref="DllNotFoundException">libzmq5 is not installed.</exception>
    public ZmqMessage() => _handle = ZmqMessageHandle.Create();

    internal ZmqMessageHandle Handle => _handle;

    /// <summary>The bytes received last (empty before the first receive).</summary>
    public ReadOnlySpan<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return new ReadOnlySpan<byte>(_data, _size);
        }
    }

    /// <summary>Length of <see cref="Data"/> in bytes.</summary>
    public int Size => _size;

    /// <summary>Whether more parts of the same multipart message follow this one.</summary>
    public bool More { get; private set; }

    /// <summary>
    /// Replaces the content with a fresh native buffer of <paramref name="size"/> bytes (<c>zmq_msg_init_size</c>)
    /// and returns it for writing; send it with <see cref="ZmqSocket.TrySend(ZmqMessage, bool, int)"/>.
    /// Allocates no managed memory.
    /// </summary>
    public Span<byte> Prepare(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ZmqNative.zmq_msg_close(_handle);
        if (ZmqNative.zmq_msg_init_size(_handle, (nuint)size) != 0)
        {
            var error = ZmqException.FromLastError("zmq_msg_init_size");
            ZmqNative.zmq_msg_init(_handle);
            Refresh();
            throw error;
        }
        Refresh();
        return new Span<byte>(_data, _size);
    }

    /// <summary>Caches data pointer, size and the more flag after a receive, so reading them costs no native call.</summary>
    internal void Refresh()
    {
        nuint size = ZmqNative.zmq_msg_size(_handle);
        if (size > int.MaxValue) throw new InvalidOperationException($"A {size}-byte message is larger than a span can hold; set ZmqSocket.MaxMessageSize.");
        _data = (byte*)ZmqNative.zmq_msg_data(_handle);
        _size = (int)size;
        More = ZmqNative.zmq_msg_more(_handle) != 0;
    }

    /// <summary>Releases the native message.</summary>
    public void Dispose()
    {
        _data = null;
        _size = 0;
        _handle.Dispose();
    }
}
