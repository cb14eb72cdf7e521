using System.Text;
using NetMQ;
using Receiver.Transport.Zmq;

namespace Receiver.Transport.Tests;

/// <summary>CURVE from key files, with certificates written by pyzmq (zmq.auth) and a libzmq peer on each side.</summary>
public sealed class ZmqCurveTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("receiver-curve-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes server and client certificates with zmq.auth.create_certificates (CZMQ format): name.key, name.key_secret.</summary>
    private void CreateCertificates()
    {
        var (code, _, error) = PythonZmq.Run("""
            import sys, zmq.auth
            zmq.auth.create_certificates(sys.argv[1], 'server')
            zmq.auth.create_certificates(sys.argv[1], 'client')
            """, [_folder], 30_000);
        Assert.True(code == 0, error);
    }

    private string File(string name) => Path.Combine(_folder, name);

    [PythonZmqFact]
    public void Key_files_from_pyzmq_read_back_to_the_same_keys()
    {
        CreateCertificates();
        var server = CurveKeys.ReadCertificate(File("server.key_secret"));
        Assert.Equal(server.PublicKey, CurveKeys.ReadPublicKey(File("server.key")));
        Assert.Equal(server.PublicKey, CurveKeys.ReadPublicKey(File("server.key_secret")));
        var ex = Assert.Throws<FormatException>(() => CurveKeys.ReadCertificate(File("server.key")));
        Assert.Contains("no secret key", ex.Message);
        System.IO.File.WriteAllText(File("bad.key"), "public-key = \"tooshort\"\n");
        Assert.Throws<FormatException>(() => CurveKeys.ReadPublicKey(File("bad.key")));
        Assert.Throws<FileNotFoundException>(() => CurveKeys.Server(File("missing.key_secret")));
    }

    [Fact]
    public void A_bare_z85_key_file_is_read_too()
    {
        var certificate = new NetMQCertificate();
        System.IO.File.WriteAllText(File("secret.z85"), certificate.SecretKeyZ85 + "\n");
        System.IO.File.WriteAllText(File("public.z85"), certificate.PublicKeyZ85 + "\n");
        Assert.Equal(certificate.PublicKey, CurveKeys.ReadCertificate(File("secret.z85")).PublicKey);
        Assert.Equal(certificate.PublicKey, CurveKeys.ReadPublicKey(File("public.z85")));
    }

    /// <summary>NetMQ CURVE server (PULL), libzmq CURVE client (PUSH) with the server's public key file.</summary>
    [PythonZmqFact]
    public void Libzmq_client_sends_to_a_netmq_curve_server()
    {
        CreateCertificates();
        using var pull = ZmqSockets.Create(ZmqSocketKind.Pull, new ZmqSocketSettings { Curve = CurveKeys.Server(File("server.key_secret")) });
        var endpoint = ZmqSockets.Open(pull, "@tcp://127.0.0.1:0", defaultBind: false)[0];
        using var python = PythonZmq.Start("""
            import sys, zmq, zmq.auth
            folder, endpoint = sys.argv[1], sys.argv[2]
            client_public, client_secret = zmq.auth.load_certificate(folder + '/client.key_secret')
            server_public, _ = zmq.auth.load_certificate(folder + '/server.key')
            ctx = zmq.Context()
            s = ctx.socket(zmq.PUSH)
            s.curve_publickey, s.curve_secretkey, s.curve_serverkey = client_public, client_secret, server_public
            s.connect(endpoint)
            for i in range(20):
                s.send(b'secret %d' % i)
            s.close(linger=10000)
            ctx.term()  # waits for the linger: at interpreter exit pyzmq would not
            """, _folder, endpoint);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(pull.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var message), python.HasExited ? python.StandardError.ReadToEnd() : "no message");
            Assert.Equal($"secret {i}", Encoding.ASCII.GetString(message));
        }
        Assert.True(python.WaitForExit(10_000));
    }

    /// <summary>libzmq CURVE server (PUB, bound), NetMQ CURVE clients (SUB) from the key files: the right server key receives, a wrong one gets nothing.</summary>
    [PythonZmqFact]
    public void Netmq_client_receives_from_a_libzmq_curve_server_and_a_wrong_server_key_gets_nothing()
    {
        CreateCertificates();
        using var python = PythonZmq.Start("""
            import sys, time, zmq, zmq.auth
            folder = sys.argv[1]
            public, secret = zmq.auth.load_certificate(folder + '/server.key_secret')
            s = zmq.Context().socket(zmq.PUB)
            s.curve_server, s.curve_publickey, s.curve_secretkey = True, public, secret
            port = s.bind_to_random_port('tcp://127.0.0.1')
            print(port, flush=True)
            deadline = time.time() + 15
            while time.time() < deadline:
                s.send(b'from libzmq')
                time.sleep(0.01)
            """, _folder);
        try
        {
            var endpoint = $"tcp://127.0.0.1:{python.StandardOutput.ReadLine()}";
            using var impostor = ZmqSockets.Create(ZmqSocketKind.Sub, new ZmqSocketSettings { Curve = CurveKeys.Client(File("client.key"), File("client.key_secret")) });
            ZmqSockets.Open(impostor, endpoint, defaultBind: false);
            using var sub = ZmqSockets.Create(ZmqSocketKind.Sub, new ZmqSocketSettings { Curve = CurveKeys.Client(File("server.key"), File("client.key_secret")) });
            ZmqSockets.Open(sub, endpoint, defaultBind: false);
            Assert.True(sub.TryReceiveFrameBytes(TimeSpan.FromSeconds(10), out var message));
            Assert.Equal("from libzmq", Encoding.ASCII.GetString(message));
            // The impostor trusts the client's key as the server's: the handshake fails and nothing arrives.
            Assert.False(impostor.TryReceiveFrameBytes(TimeSpan.FromMilliseconds(500), out _));
        }
        finally
        {
            python.Kill();
        }
    }
}
