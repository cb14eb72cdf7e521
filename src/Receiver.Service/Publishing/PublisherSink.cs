using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetMQ;
using Receiver.Common;
using Receiver.Pipeline;
using Receiver.Transport.Zmq;

namespace Receiver.Service.Publishing;

/// <summary>Publisher settings, resolved from <see cref="PublishOptions"/>.</summary>
/// <param name="Endpoint">Output endpoint; no prefix binds.</param>
/// <param name="Push">PUSH instead of PUB.</param>
/// <param name="Output">What each frame's message carries.</param>
/// <param name="Key">When set, each output is sent as [key][bits].</param>
/// <param name="MetadataEndpoint">Second socket (same type) for one MessagePack metadata map per frame; null for none.</param>
/// <param name="SendHighWaterMark">ZMQ_SNDHWM of both sockets.</param>
/// <param name="QueueCapacity">Formatted outputs waiting for the publisher thread before decoder workers wait.</param>
/// <param name="Curve">CURVE keys of both sockets; null for plain TCP.</param>
public sealed record PublisherSettings(
    string Endpoint,
    bool Push,
    OutputFormat Output,
    string? Key = null,
    string? MetadataEndpoint = null,
    int SendHighWaterMark = 10000,
    int QueueCapacity = 8192,
    CurveKeys? Curve = null);

/// <summary>
/// The service's output: an <see cref="IDecodedSink"/> that formats each decoded frame (on the calling worker,
/// into a pooled slot) and hands it over a bounded channel to one publisher thread, which owns the NetMQ
/// PUB/PUSH socket(s). A frame counts as published (receiver.frames.published) and its socket-to-socket
/// latency is recorded (receiver.latency) once its output has been handed to the socket. After
/// <see cref="BeginShutdown"/>'s deadline the thread stops waiting for a peer (PUSH with no consumer): what it
/// cannot send at once is dropped (reason unsent), so shutdown is bounded and never reports unsent outputs as
/// published. Slots are reused, so the steady state does not allocate per frame.
/// </summary>
public sealed partial class PublisherSink : IDecodedSink, IDisposable
{
    /// <summary>How long one send waits for the socket before it looks at the shutdown deadline again.</summary>
    private static readonly TimeSpan SendSlice = TimeSpan.FromMilliseconds(20);

    private readonly PublisherSettings _settings;
    private readonly ReceiverMetrics _metrics;
    private readonly ICodeDirectory _codes;
    private readonly ILogger _logger;
    private readonly Channel<OutputSlot> _queue;
    // Slots are rented by decoder workers and returned by the publisher thread: a queue, not a ConcurrentBag.
    private readonly ConcurrentQueue<OutputSlot> _freeSlots = new();
    private readonly byte[]? _key;
    private readonly KeyValuePair<string, object?>[] _codeTags;
    private readonly CancellationTokenSource _giveUp = new();
    private readonly TaskCompletionSource<(string Output, string? Metadata)> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private int _disposed;
    private long _deadline;

    public PublisherSink(PublisherSettings settings, ICodeDirectory codes, ReceiverMetrics metrics, ILogger logger)
    {
        _settings = settings;
        _codes = codes;
        _metrics = metrics;
        _logger = logger;
        _key = settings.Key is { Length: > 0 } key ? System.Text.Encoding.UTF8.GetBytes(key) : null;
        _codeTags = Enumerable.Range(0, codes.Count).Select(i => new KeyValuePair<string, object?>("code", codes.NameOf(i))).ToArray();
        _queue = Channel.CreateBounded<OutputSlot>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The output endpoint in use (the picked port after binding port 0); set once started.</summary>
    public string? Endpoint { get; private set; }

    public string? MetadataEndpoint { get; private set; }

    /// <summary>Starts the publisher thread; completes once its sockets are bound or connected (or throws the bind error).</summary>
    public async Task StartAsync()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "publisher" };
        _thread.Start();
        (Endpoint, MetadataEndpoint) = await _started.Task.ConfigureAwait(false);
    }

    public void Publish(DecodedBatch batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var frame = batch.Frame(i);
            var slot = RentSlot(OutputFormatter.OutputLength(batch.Code, _settings.Output));
            slot.Length = OutputFormatter.Format(batch.Code, _settings.Output, batch.GraphBits(i), slot.Data);
            slot.CodeIndex = frame.CodeIndex;
            slot.ReceivedTimestamp = frame.IngestTimestamp;
            slot.Metadata.ResetWrittenCount();
            if (_settings.MetadataEndpoint is not null)
            {
                var status = batch.Status(i);
                MetadataEnvelope.Write(slot.Metadata, frame.Sequence, _codes.NameOf(frame.CodeIndex), status.Outcome.ToString(), status.Iterations,
                    Stopwatch.GetElapsedTime(frame.IngestTimestamp).TotalMicroseconds, DecodeStages.Tag(batch.Stage(i)));
            }
            if (_queue.Writer.TryWrite(slot)) continue;
            // Full: the decoder worker waits for the publisher (back-pressure) until shutdown gives up.
            try
            {
                _queue.Writer.WriteAsync(slot, _giveUp.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
            {
                Drop(slot);
            }
        }
    }

    /// <summary>From now on, outputs the socket cannot take are waited for at most <paramref name="timeLeft"/>; after that they are dropped (reason unsent).</summary>
    public void BeginShutdown(TimeSpan timeLeft)
    {
        if (timeLeft < TimeSpan.Zero) timeLeft = TimeSpan.Zero;
        Interlocked.Exchange(ref _deadline, Stopwatch.GetTimestamp() + (long)(timeLeft.TotalSeconds * Stopwatch.Frequency));
        _giveUp.CancelAfter(timeLeft);
    }

    /// <summary>What is left of the shutdown deadline: how long closed sockets keep delivering what they were handed (linger).</summary>
    private TimeSpan LingerLeft()
    {
        var deadline = Interlocked.Read(ref _deadline);
        var left = deadline - Stopwatch.GetTimestamp();
        return deadline == 0 || left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency);
    }

    /// <summary>Stops taking outputs and waits until everything queued is sent, or dropped once the shutdown deadline has passed.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _thread is null ? Task.CompletedTask : _finished.Task;
    }

    /// <summary>Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _queue.Writer.TryComplete();
        _giveUp.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(5));
        _giveUp.Dispose();
    }

    private void Run()
    {
        NetMQSocket? output = null, metadata = null;
        try
        {
            try
            {
                output = Open(_settings.Endpoint, out var outputEndpoint);
                string? metadataEndpoint = null;
                if (_settings.MetadataEndpoint is { } configured) metadata = Open(configured, out metadataEndpoint);
                _started.SetResult((outputEndpoint, metadataEndpoint));
                LogStarted(_logger, _settings.Push ? "push" : "pub", outputEndpoint, OutputFormatter.NameOf(_settings.Output),
                    metadataEndpoint is null ? "" : $", metadata {metadataEndpoint}", _settings.Curve is null ? "" : ", CURVE");
            }
            catch (Exception e)
            {
                _started.TrySetException(e);
                return;
            }

            var reader = _queue.Reader;
            while (true)
            {
                while (reader.TryRead(out var slot)) Send(output, metadata, slot);
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) break;
            }
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, e.Message);
            while (_queue.Reader.TryRead(out var slot)) Drop(slot);
        }
        finally
        {
            // Outputs handed to the sockets are delivered in the background until the deadline, not discarded at close.
            var linger = LingerLeft();
            if (metadata is not null) metadata.Options.Linger = linger;
            if (output is not null) output.Options.Linger = linger;
            metadata?.Dispose();
            output?.Dispose();
            _finished.TrySetResult();
        }
    }

    private NetMQSocket Open(string endpoint, out string opened)
    {
        var socket = ZmqSockets.Create(_settings.Push ? ZmqSocketKind.Push : ZmqSocketKind.Pub, new ZmqSocketSettings
        {
            SendHighWaterMark = _settings.SendHighWaterMark,
            Curve = _settings.Curve,
        });
        try
        {
            opened = string.Join(",", ZmqSockets.Open(socket, endpoint, defaultBind: true));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Send(NetMQSocket output, NetMQSocket? metadata, OutputSlot slot)
    {
        // PUB never waits; PUSH waits for a peer, in short steps so shutdown can give up on it.
        var sent = (_key is null || SendPart(output, _key, more: true)) && SendPart(output, slot.Data.AsSpan(0, slot.Length), more: false);
        if (!sent)
        {
            Drop(slot);
            return;
        }
        var tag = _codeTags[slot.CodeIndex];
        if (slot.ReceivedTimestamp > 0) _metrics.LatencyUs.Record(Stopwatch.GetElapsedTime(slot.ReceivedTimestamp).TotalMicroseconds, tag);
        _metrics.FramesPublished.Add(1, tag);
        // The metadata stream is best effort: its consumer missing never holds the outputs back.
        if (metadata is not null && slot.Metadata.WrittenCount > 0 && !ZmqSockets.TrySend(metadata, slot.Metadata.WrittenSpan, more: false, TimeSpan.Zero))
        {
            _metrics.MetadataDropped.Add(1, tag);
            if (TakeLogSlot()) LogMetadataDropped(_logger, _settings.MetadataEndpoint ?? "");
        }
        _freeSlots.Enqueue(slot);
    }

    private bool SendPart(NetMQSocket socket, ReadOnlySpan<byte> data, bool more)
    {
        while (!ZmqSockets.TrySend(socket, data, more, _giveUp.IsCancellationRequested ? TimeSpan.Zero : SendSlice))
            if (_giveUp.IsCancellationRequested) return false;
        return true;
    }

    private void Drop(OutputSlot slot)
    {
        _metrics.FramesDropped.Add(1, new KeyValuePair<string, object?>("reason", DropReasons.Tag(DropReason.Unsent)), _codeTags[slot.CodeIndex]);
        if (TakeLogSlot()) LogUnsent(_logger, _settings.Endpoint);
        _freeSlots.Enqueue(slot);
    }

    private long _lastUnsentLog = long.MinValue / 2;

    private bool TakeLogSlot()
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastUnsentLog);
        return now - last >= Stopwatch.Frequency && Interlocked.CompareExchange(ref _lastUnsentLog, now, last) == last;
    }

    private OutputSlot RentSlot(int length)
    {
        if (!_freeSlots.TryDequeue(out var slot) || slot.Data.Length < length) slot = new OutputSlot(length);
        return slot;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "publish: {Socket} {Endpoint} ({Output}){Metadata}{Curve}")]
    private static partial void LogStarted(ILogger logger, string socket, string endpoint, string output, string metadata, string curve);

    [LoggerMessage(Level = LogLevel.Error, Message = "publisher failed: {Message}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "publish {Endpoint}: shutdown deadline passed with outputs the socket could not send (no consumer?); dropped as unsent")]
    private static partial void LogUnsent(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "publish metadata {Endpoint}: the socket is full (slow or no consumer); records dropped, counted in receiver.metadata.dropped")]
    private static partial void LogMetadataDropped(ILogger logger, string endpoint);

    /// <summary>One frame's formatted output and metadata, reused across frames.</summary>
    private sealed class OutputSlot(int capacity)
    {
        public readonly byte[] Data = new byte[capacity];
        public readonly ArrayBufferWriter<byte> Metadata = new(96);
        public int Length;
        public int CodeIndex;
        public long ReceivedTimestamp;
    }
}
