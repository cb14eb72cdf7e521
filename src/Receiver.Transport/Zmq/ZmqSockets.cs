using NetMQ;
using NetMQ.Sockets;

namespace Receiver.Transport.Zmq;

/// <summary>The ZeroMQ socket types the receiver uses.</summary>
public enum ZmqSocketKind
{
    Pull,
    Push,
    Pub,
    Sub,
}

/// <summary>
/// How a socket is set up before it binds or connects (NetMQ applies connection-shaping options only to
/// connections made after they are set).
/// </summary>
public sealed record ZmqSocketSettings
{
    /// <summary>ZMQ_SNDHWM in messages (0 = no limit); null keeps NetMQ's default (1000).</summary>
    public int? SendHighWaterMark { get; init; }

    /// <summary>ZMQ_RCVHWM in messages (0 = no limit); null keeps NetMQ's default (1000).</summary>
    public int? ReceiveHighWaterMark { get; init; }

    /// <summary>ZMQ_MAXMSGSIZE: a peer sending a larger message is disconnected, so it is never buffered whole (-1 = no limit).</summary>
    public long MaxMessageBytes { get; init; } = -1;

    /// <summary>How long unsent messages are kept after close; zero so closing never waits for a missing peer.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.Zero;

    /// <summary>SUB: subscription prefix ("" = everything).</summary>
    public string Subscribe { get; init; } = "";

    /// <summary>CURVE keys; null for a plain socket.</summary>
    public CurveKeys? Curve { get; init; }
}

/// <summary>Creating, opening and using NetMQ sockets the way every stage of the receiver does.</summary>
public static class ZmqSockets
{
    /// <summary>A socket of <paramref name="kind"/> with <paramref name="settings"/> applied, not yet bound or connected.</summary>
    public static NetMQSocket Create(ZmqSocketKind kind, ZmqSocketSettings? settings = null)
    {
        settings ??= new ZmqSocketSettings();
        NetMQSocket socket = kind switch
        {
            ZmqSocketKind.Pull => new PullSocket(),
            ZmqSocketKind.Push => new PushSocket(),
            ZmqSocketKind.Pub => new PublisherSocket(),
            ZmqSocketKind.Sub => new SubscriberSocket(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown socket kind"),
        };
        try
        {
            var options = socket.Options;
            options.Linger = settings.Linger;
            if (settings.SendHighWaterMark is { } sendHwm) options.SendHighWatermark = sendHwm;
            if (settings.ReceiveHighWaterMark is { } receiveHwm) options.ReceiveHighWatermark = receiveHwm;
            if (settings.MaxMessageBytes >= 0) options.MaxMsgSize = settings.MaxMessageBytes;
            settings.Curve?.ApplyTo(socket);
            if (socket is SubscriberSocket sub) sub.Subscribe(settings.Subscribe);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds or connects a comma-separated list of endpoints with the CZMQ/NetMQ prefixes: <c>@tcp://*:5555</c>
    /// binds, <c>&gt;tcp://host:5555</c> connects, and an endpoint without a prefix binds when
    /// <paramref name="defaultBind"/> is true and connects otherwise. Returns the endpoints in use (a bound
    /// port 0 replaced by the port picked).
    /// </summary>
    public static IReadOnlyList<string> Open(NetMQSocket socket, string endpoints, bool defaultBind)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoints);
        var opened = new List<string>();
        foreach (var entry in endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bind = entry[0] switch { '@' => true, '>' => false, _ => defaultBind };
            var endpoint = entry[0] is '@' or '>' ? entry[1..].Trim() : entry;
            if (bind)
            {
                socket.Bind(endpoint);
                opened.Add(socket.Options.LastEndpoint ?? endpoint);
            }
            else
            {
                socket.Connect(endpoint);
                opened.Add(endpoint);
            }
        }
        return opened;
    }

    /// <summary>
    /// Sends one part, copying <paramref name="data"/> into a pooled NetMQ buffer. False when it could not be queued
    /// within <paramref name="timeout"/> (high-water mark reached, or no peer for PUSH); PUB never waits.
    /// </summary>
    public static bool TrySend(NetMQSocket socket, ReadOnlySpan<byte> data, bool more, TimeSpan timeout)
    {
        var message = new Msg();
        message.InitPool(data.Length);
        try
        {
            data.CopyTo(message.Slice());
            return socket.TrySend(ref message, timeout, more);
        }
        finally
        {
            message.Close();
        }
    }
}
