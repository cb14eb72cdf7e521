using Receiver.Transport.Zmq;

namespace Receiver.Transport.Tests;

internal static class ZmqTestHelpers
{
    /// <summary>
    /// PUB drops messages until a subscription reaches it, so send a probe until the SUB receives one,
    /// then drain whatever probes are still on the way.
    /// </summary>
    public static void WaitForSubscription(ZmqSocket pub, ZmqSocket sub, ZmqMessage message, ReadOnlySpan<byte> probe, bool multipart = false)
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            pub.TrySend(probe, more: multipart);
            if (multipart) pub.TrySend("probe"u8);
            if (sub.TryReceive(message, 10))
            {
                while (sub.TryReceive(message, 50)) { }
                return;
            }
        }
        throw new TimeoutException("The subscription did not reach the publisher within 5 s.");
    }
}
