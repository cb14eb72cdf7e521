using System.Text;
using Receiver.Transport.Zmq;

namespace Receiver.Transport.Tests;

public sealed class ZmqCurveTests : IDisposable
{
    private readonly ZmqContext _context = new();

    public void Dispose() => _context.Dispose();

    [Fact]
    public void Libzmq_has_curve()
    {
        Assert.True(ZmqContext.HasCurve);
        Assert.True(ZmqContext.LibraryVersion >= new Version(4, 3));
    }

    [Fact]
    public void Key_pair_is_z85_and_public_key_follows_from_secret()
    {
        var (publicKey, secretKey) = ZmqCurve.GenerateKeyPair();
        Assert.Equal(40, publicKey.Length);
        Assert.Equal(40, secretKey.Length);
        Assert.Equal(publicKey, ZmqCurve.PublicKeyOf(secretKey));
        byte[] raw = ZmqCurve.DecodeKey(secretKey);
        Assert.Equal(32, raw.Length);
        Assert.Equal(secretKey, ZmqCurve.EncodeKey(raw));
        Assert.Throws<ArgumentException>(() => ZmqCurve.DecodeKey("too short"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Curve_client_with_the_server_key_receives(bool binarySecret)
    {
        var server = ZmqCurve.GenerateKeyPair();
        var client = ZmqCurve.GenerateKeyPair();
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        if (binarySecret) push.SetCurveServer(ZmqCurve.DecodeKey(server.SecretZ85));
        else push.SetCurveServer(server.SecretZ85);
        push.Bind("tcp://127.0.0.1:0");

        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.SetCurveClient(server.PublicZ85, client.PublicZ85, client.SecretZ85);
        pull.Connect(push.LastEndpoint);

        Assert.True(push.TrySend("secret payload"u8, timeoutMs: 5000));
        using var message = new ZmqMessage();
        Assert.True(pull.TryReceive(message, 5000));
        Assert.Equal("secret payload", Encoding.ASCII.GetString(message.Data));
    }

    [Fact]
    public void Curve_client_with_a_wrong_server_key_receives_nothing()
    {
        var server = ZmqCurve.GenerateKeyPair();
        var impostor = ZmqCurve.GenerateKeyPair();
        var client = ZmqCurve.GenerateKeyPair();
        using var push = _context.CreateSocket(ZmqSocketType.Push);
        push.SetCurveServer(server.SecretZ85);
        push.Bind("tcp://127.0.0.1:0");

        using var pull = _context.CreateSocket(ZmqSocketType.Pull);
        pull.SetCurveClient(impostor.PublicZ85, client.PublicZ85, client.SecretZ85);
        pull.Connect(push.LastEndpoint);

        push.TrySend("secret payload"u8, timeoutMs: 300);
        using var message = new ZmqMessage();
        Assert.False(pull.TryReceive(message, 300));
    }

    [Fact]
    public void Curve_rejects_keys_of_the_wrong_length()
    {
        using var socket = _context.CreateSocket(ZmqSocketType.Pull);
        Assert.Throws<ArgumentException>(() => socket.SetCurveServer(new byte[31]));
        Assert.Throws<ArgumentException>(() => socket.SetCurveServer("short"));
        Assert.Throws<ArgumentException>(() => socket.SetCurveClient("a", "b", "c"));
    }
}
