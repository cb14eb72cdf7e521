using System.Text;

namespace Receiver.Transport.Zmq;

/// <summary>CURVE key helpers (libzmq with libsodium). Keys are 32 bytes, written as 40 Z85 characters.</summary>
public static unsafe class ZmqCurve
{
    private const int Z85Chars = 40;
    private const int KeyBytes = 32;

    /// <summary>A fresh CURVE key pair in Z85, for <see cref="ZmqSocket.SetCurveServer(string)"/> and <see cref="ZmqSocket.SetCurveClient"/>.</summary>
    /// <exception cref="ZmqException">libzmq was built without CURVE.</exception>
    public static (string PublicZ85, string SecretZ85) GenerateKeyPair()
    {
        ZmqNative.EnsureLoaded();
        byte* publicKey = stackalloc byte[Z85Chars + 1];
        byte* secretKey = stackalloc byte[Z85Chars + 1];
        if (ZmqNative.zmq_curve_keypair(publicKey, secretKey) != 0) throw ZmqException.FromLastError("zmq_curve_keypair");
        return (Encoding.ASCII.GetString(publicKey, Z85Chars), Encoding.ASCII.GetString(secretKey, Z85Chars));
    }

    /// <summary>The Z85 public key that belongs to a Z85 secret key.</summary>
    public static string PublicKeyOf(string secretZ85)
    {
        ZmqNative.EnsureLoaded();
        byte* secretKey = stackalloc byte[Z85Chars + 1];
        byte* publicKey = stackalloc byte[Z85Chars + 1];
        WriteZ85(secretZ85, secretKey);
        if (ZmqNative.zmq_curve_public(publicKey, secretKey) != 0) throw ZmqException.FromLastError("zmq_curve_public");
        return Encoding.ASCII.GetString(publicKey, Z85Chars);
    }

    /// <summary>Decodes a 40-character Z85 key into its 32 bytes.</summary>
    public static byte[] DecodeKey(string z85)
    {
        ZmqNative.EnsureLoaded();
        byte* text = stackalloc byte[Z85Chars + 1];
        WriteZ85(z85, text);
        var key = new byte[KeyBytes];
        fixed (byte* destination = key)
            if (ZmqNative.zmq_z85_decode(destination, text) == null) throw new ArgumentException("Not a valid Z85 key.", nameof(z85));
        return key;
    }

    /// <summary>Encodes a 32-byte key as 40 Z85 characters.</summary>
    public static string EncodeKey(ReadOnlySpan<byte> key32)
    {
        if (key32.Length != KeyBytes) throw new ArgumentException($"A CURVE key has {KeyBytes} bytes.", nameof(key32));
        ZmqNative.EnsureLoaded();
        byte* text = stackalloc byte[Z85Chars + 1];
        fixed (byte* source = key32)
            ZmqNative.zmq_z85_encode(text, source, KeyBytes);
        return Encoding.ASCII.GetString(text, Z85Chars);
    }

    private static void WriteZ85(string z85, byte* destination)
    {
        ArgumentNullException.ThrowIfNull(z85);
        if (z85.Length != Z85Chars || !Ascii.IsValid(z85))
            throw new ArgumentException($"A Z85 CURVE key has {Z85Chars} ASCII characters.", nameof(z85));
        Encoding.ASCII.GetBytes(z85, new Span<byte>(destination, Z85Chars));
        destination[Z85Chars] = 0;
    }
}
