using System.Runtime.InteropServices;

namespace Receiver.Transport.Zmq;

/// <summary>Owns a libzmq context; release terminates it with <c>zmq_ctx_term</c>.</summary>
/// <remarks>
/// Each socket handle holds a reference on its context handle, so the context is terminated only after
/// its last socket was closed and <c>zmq_ctx_term</c> never waits on a socket that is still open.
/// </remarks>
internal sealed class ZmqContextHandle : SafeHandle
{
    public ZmqContextHandle() : base(0, ownsHandle: true) { }

    internal static ZmqContextHandle Create()
    {
        var created = new ZmqContextHandle();
        var pointer = ZmqNative.zmq_ctx_new();
        if (pointer == 0) throw ZmqException.FromLastError("zmq_ctx_new");
        created.SetHandle(pointer);
        return created;
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        int result;
        do result = ZmqNative.zmq_ctx_term(handle);
        while (result != 0 && ZmqNative.LastError() == ZmqNative.EINTR);
        return result == 0;
    }
}

/// <summary>Owns a libzmq socket; release closes it with <c>zmq_close</c> and lets go of its context.</summary>
internal sealed class ZmqSocketHandle : SafeHandle
{
    private ZmqContextHandle? _context;

    public ZmqSocketHandle() : base(0, ownsHandle: true) { }

    internal static ZmqSocketHandle Create(ZmqContextHandle context, int type)
    {
        var created = new ZmqSocketHandle();
        bool referenced = false;
        context.DangerousAddRef(ref referenced);
        var pointer = ZmqNative.zmq_socket(context, type);
        if (pointer == 0)
        {
            var error = ZmqException.FromLastError("zmq_socket");
            context.DangerousRelease();
            throw error;
        }
        created._context = context;
        created.SetHandle(pointer);
        return created;
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        bool closed = ZmqNative.zmq_close(handle) == 0;
        _context?.DangerousRelease();
        return closed;
    }
}

/// <summary>Owns a 64-byte aligned native <c>zmq_msg_t</c>; release closes the message and frees the memory.</summary>
internal sealed unsafe class ZmqMessageHandle : SafeHandle
{
    public ZmqMessageHandle() : base(0, ownsHandle: true) { }

    internal static ZmqMessageHandle Create()
    {
        ZmqNative.EnsureLoaded();
        var created = new ZmqMessageHandle();
        var memory = (nint)NativeMemory.AlignedAlloc(ZmqNative.MessageStructSize, ZmqNative.MessageStructSize);
        if (ZmqNative.zmq_msg_init(memory) != 0)
        {
            NativeMemory.AlignedFree((void*)memory);
            throw ZmqException.FromLastError("zmq_msg_init");
        }
        created.SetHandle(memory);
        return created;
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        ZmqNative.zmq_msg_close(handle);
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
