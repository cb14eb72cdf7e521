using NetMQ;

namespace Receiver.Transport.Zmq;

/// <summary>
/// CURVE security of one socket, from key files. A server has its own certificate (secret key); a client has
/// its own certificate (from a file, or a fresh one) and the server's public key.
/// </summary>
/// <remarks>
/// Key files are CZMQ certificates as <c>zmq.auth.create_certificates</c> (pyzmq) and <c>zcert_save</c> write them:
/// lines <c>public-key = "Z85"</c> and, in the secret file, <c>secret-key = "Z85"</c>; a file holding a single
/// 40-character Z85 key is read too (a secret key where one is expected, else a public key).
/// </remarks>
public sealed class CurveKeys
{
    private CurveKeys(NetMQCertificate own, byte[]? serverPublicKey)
    {
        Own = own;
        ServerPublicKey = serverPublicKey;
    }

    /// <summary>This socket's certificate (with its secret key).</summary>
    public NetMQCertificate Own { get; }

    /// <summary>The server's public key when this socket is a client; null for a server.</summary>
    public byte[]? ServerPublicKey { get; }

    public bool IsServer => ServerPublicKey is null;

    /// <summary>A CURVE server with the certificate in <paramref name="secretKeyFile"/>.</summary>
    public static CurveKeys Server(string secretKeyFile) => new(ReadCertificate(secretKeyFile), null);

    /// <summary>A CURVE client of the server whose public key is in <paramref name="serverPublicKeyFile"/>; its own certificate from <paramref name="secretKeyFile"/>, or a fresh one.</summary>
    public static CurveKeys Client(string serverPublicKeyFile, string? secretKeyFile = null) =>
        new(string.IsNullOrWhiteSpace(secretKeyFile) ? new NetMQCertificate() : ReadCertificate(secretKeyFile), ReadPublicKey(serverPublicKeyFile));

    /// <summary>The certificate of a secret key file (its public key derived when the file does not list it).</summary>
    public static NetMQCertificate ReadCertificate(string path)
    {
        var (publicKey, secretKey) = ReadKeys(path);
        if (secretKey is null) throw new FormatException($"CURVE key file '{path}' has no secret key (a server, or a client with its own certificate, needs the *_secret file)");
        var certificate = NetMQCertificate.CreateFromSecretKey(secretKey);
        if (publicKey is not null && publicKey != certificate.PublicKeyZ85)
            throw new FormatException($"CURVE key file '{path}': its public key does not belong to its secret key");
        return certificate;
    }

    /// <summary>The 32-byte public key in a key file (public or secret certificate).</summary>
    public static byte[] ReadPublicKey(string path)
    {
        var (publicKey, secretKey) = ReadKeys(path, bareKeyIsSecret: false);
        if (publicKey is not null) return NetMQCertificate.FromPublicKey(publicKey).PublicKey;
        if (secretKey is not null) return NetMQCertificate.CreateFromSecretKey(secretKey).PublicKey;
        throw new FormatException($"CURVE key file '{path}' has no public key");
    }

    /// <summary>Applies the keys to a socket before it binds or connects.</summary>
    public void ApplyTo(NetMQSocket socket)
    {
        if (IsServer)
        {
            socket.Options.CurveServer = true;
            socket.Options.CurveCertificate = Own;
        }
        else
        {
            socket.Options.CurveCertificate = Own;
            socket.Options.CurveServerKey = ServerPublicKey!;
        }
    }

    private static (string? Public, string? Secret) ReadKeys(string path, bool bareKeyIsSecret = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CURVE key file '{path}' not found", path);
        string? publicKey = null, secretKey = null;
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var line in lines)
        {
            var equals = line.IndexOf('=');
            if (equals < 0) continue;
            var name = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim().Trim('"');
            if (name == "public-key") publicKey = CheckZ85(value, path);
            else if (name == "secret-key") secretKey = CheckZ85(value, path);
        }
        if (publicKey is null && secretKey is null && lines.Count == 1)
        {
            var bare = CheckZ85(lines[0].Trim('"'), path);
            if (bareKeyIsSecret) secretKey = bare;
            else publicKey = bare;
        }
        return (publicKey, secretKey);
    }

    private static string CheckZ85(string key, string path)
    {
        if (key.Length != 40) throw new FormatException($"CURVE key file '{path}': a Z85 key has 40 characters, got {key.Length}");
        try
        {
            NetMQCertificate.FromPublicKey(key);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or FormatException)
        {
            throw new FormatException($"CURVE key file '{path}': '{key}' is not a Z85 key", e);
        }
        return key;
    }
}
