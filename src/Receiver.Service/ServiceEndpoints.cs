using System.Collections.Concurrent;

namespace Receiver.Service;

/// <summary>
/// The endpoints the running service actually uses (ZMQ's last endpoint after a bind, so
/// "tcp://127.0.0.1:0" becomes the picked port): how the demo and tests find the sockets.
/// </summary>
public sealed class ServiceEndpoints
{
    /// <summary>Ingest endpoints by ingest index, in configuration order.</summary>
    public ConcurrentDictionary<int, IReadOnlyList<string>> Ingest { get; } = new();

    public string? Publish { get; set; }

    public string? Metadata { get; set; }

    /// <summary>Front end: where work goes out; worker: where it comes from.</summary>
    public string? Work { get; set; }

    /// <summary>Front end: where results come back; worker: where it sends them.</summary>
    public string? Results { get; set; }

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every socket is bound or connected (when the service printed <c>ready</c>).</summary>
    public Task Ready => _ready.Task;

    internal void MarkReady() => _ready.TrySetResult();

    /// <summary>Prometheus URL, when the endpoint is on.</summary>
    public string? Metrics { get; set; }
}
