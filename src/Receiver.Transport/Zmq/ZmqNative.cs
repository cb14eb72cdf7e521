using System.Reflection;
using System.Runtime.InteropServices;

namespace Receiver.Transport.Zmq;

/// <summary>
/// Source-generated P/Invoke declarations for libzmq 4.3 (Debian package libzmq5), with the option numbers,
/// flags and error codes this binding uses. The library is loaded once, as <c>libzmq.so.5</c> and then
/// <c>libzmq.so</c>; <see cref="EnsureLoaded"/> turns a missing library into a clear message.
/// </summary>
internal static unsafe partial class ZmqNative
{
    private const string Library = "libzmq";
    internal const string NotInstalledMessage = "libzmq5 is not installed (apt-get install libzmq5)";

    // zmq.h socket options
    internal const int ZMQ_SUBSCRIBE = 6;
    internal const int ZMQ_UNSUBSCRIBE = 7;
    internal const int ZMQ_SNDBUF = 11;
    internal const int ZMQ_RCVBUF = 12;
    internal const int ZMQ_RCVMORE = 13;
    internal const int ZMQ_TYPE = 16;
    internal const int ZMQ_LINGER = 17;
    internal const int ZMQ_RECONNECT_IVL = 18;
    internal const int ZMQ_MAXMSGSIZE = 22;
    internal const int ZMQ_SNDHWM = 23;
    internal const int ZMQ_RCVHWM = 24;
    internal const int ZMQ_RCVTIMEO = 27;
    internal const int ZMQ_SNDTIMEO = 28;
    internal const int ZMQ_LAST_ENDPOINT = 32;
    internal const int ZMQ_IMMEDIATE = 39;
    internal const int ZMQ_CURVE_SERVER = 47;
    internal const int ZMQ_CURVE_PUBLICKEY = 48;
    internal const int ZMQ_CURVE_SECRETKEY = 49;
    internal const int ZMQ_CURVE_SERVERKEY = 50;
    internal const int ZMQ_CONFLATE = 54;

    // Context options
    internal const int ZMQ_IO_THREADS = 1;

    // Send/receive flags and poll events
    internal const int ZMQ_DONTWAIT = 1;
    internal const int ZMQ_SNDMORE = 2;
    internal const short ZMQ_POLLIN = 1;
    internal const short ZMQ_POLLOUT = 2;

    // errno values (Linux) and libzmq's own codes above ZMQ_HAUSNUMERO
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ETERM = 156384712 + 53;

    /// <summary>Size of <c>zmq_msg_t</c> in libzmq 4.x.</summary>
    internal const int MessageStructSize = 64;

    private static readonly nint s_library;

    static ZmqNative()
    {
        if (!NativeLibrary.TryLoad("libzmq.so.5", out s_library))
            NativeLibrary.TryLoad("libzmq.so", out s_library);
        // A resolver is per assembly; the rest of Receiver.Transport has no native imports of its own.
        NativeLibrary.SetDllImportResolver(typeof(ZmqNative).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library ? s_library : 0;

    /// <summary>True when libzmq could be loaded.</summary>
    internal static bool IsAvailable => s_library != 0;

    /// <summary>Throws <see cref="DllNotFoundException"/> with an install hint when libzmq is missing.</summary>
    internal static void EnsureLoaded()
    {
        if (s_library == 0) throw new DllNotFoundException(NotInstalledMessage);
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollItem
    {
        public nint Socket;
        public int FileDescriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport(Library)] internal static partial void zmq_version(out int major, out int minor, out int patch);
    [LibraryImport(Library)] internal static partial nint zmq_strerror(int errnum);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int zmq_has(string capability);

    [LibraryImport(Library, SetLastError = true)] internal static partial nint zmq_ctx_new();
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_ctx_set(ZmqContextHandle context, int option, int value);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_ctx_shutdown(ZmqContextHandle context);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_ctx_term(nint context);

    [LibraryImport(Library, SetLastError = true)] internal static partial nint zmq_socket(ZmqContextHandle context, int type);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_close(nint socket);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_setsockopt(ZmqSocketHandle socket, int option, void* value, nuint length);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_getsockopt(ZmqSocketHandle socket, int option, void* value, nuint* length);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)] internal static partial int zmq_bind(ZmqSocketHandle socket, string endpoint);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)] internal static partial int zmq_connect(ZmqSocketHandle socket, string endpoint);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)] internal static partial int zmq_unbind(ZmqSocketHandle socket, string endpoint);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)] internal static partial int zmq_disconnect(ZmqSocketHandle socket, string endpoint);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_send(ZmqSocketHandle socket, void* buffer, nuint length, int flags);

    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_msg_init(nint message);
    [LibraryImport(Library)] internal static partial int zmq_msg_close(nint message);
    [LibraryImport(Library)] internal static partial int zmq_msg_close(ZmqMessageHandle message);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_msg_init(ZmqMessageHandle message);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_msg_init_size(ZmqMessageHandle message, nuint size);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_msg_send(ZmqMessageHandle message, ZmqSocketHandle socket, int flags);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_msg_recv(ZmqMessageHandle message, ZmqSocketHandle socket, int flags);
    [LibraryImport(Library)] internal static partial void* zmq_msg_data(ZmqMessageHandle message);
    [LibraryImport(Library)] internal static partial nuint zmq_msg_size(ZmqMessageHandle message);
    [LibraryImport(Library)] internal static partial int zmq_msg_more(ZmqMessageHandle message);

    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_poll(PollItem* items, int count, nint timeoutMs);

    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_curve_keypair(byte* publicZ85, byte* secretZ85);
    [LibraryImport(Library, SetLastError = true)] internal static partial int zmq_curve_public(byte* publicZ85, byte* secretZ85);
    [LibraryImport(Library)] internal static partial byte* zmq_z85_decode(byte* destination, byte* z85);
    [LibraryImport(Library)] internal static partial byte* zmq_z85_encode(byte* destination, byte* data, nuint size);

    /// <summary>
    /// The errno of the failed call, captured by the marshalling stub right after it returned (libzmq reports its
    /// own codes such as ETERM through errno too), so nothing the runtime does in between can overwrite it.
    /// </summary>
    internal static int LastError() => Marshal.GetLastPInvokeError();

    /// <summary>The text libzmq gives for an error number.</summary>
    internal static string ErrorText(int errorNumber) =>
        Marshal.PtrToStringUTF8(zmq_strerror(errorNumber)) ?? $"error {errorNumber}";
}
