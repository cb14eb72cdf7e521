namespace Receiver.Transport.Zmq;

/// <summary>Waits for several sockets at once with <c>zmq_poll</c>.</summary>
public static unsafe class ZmqPoller
{
    private const int StackItems = 16;

    /// <summary>
    /// Waits until at least one of <paramref name="sockets"/> has a message to receive, or
    /// <paramref name="timeoutMs"/> passes (0 = check only, -1 = wait forever). Allocates nothing for up to 16 sockets.
    /// </summary>
    /// <param name="readable">Set per socket: true when it has a message waiting. At least as long as <paramref name="sockets"/>.</param>
    /// <returns>How many sockets are readable; 0 on timeout or when interrupted (EINTR).</returns>
    /// <exception cref="ObjectDisposedException">A socket or the context was disposed.</exception>
    public static int Poll(ReadOnlySpan<ZmqSocket> sockets, Span<bool> readable, int timeoutMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readable.Length, sockets.Length, nameof(readable));
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);
        Span<ZmqNative.PollItem> items = sockets.Length <= StackItems
            ? stackalloc ZmqNative.PollItem[StackItems]
            : new ZmqNative.PollItem[sockets.Length];
        int referenced = 0;
        try
        {
            for (; referenced < sockets.Length; referenced++)
            {
                bool added = false;
                sockets[referenced].Handle.DangerousAddRef(ref added);
                items[referenced] = new ZmqNative.PollItem
                {
                    Socket = sockets[referenced].Handle.DangerousGetHandle(),
                    Events = ZmqNative.ZMQ_POLLIN,
                };
            }
            int ready;
            fixed (ZmqNative.PollItem* pointer = items)
                ready = ZmqNative.zmq_poll(pointer, sockets.Length, timeoutMs);
            if (ready < 0)
            {
                int error = ZmqNative.LastError();
                if (error == ZmqNative.ETERM) throw new ObjectDisposedException(nameof(ZmqContext), "The ZeroMQ context was shut down.");
                if (error != ZmqNative.EINTR) throw new ZmqException(error, "zmq_poll");
                ready = 0;
            }
            for (int i = 0; i < sockets.Length; i++)
                readable[i] = ready > 0 && (items[i].ReturnedEvents & ZmqNative.ZMQ_POLLIN) != 0;
            return ready;
        }
        finally
        {
            for (int i = 0; i < referenced; i++) sockets[i].Handle.DangerousRelease();
        }
    }
}
